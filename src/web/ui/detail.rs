//! The detail pane of the selected message: header fields, request/response links, the decoded
//! body (AMF tree, control values, media tag header) and the raw bytes.

use std::rc::Rc;

use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::control::{ProtocolControl, UserControlEvent};
use rtmpscope::rtmp::media::{audio_packet_type_name, video_packet_type_name, ExTagFields};
use rtmpscope::rtmp::{Dir, MessageBody};
use yew::prelude::*;

use crate::shared::protocol::MessageDetail;

use super::amf_tree::AmfTree;
use super::format;
use super::hexdump::HexDump;
use super::model::Data;

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub data: Data,
    pub selected: Option<u64>,
    pub detail: Option<Rc<MessageDetail>>,
    pub on_jump: Callback<u64>,
}

fn row(key: &str, value: impl Into<Html>) -> Html {
    html! { <><dt>{ key }</dt><dd>{ value.into() }</dd></> }
}

fn jump(on_jump: &Callback<u64>, index: u64, label: String) -> Html {
    let on_jump = on_jump.clone();
    html! {
        <a href="#" class="link" onclick={Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_jump.emit(index);
        })}>{ label }</a>
    }
}

#[function_component(DetailPane)]
pub fn detail_pane(props: &DetailProps) -> Html {
    let Some(row) = props.selected.and_then(|i| props.data.row(i)) else {
        return html! {
            <aside class="detail" data-testid="detail-pane">
                <p class="muted">{ "Select a message: click a row, or ↑ ↓ / j k." }</p>
            </aside>
        };
    };
    // The page has the row; the whole record comes from the worker with the detail.
    let detail = props.detail.as_ref().filter(|d| d.index == row.index);
    let record = detail.and_then(|d| d.record.as_ref());
    html! {
        <aside class="detail" data-testid="detail-pane">
            <h3>
                { format!("#{} {} ", row.index, row.type_name()) }
                <span class="muted">{ format!("type {}", row.type_id) }</span>
            </h3>
            <p class="summary-line mono">{ props.data.summary(row.index) }</p>
            { match record {
                Some(m) => html! {
                    <>
                        { links(m, &props.on_jump) }
                        { headers(&props.data, m) }
                        { body(m) }
                    </>
                },
                None => html! { <p class="muted">{ "decoding…" }</p> },
            } }
            { match detail {
                Some(d) if !d.tree.is_empty() => html! {
                    <section>
                        <h4>{ "Decoded AMF" }</h4>
                        <AmfTree nodes={Rc::new(d.tree.clone())} />
                    </section>
                },
                _ => Html::default(),
            } }
            { detail.and_then(|d| d.raw.clone()).map(|raw| html! {
                <section>
                    <h4>{ "Bytes" }</h4>
                    <HexDump raw={Rc::new(raw)} />
                </section>
            }).unwrap_or_default() }
        </aside>
    }
}

fn links(m: &MessageRecord, on_jump: &Callback<u64>) -> Html {
    let latency = m
        .latency()
        .map(|l| format!(" after {:.1} ms", l * 1000.0))
        .unwrap_or_default();
    html! {
        <p class="links">
            { m.request().map(|r| html! {
                <>{ "answers " }{ jump(on_jump, r, format!("request #{r}")) }{ latency.clone() }</>
            }).unwrap_or_default() }
            { m.response().map(|r| html! {
                <>{ "answered by " }{ jump(on_jump, r, format!("#{r}")) }{ latency.clone() }</>
            }).unwrap_or_default() }
        </p>
    }
}

