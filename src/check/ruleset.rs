//! A set of scoped rules, read from a TOML rules file or `KEY=VALUE` assignments.

use serde::{Deserialize, Serialize};

use super::rules::{Rule, RuleError, Scope};

/// A rule and the sessions/streams it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopedRule {
    #[serde(default, skip_serializing_if = "Scope::is_everything")]
    pub scope: Scope,
    #[serde(flatten)]
    pub rule: Rule,
}

/// The rules one check evaluates.
///
/// A rules file has rules at the top level (they apply to every session and stream) and
/// `[[scope]]` tables whose `conn`, `app` and `stream` keys narrow the rules in that table:
///
/// ```
/// use rtmpscope::check::{Rule, RuleSet};
///
/// let rules = RuleSet::from_toml(r#"
///     no_decode_errors = true
///     video_codec = ["avc1", "hvc1"]
///     max_keyframe_interval_s = 2.5
///
///     [[scope]]
///     stream = "backup*"
///     min_video_kbps = 300
/// "#)?;
/// assert_eq!(rules.rules.len(), 4);
/// assert_eq!(rules.rules[1].rule, Rule::VideoCodec(vec!["avc1".into(), "hvc1".into()]));
/// assert_eq!(rules.rules[3].scope.stream.as_deref(), Some("backup*"));
/// # Ok::<(), rtmpscope::check::RuleError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    pub rules: Vec<ScopedRule>,
}

impl RuleSet {
    /// The rules used when none are given: `no_decode_errors = true`.
    pub fn default_rules() -> RuleSet {
        RuleSet {
            rules: vec![ScopedRule {
                scope: Scope::default(),
                rule: Rule::NoDecodeErrors,
            }],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn push(&mut self, scope: Scope, rule: Rule) {
        self.rules.push(ScopedRule { scope, rule });
    }

    /// Reads a rules file. Unknown keys are errors: a misspelt rule must not pass silently.
    pub fn from_toml(text: &str) -> Result<RuleSet, RuleError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| RuleError::Toml(one_line(text, &e)))?;
        let mut set = RuleSet::default();
        let mut scopes = None;
        for (key, value) in &table {
            if key == "scope" {
                scopes = Some(value);
                continue;
            }
            set.add(&Scope::default(), key, value)?;
        }
        if let Some(scopes) = scopes {
            let tables = scopes.as_array().ok_or(RuleError::BadScope)?;
            for table in tables {
                let table = table.as_table().ok_or(RuleError::BadScope)?;
                let mut scope = Scope::default();
                for (key, value) in table {
                    scope.set(key, value)?;
                }
                for (key, value) in table {
                    if !super::rules::SCOPE_KEYS.contains(&key.as_str()) {
                        set.add(&scope, key, value)?;
                    }
                }
            }
        }
        Ok(set)
    }

    /// Adds the rule(s) of one `key = value`.
    pub fn add(&mut self, scope: &Scope, key: &str, value: &toml::Value) -> Result<(), RuleError> {
        for rule in Rule::parse(key, value)? {
            self.push(scope.clone(), rule);
        }
        Ok(())
    }

    /// Adds a command-line `KEY=VALUE`. VALUE is read as a TOML value when it is one (`2.5`,
    /// `true`, `["avc1", "hvc1"]`) and as a plain string otherwise (`avc1,hvc1`, `live/*`).
    ///
    /// ```
    /// use rtmpscope::check::{Rule, RuleSet, Scope};
    ///
    /// let mut rules = RuleSet::default();
    /// rules.add_assignment(&Scope::default(), "video_codec=h264")?;
    /// rules.add_assignment(&Scope::default(), "max_keyframe_interval_s=2.5")?;
    /// assert_eq!(rules.rules[0].rule, Rule::VideoCodec(vec!["avc1".into()]));
    /// assert_eq!(rules.rules[1].rule, Rule::MaxKeyframeIntervalS(2.5));
    /// assert!(rules.add_assignment(&Scope::default(), "max_keyframe_intervall_s=2").is_err());
    /// # Ok::<(), rtmpscope::check::RuleError>(())
    /// ```
    pub fn add_assignment(&mut self, scope: &Scope, assignment: &str) -> Result<(), RuleError> {
        let (key, value) = split_assignment(assignment)?;
        self.add(scope, key, &value)
    }
}

/// A TOML error in one line: `line 3, column 7: invalid array; expected `]``.
fn one_line(text: &str, error: &toml::de::Error) -> String {
    let message = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// Splits `KEY=VALUE` and reads VALUE (see [`RuleSet::add_assignment`]).
pub fn split_assignment(assignment: &str) -> Result<(&str, toml::Value), RuleError> {
    let bad = || RuleError::BadAssignment(assignment.to_string());
    let (key, raw) = assignment.split_once('=').ok_or_else(bad)?;
    let key = key.trim();
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(bad());
    }
    let raw = raw.trim();
    let value = format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    Ok((key, value))
}

