//! Evaluating a [`RuleSet`] against a [`Report`]: targets in scope, then one finding each.

use std::collections::BTreeMap;

use crate::analysis::{Session, StreamInfo, StreamRole};
use crate::Report;

use super::facts::{gather, StreamFacts};
use super::outcome::{CheckReport, Outcome, RuleResult, Target};
use super::rules::{Rule, RuleLevel, Scope};
use super::ruleset::{RuleSet, ScopedRule};
use super::{session_rules, stream_rules};

/// What a rule found on one target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub outcome: Outcome,
    pub measured: String,
    pub value: Option<f64>,
    pub detail: Option<String>,
}

impl Finding {
    pub fn new(pass: bool, measured: impl Into<String>) -> Self {
        Finding {
            outcome: if pass { Outcome::Pass } else { Outcome::Fail },
            measured: measured.into(),
            value: None,
            detail: None,
        }
    }

    pub fn fail(measured: impl Into<String>) -> Self {
        Finding::new(false, measured)
    }

    pub fn not_measured(why: impl Into<String>) -> Self {
        Finding {
            outcome: Outcome::NotMeasured,
            ..Finding::new(false, why)
        }
    }

    pub fn value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn maybe_detail(mut self, detail: Option<String>) -> Self {
        self.detail = detail;
        self
    }
}

/// A stream a rule looks at, with everything known about it.
pub(crate) struct StreamView<'a> {
    pub report: &'a Report,
    pub session: &'a Session,
    pub stream: &'a StreamInfo,
    pub facts: &'a StreamFacts,
}

/// Evaluates every rule on every session and stream in its scope.
///
/// ```
/// use rtmpscope::check::{evaluate, Outcome, RuleSet};
///
/// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
/// let report = rtmpscope::analyze_bytes(&capture, Default::default())?;
/// let rules = RuleSet::from_toml("publish = \"stream\"\nvideo_codec = \"avc1\"")?;
/// let results = evaluate(&report, &rules);
/// assert!(results.passed(false));
/// assert_eq!(results.results[1].measured, "avc1");
/// assert_eq!(results.results[1].outcome, Outcome::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(report: &Report, rules: &RuleSet) -> CheckReport {
    let empty = StreamFacts::default();
    let facts = gather(report);
    let mut results = Vec::new();
    for scoped in &rules.rules {
        let mut push = |target: Target, finding: Finding| {
            results.push(RuleResult {
                rule: scoped.rule.clone(),
                scope: scoped.scope.clone(),
                expected: scoped.rule.expected(),
                target,
                outcome: finding.outcome,
                measured: finding.measured,
                value: finding.value,
                detail: finding.detail,
            })
        };
        match scoped.rule.level() {
            RuleLevel::Capture => push(Target::default(), started(report, scoped, &facts, &empty)),
            RuleLevel::Session => {
                let sessions = sessions_in_scope(report, &scoped.scope);
                if sessions.is_empty() {
                    push(Target::default(), nothing_in_scope("RTMP session", scoped));
                }
                for session in sessions {
                    let target = Target {
                        conn: Some(session.conn),
                        ..Target::default()
                    };
                    push(
                        target,
                        session_rules::evaluate(&scoped.rule, report, session),
                    );
                }
            }
            RuleLevel::Stream => {
                let streams = streams_in_scope(report, &scoped.scope);
                if streams.is_empty() {
                    push(Target::default(), nothing_in_scope("media stream", scoped));
                }
                for (session, stream) in streams {
                    let view = StreamView {
                        report,
                        session,
                        stream,
                        facts: facts.get(&(session.conn, stream.msid)).unwrap_or(&empty),
                    };
                    push(
                        stream_target(session, stream),
                        stream_rules::evaluate(&scoped.rule, &view),
                    );
                }
            }
        }
    }
    CheckReport {
        file: report.capture.file.clone(),
        results,
    }
}

