//! One card per RTMP session: endpoints, connect parameters, handshake, streams and bitrate.

use rtmpscope::analysis::{
    AudioTrack, Session, StreamInfo, StreamRole, StreamTrack, TrackKind, VideoTrack,
};
use rtmpscope::rtmp::HandshakeInfo;
use yew::prelude::*;

use super::chart::BitrateChart;
use super::format;
use super::model::Data;
use crate::shared::rows::Codecs;

#[derive(Properties, PartialEq)]
pub struct SessionListProps {
    pub data: Data,
    pub on_jump: Callback<u64>,
    /// Download a (connection, message stream) as FLV.
    pub on_export_flv: Callback<(u32, u32)>,
    /// The stream whose FLV the worker is making.
    #[prop_or_default]
    pub exporting: Option<(u32, u32)>,
}

#[function_component(SessionList)]
pub fn session_list(props: &SessionListProps) -> Html {
    let data = &props.data;
    html! {
        <main class="sessions">
            { for data.report.sessions.iter().enumerate().map(|(i, s)| html! {
                <SessionCard data={data.clone()} number={i} on_jump={props.on_jump.clone()}
                             on_export_flv={props.on_export_flv.clone()}
                             exporting={props.exporting} key={s.conn} />
            }) }
            { other_connections(data) }
        </main>
    }
}

/// TCP connections that are not RTMP sessions, in one line each.
fn other_connections(data: &Data) -> Html {
    let others: Vec<_> = data
        .report
        .connections
        .iter()
        .filter(|c| c.session.is_none())
        .collect();
    if others.is_empty() {
        return Html::default();
    }
    html! {
        <section class="card other-conns">
            <h2>{ format!("Other TCP connections ({})", others.len()) }</h2>
            <table class="kv-table">
                <tr><th>{ "conn" }</th><th>{ "client" }</th><th>{ "server" }</th>
                    <th>{ "protocol" }</th><th>{ "frames" }</th></tr>
                { for others.iter().map(|c| html! {
                    <tr>
                        <td class="num">{ c.tcp.conn.0 }</td>
                        <td>{ c.tcp.client.to_string() }</td>
                        <td>{ c.tcp.server.to_string() }</td>
                        <td>{ format!("{:?}", c.protocol) }</td>
                        <td class="num">{ format!("{}–{}", c.tcp.first_frame, c.tcp.last_frame) }</td>
                    </tr>
                }) }
            </table>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SessionCardProps {
    pub data: Data,
    /// Position in `report.sessions`.
    pub number: usize,
    pub on_jump: Callback<u64>,
    pub on_export_flv: Callback<(u32, u32)>,
    #[prop_or_default]
    pub exporting: Option<(u32, u32)>,
}

fn kv(key: &str, value: Html) -> Html {
    html! { <><dt>{ key }</dt><dd>{ value }</dd></> }
}

fn opt(value: &Option<String>) -> Html {
    match value {
        Some(v) => html! { <span class="mono">{ v }</span> },
        None => html! { <span class="muted">{ "—" }</span> },
    }
}

#[function_component(SessionCard)]
pub fn session_card(props: &SessionCardProps) -> Html {
    let Some(s) = props.data.report.sessions.get(props.number) else {
        return Html::default();
    };
    let duration = s.duration();
    let media_bytes: u64 = s.streams.iter().map(|st| st.media_bytes).sum();
    let avg = if duration > 0.0 {
        format::kbps(media_bytes as f64 * 8.0 / 1000.0 / duration)
    } else {
        "—".to_string()
    };
    let connect = s.connect_message.map(|index| {
        let on_jump = props.on_jump.clone();
        html! {
            <a href="#" class="link" onclick={Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                on_jump.emit(index);
            })}>{ format!("connect #{index}") }</a>
        }
    });
    html! {
        <section class="card" data-testid="session-card">
            <h2>
                <span>{ format!("Session {}", props.number + 1) }</span>
                <span class="mono">{ format!("{} → {}", s.client, s.server) }</span>
                <span class="muted">{ format!("TCP conn {}", s.conn) }</span>
                { connect.unwrap_or_default() }
            </h2>
            <dl class="kv">
                { kv("app", html! { <span class="mono" data-testid="session-app">{
                    s.app.clone().unwrap_or_else(|| "—".into()) }</span> }) }
                { kv("tcUrl", opt(&s.tc_url)) }
                { kv("flashVer", opt(&s.flash_ver)) }
                { kv("duration", html! { format::duration(duration) }) }
                { kv("messages", html! { format::count(s.messages) }) }
                { kv("media", html! { format!("{} · avg {avg}", format::bytes(media_bytes)) }) }
                { kv("diagnostics", html! {
                    <span class={classes!((s.diagnostics > 0).then_some("warn"))}>{ s.diagnostics }</span>
                }) }
                { kv("handshake", handshake(s.handshake.as_ref())) }
                { kv("types", message_counts(s)) }
                { s.startup.as_ref().and_then(|st| st.stream_start.as_ref()).map(|m| kv(
                    "start-up", html! { format!("stream started {:.0} ms after the first packet", m.ms) }
                )).unwrap_or_default() }
                { s.end.as_ref().map(|e| kv("end", html! { e.summary.clone() })).unwrap_or_default() }
            </dl>
            { streams(props, s) }
        </section>
    }
}

