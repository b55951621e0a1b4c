//! Asserting on a capture from Rust code, the way a CI job of an encoder or server would.
//!
//! `cargo run --example ci_check [CAPTURE]` analyzes the capture (the bundled ffmpeg publish by
//! default), requires a publish of "stream" with H.264 video and at most 2.5 s between
//! keyframes, prints every result and exits non-zero when a requirement is not met.

use std::path::PathBuf;
use std::process::ExitCode;

use rtmpscope::check::{evaluate, Outcome, Rule, RuleSet, Scope};

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/data/nginx-ffmpeg-publish.pcap"));
    let report = match rtmpscope::analyze_path(&path) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("ci_check: {error}");
            return ExitCode::from(2);
        }
    };

    // The rules, built in code (RuleSet::from_toml reads the same from a rules file).
    let mut rules = RuleSet::default();
    let everywhere = Scope::default();
    rules.push(everywhere.clone(), Rule::NoDecodeErrors);
    rules.push(everywhere.clone(), Rule::Publish("stream".into()));
    let this_stream = Scope {
        stream: Some("stream".into()),
        ..Scope::default()
    };
    rules.push(this_stream.clone(), Rule::VideoCodec(vec!["avc1".into()]));
    rules.push(this_stream, Rule::MaxKeyframeIntervalS(2.5));

    let check = evaluate(&report, &rules);
    for r in &check.results {
        println!(
            "{:<12} {:<28} {:<24} {} (expected {})",
            r.outcome.as_str(),
            r.target.to_string(),
            r.rule.key(),
            r.measured,
            r.expected
        );
    }

    // The report itself is plain data, for assertions of your own.
    let stream = report
        .sessions
        .iter()
        .flat_map(|s| &s.streams)
        .find(|s| s.name.as_deref() == Some("stream"));
    assert!(
        stream.is_some_and(|s| s.video_messages > 0),
        "no video published to 'stream'"
    );
    let keyframe = check
        .results
        .iter()
        .find(|r| r.rule.key() == "max_keyframe_interval_s")
        .and_then(|r| r.value);
    println!("longest keyframe interval: {keyframe:?} s");

    if check.results.iter().all(|r| r.outcome == Outcome::Pass) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
