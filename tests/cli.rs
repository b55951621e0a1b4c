//! The command-line contract: subcommands, stable JSON keys, exit codes.

mod common;

use std::process::{Command, Output};

fn rtmpscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
        .args(args)
        .output()
        .expect("run rtmpscope")
}

fn data(name: &str) -> String {
    common::data(name).display().to_string()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn flows_json_has_the_stable_keys() {
    let out = stdout(&rtmpscope(&[
        "flows",
        &data("nginx-ffmpeg-publish-lossy.pcap"),
        "--format",
        "json",
    ]));
    let flows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let flow = &flows.as_array().expect("array")[0];
    for key in [
        "conn",
        "client",
        "server",
        "bytes_c2s",
        "bytes_s2c",
        "gaps_c2s",
        "gaps_s2c",
    ] {
        assert!(flow.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(flow["conn"], 0);
    assert_eq!(
        flow["server"].as_str().map(|s| s.ends_with(":1935")),
        Some(true)
    );
    assert_eq!(flow["gaps_c2s"], 0);
}

#[test]
fn messages_jsonl_one_line_per_message_with_the_stable_keys() {
    let out = stdout(&rtmpscope(&[
        "messages",
        &data("nginx-ffmpeg-publish.pcap"),
        "--format",
        "jsonl",
    ]));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 386);
    for line in &lines {
        for key in [
            "conn", "src", "dst", "dir", "frame", "time", "csid", "msid", "type_id", "type", "ts",
            "len",
        ] {
            assert!(line.get(key).is_some(), "missing key {key} in {line}");
        }
    }
    let connect = &lines[0];
    assert_eq!(connect["command"], "connect");
    assert_eq!(connect["txn"], 1.0);
    assert_eq!(connect["dir"], "c2s");
    assert_eq!(connect["frame"], 12);
    assert_eq!(connect["type_id"], 20);
    assert_eq!(
        connect["dst"].as_str().map(|s| s.ends_with(":1935")),
        Some(true)
    );
    // Messages are in completion order.
    let frames: Vec<u64> = lines
        .iter()
        .map(|l| l["frame"].as_u64().expect("frame"))
        .collect();
    assert!(frames.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn summary_json_is_the_whole_report() {
    let out = stdout(&rtmpscope(&[
        "summary",
        &data("nginx-rtmpdump-play.pcap"),
        "--format",
        "json",
    ]));
    let report: rtmpscope::Report = serde_json::from_str(&out).expect("report reads back");
    assert_eq!(report.schema_version, rtmpscope::analysis::SCHEMA_VERSION);
    assert_eq!(report.messages.len(), 340);
    let session = &report.sessions[0];
    assert_eq!(session.app.as_deref(), Some("live"));
    let stream = session
        .streams
        .iter()
        .find(|s| s.name.as_deref() == Some("stream"))
        .expect("stream");
    assert_eq!(stream.role, Some(rtmpscope::analysis::StreamRole::Play));
}

#[test]
fn summary_table_names_app_and_stream() {
    let out = stdout(&rtmpscope(&["summary", &data("nginx-ffmpeg-publish.pcap")]));
    assert!(out.contains("app live"), "{out}");
    assert!(out.contains("publish 'stream'"), "{out}");
}

#[test]
fn show_frame_prints_the_amf_tree() {
    let out = stdout(&rtmpscope(&[
        "show",
        &data("nginx-ffmpeg-publish.pcap"),
        "--frame",
        "12",
    ]));
    assert!(out.contains("connect"), "{out}");
    assert!(out.contains("app: string \"live\""), "{out}");
    assert!(out.contains("answered by message"), "{out}");
}

#[test]
fn show_message_prints_control_values() {
    let out = stdout(&rtmpscope(&[
        "show",
        &data("nginx-ffmpeg-publish.pcap"),
        "--message",
        "3",
    ]));
    assert!(out.contains("chunk_size: 4096"), "{out}");
}

#[test]
fn show_hex_prints_the_whole_body_from_the_file() {
    let out = stdout(&rtmpscope(&[
        "show",
        &data("nginx-ffmpeg-publish.pcap"),
        "--message",
        "0",
        "--hex",
    ]));
    // connect: 139 bytes in two chunks; the dump runs to offset 0x88.
    assert!(
        out.contains("body: 139 of 139 bytes, from 2 places in the file"),
        "{out}"
    );
    assert!(
        out.contains(
            "  00000000  02 00 07 63 6f 6e 6e 65  63 74 00 3f f0 00 00 00  |...connect.?....|"
        ),
        "{out}"
    );
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("  00000080  "), "{last}");
    assert!(last.ends_with("|935/live...|"), "{last}");
    // Bytes the capture lacks are marked.
    let out = stdout(&rtmpscope(&[
        "show",
        &data("nginx-ffmpeg-publish-snap200.pcap"),
        "--message",
        "20",
        "--hex",
    ]));
    assert!(out.contains("bytes not in the capture"), "{out}");
}

#[test]
fn unreadable_input_is_one_line_and_exit_2() {
    for args in [
        vec!["flows".to_string(), data("README.md")],
        vec![
            "summary".to_string(),
            "/nonexistent/capture.pcap".to_string(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = rtmpscope(&args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("rtmpscope: "), "{err}");
    }
    let out = rtmpscope(&["flows"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn truncated_capture_is_analyzed_up_to_the_cut() {
    let bytes = std::fs::read(common::data("nginx-ffmpeg-publish.pcap")).expect("read");
    let cut = &bytes[..bytes.len() / 2 + 7];
    let dir = std::env::temp_dir().join(format!("rtmpscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("cut.pcap");
    std::fs::write(&path, cut).expect("write");
    let out = stdout(&rtmpscope(&[
        "summary",
        path.to_str().expect("path"),
        "--format",
        "json",
    ]));
    let report: rtmpscope::Report = serde_json::from_str(&out).expect("report");
    assert!(report.capture.ended_early.is_some());
    assert!(report.messages.len() > 100, "{}", report.messages.len());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code == "capture.ended_early"));
    let _ = std::fs::remove_dir_all(dir);
}
