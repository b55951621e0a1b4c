//! Results of a check: one [`RuleResult`] per rule per session or stream it applies to.

use serde::{Deserialize, Serialize};

use super::rules::{Rule, Scope};

/// How a rule fared on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// The capture does not show what the rule needs (no SYN for a startup latency, one
    /// keyframe for an interval...). Never a pass: by default it fails the check too.
    NotMeasured,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::NotMeasured => "NOT MEASURED",
        }
    }
}

/// What a result is about: the capture, a session (by connection index) or one message stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conn: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub msid: Option<u32>,
    /// The stream name, when the target is a stream that has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.conn, self.msid) {
            (None, _) => f.write_str("capture"),
            (Some(c), None) => write!(f, "conn {c}"),
            (Some(c), Some(m)) => match &self.stream {
                Some(name) => write!(f, "conn {c} stream {m} '{name}'"),
                None => write!(f, "conn {c} stream {m}"),
            },
        }
    }
}

/// One rule evaluated on one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule key and its value, as in the rules file.
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Scope::is_everything")]
    pub scope: Scope,
    /// What the rule requires, in words.
    pub expected: String,
    pub target: Target,
    pub outcome: Outcome,
    /// What was found, in words with units (`2.002 s`, `avc1`); for a result that was not
    /// measured, why.
    pub measured: String,
    /// The number behind `measured`, for rules with a numeric bound.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<f64>,
    /// Where in the capture: messages, frames, the first offender.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

/// All results for one capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The capture's file name, when it came from a file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    pub results: Vec<RuleResult>,
}

impl CheckReport {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// Every rule passed; with `allow_unmeasured`, results that could not be measured do not
    /// count against it.
    pub fn passed(&self, allow_unmeasured: bool) -> bool {
        self.results.iter().all(|r| match r.outcome {
            Outcome::Pass => true,
            Outcome::Fail => false,
            Outcome::NotMeasured => allow_unmeasured,
        })
    }
}
