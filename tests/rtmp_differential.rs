//! Differential tests: rtmpscope's decode of every real capture against Wireshark's
//! (`NAME.tshark.tsv`). Per connection and direction, the sequence of (type id, message stream
//! id, length, timestamp) must equal Wireshark's, and AMF command/data values must agree.
//! Where Wireshark is known to be wrong (tests/data/README.md), the test asserts what is right.

mod common;

use std::collections::BTreeMap;

use common::tshark::{self, normalize_json, TsharkPdu};
use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::{Dir, MessageBody};
use rtmpscope::Report;

type Key = (u32, &'static str);

/// (type id, msid, length, timestamp or None where tshark leaves it blank)
type Row = (u8, u32, u32, Option<u64>);

fn analyze(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("capture analyzes")
}

fn server_port(report: &Report, conn: u32) -> u16 {
    report
        .sessions
        .iter()
        .find(|s| s.conn == conn)
        .map(|s| s.server.port())
        .expect("session for connection")
}

fn ours(report: &Report) -> BTreeMap<Key, Vec<(Row, &MessageRecord)>> {
    let mut map: BTreeMap<Key, Vec<(Row, &MessageRecord)>> = BTreeMap::new();
    for r in &report.messages {
        let m = &r.message;
        map.entry((r.conn, m.dir.as_str())).or_default().push((
            (m.type_id, m.msid, m.length, Some(u64::from(m.timestamp))),
            r,
        ));
    }
    map
}

fn theirs(report: &Report, pdus: &[TsharkPdu]) -> BTreeMap<Key, Vec<(Row, TsharkPdu)>> {
    let mut map: BTreeMap<Key, Vec<(Row, TsharkPdu)>> = BTreeMap::new();
    for p in pdus.iter().filter(|p| !p.is_handshake()) {
        let Some(type_id) = p.type_id else { continue };
        let dir = if p.dst_port == server_port(report, p.tcp_stream) {
            Dir::C2S
        } else {
            Dir::S2C
        };
        map.entry((p.tcp_stream, dir.as_str())).or_default().push((
            (
                type_id,
                p.msid.unwrap_or(0),
                p.length.unwrap_or(0),
                p.timestamp,
            ),
            p.clone(),
        ));
    }
    map
}

/// Documented disagreements with Wireshark, where rtmpscope is right.
#[derive(Default)]
struct Known {
    /// Connections that are RTMP on a port Wireshark does not dissect as RTMP by default.
    extra_conns: &'static [u32],
    /// Strings that really are NUL bytes, which Wireshark shows as "".
    nul_strings: bool,
}

/// Asserts message-for-message agreement with Wireshark and returns the number of messages.
fn assert_agrees(name: &str, tsv: &str) -> usize {
    assert_agrees_except(name, tsv, Known::default())
}

fn strip_nuls(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(s.trim_end_matches('\0').to_string()),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nuls).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, strip_nuls(v))).collect()),
        other => other,
    }
}

fn assert_agrees_except(name: &str, tsv: &str, known: Known) -> usize {
    let report = analyze(name);
    let pdus = tshark::load(&common::data(tsv));
    let mut ours = ours(&report);
    ours.retain(|(conn, _), _| !known.extra_conns.contains(conn));
    let theirs = theirs(&report, &pdus);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{name}: connections/directions with messages"
    );
    for (key, expected) in &theirs {
        let got = &ours[key];
        for (i, ((row, record), (want, pdu))) in got.iter().zip(expected).enumerate() {
            let (t, s, l, ts) = *row;
            let (wt, ws, wl, wts) = *want;
            assert_eq!(
                (t, s, l),
                (wt, ws, wl),
                "{name} {key:?} message {i}: ours frame {} vs Wireshark frame {}",
                record.message.frame,
                pdu.frame
            );
            if let Some(wts) = wts {
                assert_eq!(
                    ts,
                    Some(wts),
                    "{name} {key:?} message {i} timestamp (frame {})",
                    pdu.frame
                );
            }
            assert_eq!(
                record.message.frame, pdu.frame,
                "{name} {key:?} message {i}: completing frame"
            );
            if let Some(values) = pdu.amf_values() {
                let mut our_values = amf_json(record);
                if known.nul_strings {
                    our_values = strip_nuls(our_values);
                }
                assert_eq!(
                    normalize_json(&our_values),
                    normalize_json(&values),
                    "{name} {key:?} message {i} (frame {}) AMF values",
                    pdu.frame
                );
            }
        }
        assert_eq!(got.len(), expected.len(), "{name} {key:?}: message count");
    }
    report.messages.len()
}

/// Our AMF values as the JSON array Wireshark's reference has: for commands name, transaction
/// id, command object, arguments; for data every value.
fn amf_json(record: &MessageRecord) -> serde_json::Value {
    match &record.message.body {
        MessageBody::Command(c) => {
            let mut v = vec![
                serde_json::json!(c.name),
                serde_json::json!(c.transaction_id),
                serde_json::to_value(&c.command_object).expect("json"),
            ];
            v.extend(
                c.arguments
                    .iter()
                    .map(|a| serde_json::to_value(a).expect("json")),
            );
            serde_json::Value::Array(v)
        }
        MessageBody::Data(d) => serde_json::to_value(&d.values).expect("json"),
        other => panic!("not an AMF body: {other:?}"),
    }
}