fn nothing_in_scope(what: &str, scoped: &ScopedRule) -> Finding {
    let whose = if scoped.scope.is_everything() {
        String::new()
    } else {
        format!(" matching {}", scoped.scope)
    };
    Finding::fail(format!("no {what}{whose} in the capture"))
}

fn stream_target(session: &Session, stream: &StreamInfo) -> Target {
    Target {
        conn: Some(session.conn),
        msid: Some(stream.msid),
        stream: stream.name.clone(),
    }
}

/// Sessions matching the scope; with a stream glob, those that have a matching stream.
fn sessions_in_scope<'a>(report: &'a Report, scope: &Scope) -> Vec<&'a Session> {
    report
        .sessions
        .iter()
        .filter(|s| scope.matches_session(s.conn, s.app.as_deref()))
        .filter(|s| {
            scope.stream.is_none()
                || s.streams
                    .iter()
                    .any(|st| scope.matches_stream_name(st.name.as_deref()))
        })
        .collect()
}

/// Streams that were published or played or carried media, in scope.
fn streams_in_scope<'a>(report: &'a Report, scope: &Scope) -> Vec<(&'a Session, &'a StreamInfo)> {
    report
        .sessions
        .iter()
        .filter(|s| scope.matches_session(s.conn, s.app.as_deref()))
        .flat_map(|s| s.streams.iter().map(move |st| (s, st)))
        .filter(|(_, st)| st.role.is_some() || st.audio_messages + st.video_messages > 0)
        .filter(|(_, st)| scope.matches_stream_name(st.name.as_deref()))
        .collect()
}

/// `publish` / `play`: some stream in scope with that role and a matching name started.
fn started(
    report: &Report,
    scoped: &ScopedRule,
    facts: &BTreeMap<(u32, u32), StreamFacts>,
    empty: &StreamFacts,
) -> Finding {
    let (role, glob, verb) = match &scoped.rule {
        Rule::Publish(g) => (StreamRole::Publish, g, "publish"),
        Rule::Play(g) => (StreamRole::Play, g, "play"),
        _ => return Finding::fail("not a capture rule"),
    };
    let by_name = Scope {
        stream: Some(glob.clone()),
        ..Scope::default()
    };
    let mut seen = Vec::new();
    let mut started_at = None;
    for (session, stream) in streams_in_scope(report, &scoped.scope) {
        if stream.role != Some(role) || !by_name.matches_stream_name(stream.name.as_deref()) {
            continue;
        }
        let f = facts.get(&(session.conn, stream.msid)).unwrap_or(empty);
        let refused = stream.status_codes.iter().find(|c| is_refusal(c));
        let status = match (&f.publish_start, refused) {
            (Some(_), _) => "started".to_string(),
            (None, Some(code)) => format!("refused: {code}"),
            // No status at all (e.g. only one direction captured): media flowing is the start.
            (None, None) if f.first_media.is_some() => "media flowed, no onStatus".to_string(),
            (None, None) => "never started".to_string(),
        };
        let ok = f.publish_start.is_some() || (refused.is_none() && f.first_media.is_some());
        let where_ = stream_target(session, stream);
        if ok && started_at.is_none() {
            started_at = Some(where_.to_string());
        }
        seen.push(format!("{where_}: {status}"));
    }
    match started_at {
        Some(at) => Finding::new(true, format!("{verb} on {at}")).detail(seen.join("; ")),
        None if seen.is_empty() => Finding::fail(format!("no {verb} of '{glob}'")),
        None => Finding::fail(format!("no {verb} of '{glob}' started")).detail(seen.join("; ")),
    }
}

/// onStatus codes that say a publish or play was refused or failed.
fn is_refusal(code: &str) -> bool {
    const WORDS: [&str; 8] = [
        "BadName",
        "Denied",
        "Fail",
        "NotFound",
        "Rejected",
        "Forbidden",
        "Error",
        "Invalid",
    ];
    WORDS.iter().any(|w| code.contains(w))
}
