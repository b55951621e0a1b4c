//! Checks for CI: rules that a capture's [`Report`](crate::Report) must satisfy.
//!
//! A [`RuleSet`] comes from a TOML rules file ([`RuleSet::from_toml`]) or `KEY=VALUE`
//! assignments ([`RuleSet::add_assignment`]); [`evaluate`] applies each rule to every session or
//! stream in its [`Scope`] and gives one [`RuleResult`] per rule per target, each with what was
//! measured and where. [`junit_xml`] renders the results for CI systems.
//!
//! A result is [`Outcome::Pass`], [`Outcome::Fail`] or [`Outcome::NotMeasured`] (the capture
//! does not show what the rule needs: no SYN for a startup latency, a single keyframe for an
//! interval). Not measured is never a pass; [`CheckReport::passed`] counts it as a failure
//! unless told otherwise. A rule whose scope matches nothing fails.
//!
//! Measurements come from the report's messages: codecs from the tag headers, frame rate,
//! bitrates, keyframe intervals and timestamp regressions from RTMP timestamps, resolution from
//! the stream's `onMetaData`, startup latency from the SYN to `NetStream.Publish.Start` (or the
//! first media of a play).
//!
//! ```
//! use rtmpscope::check::{evaluate, Outcome, RuleSet, Scope};
//!
//! let report = rtmpscope::analyze_path("tests/data/nginx-ffmpeg-publish.pcap".as_ref())?;
//! let mut rules = RuleSet::from_toml("no_decode_errors = true\npublish = \"stream\"")?;
//! rules.add_assignment(&Scope::default(), "max_keyframe_interval_s=2.5")?;
//! let check = evaluate(&report, &rules);
//! for r in &check.results {
//!     println!("{} {} {}: {}", r.outcome.as_str(), r.target, r.rule.key(), r.measured);
//! }
//! assert!(check.passed(false));
//! assert_eq!(check.results[2].value, Some(2.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod codec;
mod evaluate;
mod facts;
mod glob;
mod junit;
mod outcome;
mod rules;
mod ruleset;
mod session_rules;
mod stream_rules;

pub use evaluate::evaluate;
pub use glob::glob_matches;
pub use junit::{escape as xml_escape, junit_xml, FileCheck};
pub use outcome::{CheckReport, Outcome, RuleResult, Target};
pub use rules::{Rule, RuleError, RuleLevel, Scope, RULE_KEYS, SCOPE_KEYS};
pub use ruleset::{add_scope_assignment, split_assignment, RuleSet, ScopedRule};