macro_rules! agrees {
    ($test:ident, $file:expr, $tsv:expr, $count:expr) => {
        #[test]
        fn $test() {
            assert_eq!(assert_agrees($file, $tsv), $count);
        }
    };
}

agrees!(
    nginx_ffmpeg_publish,
    "nginx-ffmpeg-publish.pcap",
    "nginx-ffmpeg-publish.tshark.tsv",
    386
);
agrees!(
    nginx_ffmpeg_publish_dumpcap,
    "nginx-ffmpeg-publish-dumpcap.pcapng",
    "nginx-ffmpeg-publish-dumpcap.tshark.tsv",
    386
);
agrees!(
    nginx_ffmpeg_publish_sll,
    "nginx-ffmpeg-publish-any-sll.pcap",
    "nginx-ffmpeg-publish-any-sll.tshark.tsv",
    386
);
agrees!(
    nginx_ffmpeg_publish_sll2,
    "nginx-ffmpeg-publish-any-sll2.pcap",
    "nginx-ffmpeg-publish-any-sll2.tshark.tsv",
    386
);
agrees!(
    nginx_ffmpeg_publish_lossy,
    "nginx-ffmpeg-publish-lossy.pcap",
    "nginx-ffmpeg-publish-lossy.tshark.tsv",
    605
);
agrees!(
    nginx_gst_rtmpsink_publish,
    "nginx-gst-rtmpsink-publish.pcap",
    "nginx-gst-rtmpsink-publish.tshark.tsv",
    414
);
agrees!(
    nginx_gst_rtmp2sink_publish,
    "nginx-gst-rtmp2sink-publish.pcap",
    "nginx-gst-rtmp2sink-publish.tshark.tsv",
    416
);
agrees!(
    nms_ffmpeg_publish,
    "nms-ffmpeg-publish.pcap",
    "nms-ffmpeg-publish.tshark.tsv",
    385
);
agrees!(
    public_wireshark_sample,
    "public/wireshark-rtmp_sample.cap",
    "public/wireshark-rtmp_sample.tshark.tsv",
    13
);
agrees!(
    public_twinx_rtmp,
    "public/twinx-1b04452-rtmp.pcap",
    "public/twinx-1b04452-rtmp.tshark.tsv",
    9
);
agrees!(
    public_twinx_twinx,
    "public/twinx-1b04452-twinx.pcap",
    "public/twinx-1b04452-twinx.tshark.tsv",
    10
);
agrees!(
    public_twinx_nginx,
    "public/twinx-65926c9-nginx.pcap",
    "public/twinx-65926c9-nginx.tshark.tsv",
    339
);
agrees!(
    public_twinx_relay,
    "public/twinx-65926c9-twinx.pcap",
    "public/twinx-65926c9-twinx.tshark.tsv",
    19
);

/// nginx-rtmp's onMetaData sends `profile` and `level` as 32 NUL bytes each; Wireshark shows
/// them as empty strings. We keep the bytes; everything else agrees.
#[test]
fn nginx_rtmpdump_play() {
    let known = Known {
        nul_strings: true,
        ..Known::default()
    };
    assert_eq!(
        assert_agrees_except(
            "nginx-rtmpdump-play.pcap",
            "nginx-rtmpdump-play.tshark.tsv",
            known
        ),
        340
    );
    let report = analyze("nginx-rtmpdump-play.pcap");
    let meta = report
        .messages
        .iter()
        .find_map(|r| match &r.message.body {
            MessageBody::Data(d) if d.handler() == Some("onMetaData") => Some(d),
            _ => None,
        })
        .expect("onMetaData");
    let profile = meta.values[1].get("profile").and_then(|v| v.as_str());
    assert_eq!(profile, Some("\0".repeat(32).as_str()));
}

/// nDPI's capture holds a third RTMP session on port 6002, which Wireshark does not dissect as
/// RTMP without `-d tcp.port==6002,rtmpt`; rtmpscope finds RTMP by its handshake on any port.
#[test]
fn public_ndpi() {
    let known = Known {
        extra_conns: &[2],
        ..Known::default()
    };
    assert_eq!(
        assert_agrees_except(
            "public/ndpi-rtmp.pcap",
            "public/ndpi-rtmp.tshark.tsv",
            known
        ),
        31
    );
    let report = analyze("public/ndpi-rtmp.pcap");
    let session = report
        .sessions
        .iter()
        .find(|s| s.conn == 2)
        .expect("session on port 6002");
    assert_eq!(session.server.port(), 6002);
    assert_eq!(session.app.as_deref(), Some("live"));
    assert_eq!(
        session.tc_url.as_deref(),
        Some("rtmp://zl-fra-live7.livenono.com:6002/live")
    );
    assert_eq!(session.messages, 10);
}