fn headers(data: &Data, m: &MessageRecord) -> Html {
    let msg = &m.message;
    let session = data.report.sessions.iter().find(|s| s.conn == m.conn);
    let direction = match (msg.dir, session) {
        (dir, Some(s)) => {
            let (from, to) = s.endpoints(dir);
            let arrow = if dir == Dir::C2S {
                "client → server"
            } else {
                "server → client"
            };
            format!("{arrow}  {from} → {to}")
        }
        (Dir::C2S, None) => "client → server".into(),
        (Dir::S2C, None) => "server → client".into(),
    };
    let frames = if msg.first_frame == msg.frame {
        msg.frame.to_string()
    } else {
        format!("{}–{}", msg.first_frame, msg.frame)
    };
    let timestamp = match msg.timestamp_delta {
        Some(d) => format!("{} ms (delta {d})", msg.timestamp),
        None => format!("{} ms", msg.timestamp),
    };
    let mut flags = Vec::new();
    if msg.damaged {
        flags.push(format!("damaged: {} bytes missing", msg.missing_bytes));
    }
    if msg.truncated {
        flags.push("body prefix only (memory cap)".to_string());
    }
    if msg.inferred {
        flags.push("header inferred after resync".to_string());
    }
    if msg.resync_point {
        flags.push("first message after resync".to_string());
    }
    html! {
        <dl class="kv compact">
            { row("frames", frames) }
            { row("time", format!("{} (+{} s)", format::time_of_day(msg.time),
                format::relative(msg.time, data.start))) }
            { row("direction", direction) }
            { row("conn", m.conn.to_string()) }
            { row("csid / msid", format!("{} / {}", msg.csid, msg.msid)) }
            { row("timestamp", timestamp) }
            { row("length", format!("{} bytes", msg.length)) }
            { row("chunks", format!("{} (first fmt {}{})", msg.chunks, msg.fmt,
                if msg.extended_timestamp { ", extended timestamp" } else { "" })) }
            { row("stream offset", msg.stream_offset.to_string()) }
            { row("file offset", msg.file_offset.map(|o| o.to_string()).unwrap_or_else(|| "—".into())) }
            if !flags.is_empty() {
                { row("flags", html! { <span class="warn">{ flags.join("; ") }</span> }) }
            }
        </dl>
    }
}

fn fields(pairs: Vec<(&str, String)>) -> Html {
    html! {
        <dl class="kv compact">
            { for pairs.into_iter().map(|(k, v)| row(k, v)) }
        </dl>
    }
}

/// ModEx, multitrack, Metadata and MultichannelConfig details in one line ("—" without).
fn ex_fields(ex: Option<&ExTagFields>, packet_type_name: fn(u8) -> &'static str) -> String {
    let Some(ex) = ex else {
        return "—".into();
    };
    let mut parts = Vec::new();
    if let Some(nano) = ex.timestamp_offset_nano {
        parts.push(format!("ModEx timestamp offset {nano} ns"));
    } else if ex.mod_ex {
        parts.push("ModEx".to_string());
    }
    if let Some(layout) = ex.multitrack_type_name() {
        let tracks: Vec<String> = ex
            .tracks
            .iter()
            .map(|t| {
                let size = t.size.map(|n| format!(" {n} B")).unwrap_or_default();
                format!("#{} {}{size}", t.track_id, t.fourcc)
            })
            .collect();
        parts.push(format!(
            "multitrack {layout}, {} per track: {}",
            ex.track_packet_type.map_or("?", packet_type_name),
            tracks.join(", ")
        ));
    }
    if !ex.metadata.is_empty() {
        let json: Vec<String> = ex
            .metadata
            .iter()
            .map(|v| serde_json::to_string(v).unwrap_or_default())
            .collect();
        parts.push(format!("metadata {}", json.join(" ")));
    }
    if let Some(mc) = &ex.multichannel {
        let mut text = format!(
            "{} channels, {} order",
            mc.channel_count,
            mc.channel_order_name()
        );
        if let Some(mask) = mc.channel_flags {
            text.push_str(&format!(", mask 0x{mask:x}"));
        }
        if !mc.channel_mapping.is_empty() {
            text.push_str(&format!(", map {:?}", mc.channel_mapping));
        }
        parts.push(text);
    }
    if parts.is_empty() {
        return "—".into();
    }
    parts.join("; ")
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_else(|| "—".into())
}

