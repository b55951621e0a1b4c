//! `rtmpscope summary` shows the analytics: a readable block per stream in the table, the whole
//! report (with the analytics keys the web app and CI read) in JSON.

mod common;

use std::process::Command;

fn summary(name: &str, json: bool) -> String {
    let path = common::data(name).display().to_string();
    let mut args = vec!["summary", path.as_str()];
    if json {
        args.extend(["--format", "json"]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
        .args(&args)
        .output()
        .expect("run rtmpscope");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn table_has_a_media_block_per_stream() {
    let text = summary("nginx-ffmpeg-publish.pcap", false);
    for expected in [
        "start-up, ms from SYN: handshake",
        "video  AVC: H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit",
        "150 frames, 30.00 fps",
        "3 keyframes every 2.00 s / 60 frames",
        "B-frames",
        "audio  AAC: AAC LC, 44100 Hz, 1 ch",
        "217 frames, 23.22 ms per frame (codec: 23.22)",
        "onMetaData: 640x360, 30 fps, video AVC 781 kbit/s, audio AAC 125 kbit/s",
        "timestamps regular",
        "end: client: FCUnpublish, deleteStream",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn table_lists_findings_with_their_message() {
    let text = summary("nginx-gst-rtmpsink-publish.pcap", false);
    assert!(text.contains("no B-frames"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("[stream.codec_compatibility]"))
        .expect("finding");
    assert!(line.contains("message 12"), "{line}");
}

#[test]
fn json_has_the_analytics_keys() {
    let report: serde_json::Value =
        serde_json::from_str(&summary("nginx-ffmpeg-publish.pcap", true)).expect("json");
    let session = &report["sessions"][0];
    for key in [
        "startup",
        "acknowledgements",
        "end",
        "tcp_closes",
        "handshake_time",
    ] {
        assert!(!session[key].is_null(), "session.{key}");
    }
    let stream = &session["streams"][0];
    for path in [
        "/video/codec",
        "/video/config_summary",
        "/video/width",
        "/video/stats/frames",
        "/video/stats/frame_rate",
        "/video/stats/keyframe_interval/mean_s",
        "/video/stats/b_frames",
        "/audio/config/sample_rate",
        "/audio/stats/frame_interval_ms",
        "/metadata/video_kbps",
        "/timing/speed",
        "/timing/ahead_ms/values",
        "/timing/av_offset_ms/values",
        "/timing/av_drift_ms",
        "/bitrate/average_kbps",
        "/bitrate/peak_kbps",
    ] {
        assert!(stream.pointer(path).is_some(), "stream{path}");
    }
    assert_eq!(report["schema_version"], 1);
}