/// Reads a command-line scope selector `conn=N`, `app=GLOB` or `stream=GLOB` into `scope`.
pub fn add_scope_assignment(scope: &mut Scope, assignment: &str) -> Result<(), RuleError> {
    let (key, value) = split_assignment(assignment)?;
    let value = match (key, &value) {
        // A stream or app named like a number or `true` is still a name.
        ("app" | "stream", v) if !v.is_str() => toml::Value::String(
            assignment
                .split_once('=')
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default(),
        ),
        _ => value,
    };
    if scope.set(key, &value)? {
        Ok(())
    } else {
        Err(RuleError::BadValue {
            key: key.to_string(),
            expected: "a scope selector: conn=N, app=GLOB or stream=GLOB".into(),
            got: assignment.to_string(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn file_with_scopes() {
        let set = RuleSet::from_toml(
            r#"
            no_decode_errors = true
            closed_cleanly = false
            no_diagnostic_at_or_above = "warning"
            publish = "live*"
            resolution = "1280x720"
            command_result = "connect, createStream"

            [[scope]]
            conn = 2
            app = "live"
            audio_codec = ["aac", "opus"]
            "#,
        )
        .unwrap();
        let rules: Vec<&Rule> = set.rules.iter().map(|r| &r.rule).collect();
        assert_eq!(
            rules,
            [
                &Rule::NoDecodeErrors,
                &Rule::NoDiagnosticAtOrAbove(Severity::Warning),
                &Rule::Publish("live*".into()),
                &Rule::MinWidth(1280),
                &Rule::MaxWidth(1280),
                &Rule::MinHeight(720),
                &Rule::MaxHeight(720),
                &Rule::CommandResult(vec!["connect".into(), "createStream".into()]),
                &Rule::AudioCodec(vec!["mp4a".into(), "Opus".into()]),
            ]
        );
        let last = set.rules.last().unwrap();
        assert_eq!(last.scope.conn, Some(2));
        assert_eq!(last.scope.app.as_deref(), Some("live"));
        assert!(set.rules[0].scope.is_everything());
    }

    #[test]
    fn mistakes_are_errors() {
        let err = |text: &str| RuleSet::from_toml(text).unwrap_err().to_string();
        assert!(err("max_keyframe_interval = 2").contains("unknown rule key"));
        assert!(err("max_keyframe_interval_s = \"2s\"").contains("expected a number"));
        assert!(err("max_fps = -1").contains("≥ 0"));
        assert!(err("video_codec = \"mpeg2video\"").contains("video codec"));
        assert!(err("video_codec = []").contains("video codec"));
        assert!(err("no_decode_errors = 1").contains("true or false"));
        assert!(err("resolution = \"720p\"").contains("WIDTHxHEIGHT"));
        assert!(err("scope = 3").contains("[[scope]]"));
        assert!(err("[[scope]]\nconn = -1").contains("connection index"));
        assert!(err("[[scope]]\nstream = \"x\"\nbogus = 1").contains("unknown rule key"));
        let e = err("no_decode_errors = true\nx = [\n");
        assert!(
            e.starts_with("invalid TOML: line 3, column 1: invalid array"),
            "{e}"
        );
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn assignments() {
        let mut set = RuleSet::default();
        let all = Scope::default();
        set.add_assignment(&all, "video_codec=avc1,hvc1").unwrap();
        set.add_assignment(&all, "no_decode_errors=true").unwrap();
        set.add_assignment(&all, "min_video_kbps = 500").unwrap();
        set.add_assignment(&all, "max_av_drift_ms=80").unwrap();
        set.add_assignment(&all, "publish=live/*").unwrap();
        set.add_assignment(&all, r#"audio_codec=["aac"]"#).unwrap();
        let rules: Vec<&Rule> = set.rules.iter().map(|r| &r.rule).collect();
        assert_eq!(
            rules,
            [
                &Rule::VideoCodec(vec!["avc1".into(), "hvc1".into()]),
                &Rule::NoDecodeErrors,
                &Rule::MinVideoKbps(500.0),
                &Rule::MaxAvDriftMs(80.0),
                &Rule::Publish("live/*".into()),
                &Rule::AudioCodec(vec!["mp4a".into()]),
            ]
        );
        assert!(set.add_assignment(&all, "video_codec").is_err());
        assert!(set.add_assignment(&all, "=avc1").is_err());
        assert!(set.add_assignment(&all, "x] = 1\n[y=2").is_err());
    }

    #[test]
    fn scope_assignments() {
        let mut scope = Scope::default();
        add_scope_assignment(&mut scope, "conn=3").unwrap();
        add_scope_assignment(&mut scope, "stream=123").unwrap();
        add_scope_assignment(&mut scope, "app=live").unwrap();
        assert_eq!(scope.conn, Some(3));
        assert_eq!(scope.stream.as_deref(), Some("123"));
        assert_eq!(scope.to_string(), "conn=3 app=live stream=123");
        assert!(add_scope_assignment(&mut scope, "msid=1").is_err());
        assert!(add_scope_assignment(&mut scope, "conn=x").is_err());
        assert!(scope.matches_session(3, Some("live")));
        assert!(!scope.matches_session(2, Some("live")));
        assert!(scope.matches_stream_name(Some("123")));
        assert!(!scope.matches_stream_name(None));
    }

    #[test]
    fn rules_round_trip_through_json() {
        let set =
            RuleSet::from_toml("max_fps = 60\n[[scope]]\nstream = \"a\"\nplay = true").unwrap();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(
            json,
            r#"{"rules":[{"key":"max_fps","value":60.0},{"scope":{"stream":"a"},"key":"play","value":"*"}]}"#
        );
        assert_eq!(serde_json::from_str::<RuleSet>(&json).unwrap(), set);
    }
}
