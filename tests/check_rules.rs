//! The check API on real captures: what each rule measures, scopes, and the damaged cases.

mod common;

use rtmpscope::check::{evaluate, CheckReport, Outcome, Rule, RuleResult, RuleSet};
use rtmpscope::Report;

fn report(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("analyze")
}

fn check(name: &str, rules: &str) -> CheckReport {
    let rules = RuleSet::from_toml(rules).expect("rules");
    evaluate(&report(name), &rules)
}

fn find<'a>(check: &'a CheckReport, key: &str) -> &'a RuleResult {
    check
        .results
        .iter()
        .find(|r| r.rule.key() == key)
        .unwrap_or_else(|| panic!("no result for {key}: {check:#?}"))
}

const PUBLISH_RULES: &str = r#"
no_decode_errors = true
no_diagnostic_at_or_above = "warning"
publish = "stream"
video_codec = "h264"
audio_codec = "aac"
resolution = "640x360"
min_fps = 29
max_fps = 31
min_video_kbps = 500
max_video_kbps = 1200
min_audio_kbps = 100
max_keyframe_interval_s = 2.5
no_timestamp_regressions = true
max_startup_latency_ms = 1000
closed_cleanly = true
command_result = ["connect", "createStream"]
"#;

#[test]
fn ffmpeg_publish_passes_and_measures() {
    let c = check("nginx-ffmpeg-publish.pcap", PUBLISH_RULES);
    assert!(c.passed(false), "{c:#?}");
    assert_eq!(c.file.as_deref(), Some("nginx-ffmpeg-publish.pcap"));
    // resolution expands to four bounds.
    assert_eq!(c.results.len(), 19);
    let video = find(&c, "video_codec");
    assert_eq!(video.measured, "avc1");
    assert_eq!(video.target.to_string(), "conn 0 stream 1 'stream'");
    assert_eq!(find(&c, "audio_codec").measured, "mp4a");
    // ffmpeg -g 60 at 30 fps: a keyframe every 2 s.
    assert_eq!(find(&c, "max_keyframe_interval_s").value, Some(2.0));
    let fps = find(&c, "min_fps").value.expect("fps");
    assert!((fps - 30.0).abs() < 0.1, "{fps}");
    // -b:v 800k, -b:a 128k.
    let kbps = find(&c, "min_video_kbps").value.expect("kbps");
    assert!((700.0..900.0).contains(&kbps), "{kbps}");
    let kbps = find(&c, "min_audio_kbps").value.expect("kbps");
    assert!((110.0..140.0).contains(&kbps), "{kbps}");
    assert_eq!(find(&c, "min_width").value, Some(640.0));
    let startup = find(&c, "max_startup_latency_ms");
    assert!(startup.value.is_some_and(|ms| ms > 50.0 && ms < 500.0));
    assert!(startup
        .detail
        .as_deref()
        .unwrap_or("")
        .contains("NetStream.Publish.Start"));
    assert!(find(&c, "command_result")
        .measured
        .contains("connect: _result"));
    assert_eq!(find(&c, "publish").target.to_string(), "capture");
}

#[test]
fn failures_say_what_was_measured() {
    let c = check(
        "nginx-ffmpeg-publish.pcap",
        "max_keyframe_interval_s = 1.5\nvideo_codec = [\"hvc1\", \"av1\"]\nmax_fps = 25\npublish = \"other*\"",
    );
    assert!(!c.passed(true));
    assert_eq!(c.count(Outcome::Fail), 4);
    let k = find(&c, "max_keyframe_interval_s");
    assert_eq!((k.outcome, k.value), (Outcome::Fail, Some(2.0)));
    assert_eq!(k.measured, "2.000 s");
    assert!(k.detail.as_deref().unwrap_or("").contains("keyframes"));
    let v = find(&c, "video_codec");
    assert_eq!(v.measured, "avc1");
    assert_eq!(v.expected, "one of hvc1, av01");
    assert_eq!(find(&c, "publish").measured, "no publish of 'other*'");
}

#[test]
fn scopes_select_sessions_and_streams() {
    let c = check(
        "nginx-ffmpeg-publish.pcap",
        "[[scope]]\nstream = \"nope\"\nvideo_codec = \"avc1\"\n\
         [[scope]]\nconn = 0\napp = \"live\"\nvideo_codec = \"avc1\"\n\
         [[scope]]\napp = \"vod\"\nno_decode_errors = true",
    );
    assert_eq!(c.results.len(), 3);
    assert_eq!(c.results[0].outcome, Outcome::Fail);
    assert_eq!(
        c.results[0].measured,
        "no media stream matching stream=nope in the capture"
    );
    assert_eq!(c.results[1].outcome, Outcome::Pass);
    assert_eq!(c.results[2].outcome, Outcome::Fail);
    assert!(c.results[2]
        .measured
        .contains("no RTMP session matching app=vod"));
}