fn handshake(h: Option<&HandshakeInfo>) -> Html {
    let Some(h) = h else {
        return html! { <span class="muted">{ "not in the capture" }</span> };
    };
    let mut parts = vec![format!("C0 version {}", h.c0)];
    if let Some(v) = &h.c1_version {
        parts.push(if v == "0.0.0.0" {
            "simple (C1 version 0.0.0.0)".to_string()
        } else {
            format!("C1 version {v}")
        });
    }
    if let Some(v) = &h.s1_version {
        parts.push(format!("S1 version {v}"));
    }
    if let Some(d) = &h.client_digest {
        parts.push(format!("client digest {d:?}"));
    }
    if let Some(d) = &h.server_digest {
        parts.push(format!("server digest {d:?}"));
    }
    parts.push(if h.complete {
        "complete".into()
    } else {
        "incomplete".into()
    });
    if h.missing_bytes > 0 {
        parts.push(format!("{} bytes missing", h.missing_bytes));
    }
    html! { <span>{ parts.join(" · ") }</span> }
}

fn message_counts(s: &Session) -> Html {
    let text = s
        .message_counts
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(" · ");
    html! { <span class="small">{ text }</span> }
}

fn role(stream: &StreamInfo) -> Html {
    match stream.role {
        Some(StreamRole::Publish) => html! { <span class="badge publish">{ "publish" }</span> },
        Some(StreamRole::Play) => html! { <span class="badge play">{ "play" }</span> },
        None => html! { <span class="muted">{ "—" }</span> },
    }
}

/// The video codec: the decoded configuration ("H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit")
/// when the capture has one, else the tag headers' codec.
pub fn video_text(track: &VideoTrack) -> String {
    if let (Some(summary), Some(_)) = (&track.config.config_summary, &track.config.config) {
        return summary.clone();
    }
    let mut text = track.codec.clone();
    if let Some(fourcc) = &track.fourcc {
        text.push_str(&format!(" ({fourcc})"));
    }
    if let (Some(w), Some(h)) = (track.width, track.height) {
        text.push_str(&format!(", {w}x{h}"));
    }
    text.push_str(" (no sequence header)");
    text
}

/// The audio codec: the decoded configuration ("AAC LC, 44100 Hz, 1 ch") when the capture has
/// one; else the tag headers' codec, rate and channels (for AAC these are fixed at 44 kHz
/// stereo whatever the stream is, so they are marked as the tag header's).
pub fn audio_text(track: &AudioTrack) -> String {
    if let (Some(summary), Some(_)) = (&track.config.config_summary, &track.config.config) {
        return summary.clone();
    }
    let mut parts = vec![track.codec.clone()];
    if let Some(rate) = track.sample_rate.or(track.flv_rate_hz) {
        parts.push(format!("{rate} Hz"));
    }
    if let Some(channels) = track.channels {
        parts.push(format!("{channels} ch"));
    } else if let Some(stereo) = track.flv_stereo {
        parts.push(if stereo { "2 ch" } else { "1 ch" }.to_string());
    }
    let mut text = parts.join(", ");
    if parts.len() > 1 {
        text.push_str(" (tag header)");
    }
    text
}

