//! The report is plain serde data: `summary --format json` reads back into `rtmpscope::Report`,
//! and the report read back is the in-memory one.
//!
//! Two parts of the report are compared through their JSON rather than field by field, because
//! their JSON form is lossy by design: AMF values are written as natural JSON (an ECMA array
//! and an object both become a JSON object, see `AmfValue`'s `Deserialize`), and
//! `CaptureSummary` carries reader state that is not serialized.

mod common;

use std::process::Command;

fn cli_report(path: &std::path::Path) -> (String, rtmpscope::Report) {
    let out = Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
        .args(["summary", "--format", "json"])
        .arg(path)
        .output()
        .expect("run rtmpscope");
    assert!(out.status.success(), "{}", path.display());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let report = serde_json::from_str(&text).expect("summary json reads back into a Report");
    (text, report)
}

#[test]
fn summary_json_reads_back_into_the_same_report() {
    for name in [
        "nginx-ffmpeg-publish.pcap",
        "nginx-rtmpdump-play.pcap",
        "nginx-ffmpeg-publish-lossy.pcap",
        "nginx-ffmpeg-publish-snap200.pcap",
        "nginx-gst-rtmp2sink-publish.pcap",
        "public/ndpi-rtmp.pcap",
    ] {
        let path = common::data(name);
        let (text, from_cli) = cli_report(&path);
        let in_memory = rtmpscope::analyze_path(&path).expect("analyze");
        assert_eq!(from_cli.schema_version, rtmpscope::analysis::SCHEMA_VERSION);
        // Field by field where the JSON form is exact.
        assert_eq!(from_cli.generator, in_memory.generator, "{name}");
        assert_eq!(from_cli.capture.file, in_memory.capture.file, "{name}");
        assert_eq!(
            from_cli.capture.ended_early, in_memory.capture.ended_early,
            "{name}"
        );
        assert!(
            from_cli.connections == in_memory.connections,
            "{name}: connections"
        );
        assert!(
            from_cli.diagnostics == in_memory.diagnostics,
            "{name}: diagnostics"
        );
        let without_amf = |r: &rtmpscope::Report| {
            let mut sessions = r.sessions.clone();
            for s in &mut sessions {
                s.connect = None;
            }
            sessions
        };
        assert!(
            without_amf(&from_cli) == without_amf(&in_memory),
            "{name}: sessions"
        );
        assert_eq!(from_cli.messages.len(), in_memory.messages.len(), "{name}");
        for (a, b) in from_cli.messages.iter().zip(&in_memory.messages) {
            assert_eq!(
                (a.index, a.conn, a.request(), a.response(), a.latency()),
                (b.index, b.conn, b.request(), b.response(), b.latency()),
                "{name}"
            );
            assert_eq!(
                (
                    a.message.frame,
                    a.message.timestamp,
                    a.message.length,
                    a.message.msid
                ),
                (
                    b.message.frame,
                    b.message.timestamp,
                    b.message.length,
                    b.message.msid
                ),
                "{name}"
            );
        }
        // Everything, through JSON: the CLI wrote the in-memory report, and the report read
        // back writes the same document (but for `"key": null` entries, which read back as
        // absent optional values).
        let original = serde_json::to_string_pretty(&in_memory).expect("serialize");
        assert!(
            original.trim_end() == text.trim_end(),
            "{name}: CLI JSON differs"
        );
        let rewritten = serde_json::to_value(&from_cli).expect("serialize");
        let text: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert!(
            without_nulls(rewritten) == without_nulls(text),
            "{name}: the report read back writes a different document"
        );
    }
}

/// The JSON with object entries whose value is null left out.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}