fn body(m: &MessageRecord) -> Html {
    let content = match &m.message.body {
        MessageBody::Control(c) => fields(match c {
            ProtocolControl::SetChunkSize { chunk_size } => {
                vec![("chunk size", chunk_size.to_string())]
            }
            ProtocolControl::Abort { csid } => vec![("abort csid", csid.to_string())],
            ProtocolControl::Acknowledgement { sequence_number } => {
                vec![("sequence number", sequence_number.to_string())]
            }
            ProtocolControl::WindowAckSize { size } => vec![("window size", size.to_string())],
            ProtocolControl::SetPeerBandwidth {
                size,
                limit_type,
                limit,
            } => vec![
                ("window size", size.to_string()),
                ("limit type", format!("{limit_type} ({limit})")),
            ],
        }),
        MessageBody::UserControl(e) => {
            let mut pairs = vec![("event", e.name().to_string())];
            match e {
                UserControlEvent::SetBufferLength {
                    stream_id,
                    buffer_ms,
                } => {
                    pairs.push(("stream id", stream_id.to_string()));
                    pairs.push(("buffer", format!("{buffer_ms} ms")));
                }
                UserControlEvent::PingRequest { timestamp }
                | UserControlEvent::PingResponse { timestamp } => {
                    pairs.push(("timestamp", timestamp.to_string()));
                }
                _ => {}
            }
            fields(pairs)
        }
        MessageBody::Audio(a) => fields(vec![
            (
                "format",
                format!("{} ({})", a.format_name(), a.sound_format),
            ),
            (
                "rate",
                a.rate_hz
                    .map(|r| format!("{r} Hz"))
                    .unwrap_or_else(|| "—".into()),
            ),
            (
                "sample size",
                a.sample_bits
                    .map(|b| format!("{b} bit"))
                    .unwrap_or_else(|| "—".into()),
            ),
            (
                "channels",
                match a.stereo {
                    Some(true) => "stereo".into(),
                    Some(false) => "mono".into(),
                    None => "—".into(),
                },
            ),
            ("AAC packet type", opt(&a.aac_packet_type)),
            ("packet type", opt(&a.packet_type_name())),
            ("fourcc", opt(&a.fourcc)),
            ("sequence header", a.sequence_header.to_string()),
            (
                "Enhanced v2",
                ex_fields(a.ex.as_deref(), audio_packet_type_name),
            ),
            (
                "note",
                if a.sound_format == 10 {
                    // The session card shows the AudioSpecificConfig's values.
                    "AAC: rate, size and channels above are the tag header's fixed values; \
                     the AudioSpecificConfig has the real ones"
                        .into()
                } else {
                    "rate, size and channels from the tag header".into()
                },
            ),
        ]),
        MessageBody::Video(v) => fields(vec![
            (
                "frame type",
                format!("{} ({})", v.frame_type_name(), v.frame_type),
            ),
            (
                "codec",
                format!(
                    "{}{}",
                    v.codec_name(),
                    v.codec_id.map(|c| format!(" ({c})")).unwrap_or_default()
                ),
            ),
            ("enhanced", v.enhanced.to_string()),
            ("fourcc", opt(&v.fourcc)),
            ("packet type", opt(&v.packet_type_name())),
            (
                "composition time",
                v.composition_time
                    .map(|c| format!("{c} ms"))
                    .unwrap_or_else(|| "—".into()),
            ),
            ("keyframe", v.keyframe.to_string()),
            ("sequence header", v.sequence_header.to_string()),
            (
                "Enhanced v2",
                ex_fields(v.ex.as_deref(), video_packet_type_name),
            ),
        ]),
        MessageBody::Aggregate(a) => html! {
            <table class="grid-table">
                <tr><th>{ "type" }</th><th class="num">{ "ts" }</th><th class="num">{ "len" }</th><th>{ "body" }</th></tr>
                { for a.parts.iter().map(|p| html! {
                    <tr>
                        <td>{ p.type_name.to_string() }</td>
                        <td class="num">{ p.timestamp }</td>
                        <td class="num">{ p.length }</td>
                        <td>{ rtmpscope::analysis::describe_body(&p.body, p.length, 80) }</td>
                    </tr>
                }) }
            </table>
        },
        MessageBody::Unknown { prefix } => fields(vec![("first bytes", hex(&prefix.0))]),
        MessageBody::Invalid(invalid) => fields(vec![
            ("invalid", invalid.reason.clone()),
            ("first bytes", hex(&invalid.prefix.0)),
        ]),
        MessageBody::Command(_) | MessageBody::Data(_) | MessageBody::SharedObject(_) => {
            return Html::default()
        }
    };
    html! { <section><h4>{ "Body" }</h4>{ content }</section> }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
