//! `rtmpscope check` from the outside: exit codes, text, JSON and JUnit output, several files.

mod common;

use std::path::PathBuf;
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory for this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtmpscope-check-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

const RULES: &str = r#"
# The ffmpeg publish of tests/data: 640x360 H.264 + AAC, keyframe every 2 s.
no_decode_errors = true
publish = "stream"
video_codec = "avc1"
max_keyframe_interval_s = 2.5
min_video_kbps = 500

[[scope]]
stream = "stream"
audio_codec = ["aac", "opus"]
"#;

#[test]
fn passing_rules_file_exits_0() {
    let rules = scratch("pass.toml");
    std::fs::write(&rules, RULES).expect("write rules");
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        "--rules",
        rules.to_str().expect("path"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("nginx-ffmpeg-publish.pcap: PASS (6 passed)"),
        "{stdout}"
    );
    assert!(stdout.contains("max_keyframe_interval_s"), "{stdout}");
    assert!(stdout.contains("2.000 s"), "{stdout}");
}

#[test]
fn failing_rule_exits_1_and_says_where() {
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        "--rule",
        "video_codec=hvc1",
        "--rule",
        "max_keyframe_interval_s=1",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL (0 passed, 2 failed)"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("video_codec"))
        .expect("video_codec line");
    assert!(
        line.contains("FAIL") && line.contains("conn 0 stream 1 'stream'"),
        "{line}"
    );
    assert!(
        line.contains("avc1") && line.contains("one of hvc1"),
        "{line}"
    );
}

#[test]
fn not_measured_fails_unless_allowed() {
    let args = |allow: bool| {
        let mut a = vec![
            "check".to_string(),
            data("public/twinx-65926c9-twinx.pcap"),
            "--rule".into(),
            "max_keyframe_interval_s=2".into(),
        ];
        if allow {
            a.push("--allow-unmeasured".into());
        }
        a
    };
    let run = |allow| {
        let a = args(allow);
        rtmpscope(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let strict = run(false);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stdout).contains("NOT MEASURED"));
    assert_eq!(run(true).status.code(), Some(0));
}

#[test]
fn scope_narrows_command_line_rules() {
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        "--scope",
        "stream=other",
        "--rule",
        "video_codec=avc1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no media stream matching stream=other"));
}

#[test]
fn json_output_has_the_stable_keys() {
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        &data("nginx-ffmpeg-publish-snap200.pcap"),
        "--rule",
        "no_decode_errors=true",
        "--rule",
        "min_video_kbps=500",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["passed"], false);
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["passed"], true);
    assert_eq!(files[1]["passed"], false);
    let r = &files[0]["results"][1];
    assert_eq!(r["rule"]["key"], "min_video_kbps");
    assert_eq!(r["outcome"], "pass");
    assert!(r["value"].as_f64().is_some_and(|v| v > 500.0));
    for key in ["expected", "measured", "target"] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    assert_eq!(files[1]["results"][0]["outcome"], "fail");
}

#[test]
fn junit_file_has_one_case_per_rule_per_target() {
    let junit = scratch("junit.xml");
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        &data("nginx-rtmpdump-play.pcap"),
        "--rule",
        "video_codec=avc1",
        "--rule",
        "publish=stream",
        "--junit",
        junit.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains(
        r#"<testsuites name="rtmpscope check" tests="4" failures="1" errors="0" skipped="0">"#
    ));
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert_eq!(xml.matches("<testcase ").count(), 4);
    assert!(
        xml.contains(r#"name="conn 0 stream 1 &apos;stream&apos;: video_codec""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="FAIL: no publish of &apos;stream&apos;"#),
        "{xml}"
    );
    // Opening and closing tags balance.
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count()
    );
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
}

#[test]
fn input_errors_exit_2_with_one_line() {
    let bad_rules = scratch("bad.toml");
    std::fs::write(&bad_rules, "max_keyframe_interval = 2\n").expect("write");
    let capture = data("nginx-ffmpeg-publish.pcap");
    let cases: Vec<Vec<String>> = vec![
        vec!["check".into(), "/nonexistent/x.pcap".into()],
        vec!["check".into(), data("README.md")],
        vec![
            "check".into(),
            capture.clone(),
            "--rules".into(),
            bad_rules.display().to_string(),
        ],
        vec![
            "check".into(),
            capture.clone(),
            "--rules".into(),
            "/nonexistent.toml".into(),
        ],
        vec![
            "check".into(),
            capture.clone(),
            "--rule".into(),
            "video_codec=mpeg2".into(),
        ],
        vec![
            "check".into(),
            capture.clone(),
            "--rule".into(),
            "nonsense".into(),
        ],
        vec![
            "check".into(),
            capture.clone(),
            "--scope".into(),
            "msid=1".into(),
        ],
    ];
    for args in cases {
        let out = rtmpscope(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("rtmpscope: "), "{err}");
    }
    let out = rtmpscope(&[
        "check",
        &capture,
        "--rules",
        &bad_rules.display().to_string(),
    ]);
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("unknown rule key `max_keyframe_interval`"),
        "{err}"
    );
    let out = rtmpscope(&["check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn several_files_one_result_each_and_a_bad_one_is_exit_2() {
    let out = rtmpscope(&[
        "check",
        &data("nginx-ffmpeg-publish.pcap"),
        "/nonexistent/x.pcap",
        &data("nms-ffmpeg-publish.pcap"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("nginx-ffmpeg-publish.pcap: PASS"),
        "{stdout}"
    );
    assert!(stdout.contains("/nonexistent/x.pcap: ERROR"), "{stdout}");
    assert!(stdout.contains("nms-ffmpeg-publish.pcap: PASS"), "{stdout}");
    // No rules given: the default (no_decode_errors) applies.
    assert!(stdout.contains("no_decode_errors"), "{stdout}");
}