#[test]
fn lossy_capture_checks_like_a_clean_one() {
    let clean = check("nginx-ffmpeg-publish.pcap", PUBLISH_RULES);
    let lossy = check("nginx-ffmpeg-publish-lossy.pcap", PUBLISH_RULES);
    let outcomes = |c: &CheckReport| {
        c.results
            .iter()
            .map(|r| (r.rule.clone(), r.target.clone(), r.outcome))
            .collect::<Vec<_>>()
    };
    assert_eq!(outcomes(&clean), outcomes(&lossy));
    assert_eq!(
        find(&lossy, "no_decode_errors").measured,
        "0 damaged, 0 undecodable message(s), 0 error diagnostic(s)"
    );
}

#[test]
fn snap200_capture_fails_with_reasons() {
    let c = check("nginx-ffmpeg-publish-snap200.pcap", PUBLISH_RULES);
    assert!(!c.passed(true));
    let d = find(&c, "no_decode_errors");
    assert_eq!(d.outcome, Outcome::Fail);
    assert!(d.measured.contains("damaged"), "{}", d.measured);
    assert!(d.detail.as_deref().unwrap_or("").contains("bytes missing"));
}

#[test]
fn play_capture() {
    let c = check(
        "nginx-rtmpdump-play.pcap",
        "play = \"stream\"\npublish = \"*\"\nvideo_codec = \"avc1\"\nmax_startup_latency_ms = 1000",
    );
    assert_eq!(find(&c, "play").outcome, Outcome::Pass);
    assert_eq!(find(&c, "publish").outcome, Outcome::Fail);
    assert_eq!(find(&c, "video_codec").outcome, Outcome::Pass);
    let startup = find(&c, "max_startup_latency_ms");
    assert!(startup
        .detail
        .as_deref()
        .unwrap_or("")
        .contains("first audio/video"));
}

#[test]
fn nothing_to_check_is_a_failure() {
    // A capture with no packets at all: pcap header only.
    let mut empty = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    empty.extend([0; 8]);
    empty.extend(65535u32.to_le_bytes());
    empty.extend(1u32.to_le_bytes());
    let report = rtmpscope::analyze_bytes(&empty, Default::default()).expect("empty pcap");
    let rules = RuleSet::from_toml("no_decode_errors = true\nvideo_codec = \"avc1\"\nplay = true");
    let c = evaluate(&report, &rules.expect("rules"));
    assert_eq!(c.results.len(), 3);
    assert!(!c.passed(true));
    assert!(
        c.results.iter().all(|r| r.outcome == Outcome::Fail),
        "{c:#?}"
    );
}

#[test]
fn unmeasurable_is_explicit() {
    // One keyframe and nothing after it: the interval cannot be known.
    let c = check(
        "public/twinx-65926c9-twinx.pcap",
        "max_keyframe_interval_s = 2\nmin_fps = 25",
    );
    for r in &c.results {
        assert_eq!(r.outcome, Outcome::NotMeasured, "{r:#?}");
    }
    assert!(!c.passed(false));
    assert!(c.passed(true));
    // One keyframe, then more video than the bound allows: that is a failure.
    let c = check(
        "public/twinx-65926c9-nginx.pcap",
        "max_keyframe_interval_s = 2",
    );
    let k = find(&c, "max_keyframe_interval_s");
    assert_eq!(k.outcome, Outcome::Fail);
    assert!(k.measured.starts_with("≥ 4.1"), "{}", k.measured);
}

#[test]
fn results_serialize_with_stable_keys() {
    let c = check("nginx-ffmpeg-publish.pcap", "max_keyframe_interval_s = 2.5");
    let json = serde_json::to_value(&c).expect("json");
    let r = &json["results"][0];
    assert_eq!(r["rule"]["key"], "max_keyframe_interval_s");
    assert_eq!(r["rule"]["value"], 2.5);
    assert_eq!(r["outcome"], "pass");
    assert_eq!(r["value"], 2.0);
    assert_eq!(r["target"]["conn"], 0);
    assert_eq!(r["target"]["msid"], 1);
    assert_eq!(r["target"]["stream"], "stream");
    let back: CheckReport = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, c);
    assert_eq!(back.results[0].rule, Rule::MaxKeyframeIntervalS(2.5));
}