/// The stream's codecs from the analysis' tracks; the timeline's tag headers only for a track
/// the analysis has not got.
fn codecs(stream: &StreamInfo, c: Option<&Codecs>) -> String {
    let fallback = c.cloned().unwrap_or_default();
    let video = stream.video.as_ref().map(video_text).or(fallback.video);
    let audio = stream.audio.as_ref().map(audio_text).or(fallback.audio);
    let text = match (&video, &audio) {
        (Some(v), Some(a)) => format!("{v} + {a}"),
        (Some(v), None) => v.clone(),
        (None, Some(a)) => a.clone(),
        (None, None) => "—".into(),
    };
    if stream.tracks.is_empty() {
        return text;
    }
    format!("{text}; {}", tracks_text(&stream.tracks))
}

/// Enhanced RTMP multitrack: each track by kind and id ("video #0 H.264 …, audio #1 Opus …").
pub fn tracks_text(tracks: &[StreamTrack]) -> String {
    let list: Vec<String> = tracks
        .iter()
        .map(|t| {
            let kind = match t.kind {
                TrackKind::Video => "video",
                TrackKind::Audio => "audio",
            };
            let what = t
                .config
                .config_summary
                .clone()
                .unwrap_or_else(|| t.codec.clone());
            format!("{kind} #{} {what} ({} frames)", t.track_id, t.frames)
        })
        .collect();
    format!("{} tracks: {}", tracks.len(), list.join(", "))
}

/// The FLV download button of a stream: enabled when `rtmpscope export` would write it.
fn flv_button(props: &SessionCardProps, conn: u32, msid: u32) -> Html {
    let check = props.data.flv.get(&(conn, msid));
    let busy = props.exporting == Some((conn, msid));
    let (disabled, title) = match check {
        Some(Ok(())) if busy => (true, "exporting…".to_string()),
        Some(Ok(())) => (
            false,
            format!(
                "Download this stream as FLV (as rtmpscope export --conn {conn} --stream {msid})"
            ),
        ),
        Some(Err(reason)) => (true, reason.clone()),
        None => (true, "no audio, video or data on this stream".to_string()),
    };
    let on_export = props.on_export_flv.clone();
    html! {
        <button class="button small" data-testid="flv-button" data-conn={conn.to_string()}
                data-msid={msid.to_string()} {disabled} {title}
                onclick={Callback::from(move |_: MouseEvent| on_export.emit((conn, msid)))}>
            { if busy { "FLV…" } else { "FLV" } }
        </button>
    }
}

fn streams(props: &SessionCardProps, s: &Session) -> Html {
    let data = &props.data;
    if s.streams.is_empty() {
        return html! { <p class="muted">{ "No message streams." }</p> };
    }
    html! {
        <div class="streams">
            <table class="grid-table">
                <thead><tr>
                    <th>{ "msid" }</th><th>{ "name" }</th><th>{ "role" }</th><th>{ "codecs" }</th>
                    <th class="num">{ "audio" }</th><th class="num">{ "video" }</th>
                    <th class="num">{ "data" }</th><th class="num">{ "bytes" }</th>
                    <th class="num">{ "avg" }</th><th class="num">{ "peak" }</th>
                    <th>{ "status" }</th><th>{ "export" }</th>
                </tr></thead>
                <tbody>
                { for s.streams.iter().map(|st| html! {
                    <tr data-testid="stream-row">
                        <td class="num">{ st.msid }</td>
                        <td class="mono" data-testid="stream-name">
                            { st.name.clone().unwrap_or_default() }
                            { st.publish_type.as_ref().map(|t| html! {
                                <span class="muted">{ format!(" ({t})") }</span>
                            }).unwrap_or_default() }
                        </td>
                        <td>{ role(st) }</td>
                        <td class="small" data-testid="stream-codecs">{ codecs(st, data.codecs.get(&(s.conn, st.msid))) }</td>
                        <td class="num">{ st.audio_messages }</td>
                        <td class="num">{ st.video_messages }</td>
                        <td class="num">{ st.data_messages }</td>
                        <td class="num">{ format::bytes(st.media_bytes) }</td>
                        <td class="num">{ format::kbps(st.bitrate.average_kbps()) }</td>
                        <td class="num">{ format::kbps(st.bitrate.peak_kbps()) }</td>
                        <td class="small">{ st.status_codes.join(", ") }</td>
                        <td>{ flv_button(props, s.conn, st.msid) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            { for s.streams.iter().filter(|st| !st.bitrate.buckets.is_empty()).map(|st| html! {
                <BitrateChart series={st.bitrate.clone()}
                    title={format!("msid {} {}", st.msid, st.name.clone().unwrap_or_default())} />
            }) }
        </div>
    }
}
