//! Rules: what a capture must show. Each rule has a stable key (used in rules files, on the
//! command line and in the results) and applies within a [`Scope`].

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;

use super::codec::{canonical_audio, canonical_video};
use super::glob::glob_matches;

/// One requirement. The serialized form is `{"key": ..., "value": ...}` with the key as in a
/// rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "key", content = "value", rename_all = "snake_case")]
pub enum Rule {
    /// No damaged or undecodable message, no error diagnostic (per session).
    NoDecodeErrors,
    /// No diagnostic of this severity or worse (per session).
    NoDiagnosticAtOrAbove(Severity),
    /// A publish of a stream whose name matches the glob started.
    Publish(String),
    /// A play of a stream whose name matches the glob started.
    Play(String),
    /// The stream's video codec is one of these (canonical names, see [`super::codec`]).
    VideoCodec(Vec<String>),
    /// The stream's audio codec is one of these.
    AudioCodec(Vec<String>),
    MinWidth(u32),
    MaxWidth(u32),
    MinHeight(u32),
    MaxHeight(u32),
    MinFps(f64),
    MaxFps(f64),
    MinVideoKbps(f64),
    MaxVideoKbps(f64),
    MinAudioKbps(f64),
    MaxAudioKbps(f64),
    /// Longest time between two keyframes, seconds of media time.
    MaxKeyframeIntervalS(f64),
    /// Largest audio/video drift, ms.
    MaxAvDriftMs(f64),
    /// Audio and video timestamps never go backwards.
    NoTimestampRegressions,
    /// TCP SYN to the stream's start (NetStream.Publish.Start, or the first media of a play).
    MaxStartupLatencyMs(f64),
    /// Every published/played stream was ended (deleteStream, FCUnpublish, an end status)
    /// and then the TCP connection closed (per session).
    ClosedCleanly,
    /// Each named command was sent and got `_result` (never `_error`, never nothing).
    CommandResult(Vec<String>),
}

/// What a rule is evaluated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    /// Once per file (in scope).
    Capture,
    /// Once per RTMP session in scope.
    Session,
    /// Once per media stream in scope.
    Stream,
}

/// Every rule key with the value it takes, for help and error messages.
pub const RULE_KEYS: &[(&str, &str)] = &[
    ("no_decode_errors", "true"),
    (
        "no_diagnostic_at_or_above",
        "\"info\" | \"warning\" | \"error\"",
    ),
    ("publish", "stream name glob"),
    ("play", "stream name glob"),
    (
        "video_codec",
        "FourCC or name, or a list (avc1, hvc1, av01, vp09, h264...)",
    ),
    (
        "audio_codec",
        "FourCC or name, or a list (mp4a/aac, Opus, .mp3...)",
    ),
    ("min_width", "pixels"),
    ("max_width", "pixels"),
    ("min_height", "pixels"),
    ("max_height", "pixels"),
    (
        "resolution",
        "\"WIDTHxHEIGHT\" (sets the four bounds above)",
    ),
    ("min_fps", "frames per second"),
    ("max_fps", "frames per second"),
    ("min_video_kbps", "kbit/s"),
    ("max_video_kbps", "kbit/s"),
    ("min_audio_kbps", "kbit/s"),
    ("max_audio_kbps", "kbit/s"),
    ("max_keyframe_interval_s", "seconds"),
    ("max_av_drift_ms", "milliseconds"),
    ("no_timestamp_regressions", "true"),
    ("max_startup_latency_ms", "milliseconds"),
    ("closed_cleanly", "true"),
    (
        "command_result",
        "command name or list (connect, createStream...)",
    ),
];

/// Keys that select a scope rather than state a rule.
pub const SCOPE_KEYS: &[&str] = &["conn", "app", "stream"];

/// Why rules could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("invalid TOML: {0}")]
    Toml(String),
    #[error("unknown rule key `{key}` (known: {})", known_keys())]
    UnknownKey { key: String },
    #[error("`{key}`: expected {expected}, got {got}")]
    BadValue {
        key: String,
        expected: String,
        got: String,
    },
    #[error("`{0}`: expected KEY=VALUE")]
    BadAssignment(String),
    #[error("`scope` must be an array of tables ([[scope]])")]
    BadScope,
}

fn known_keys() -> String {
    RULE_KEYS
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule {
    /// The rule's key, as written in a rules file.
    pub fn key(&self) -> &'static str {
        match self {
            Rule::NoDecodeErrors => "no_decode_errors",
            Rule::NoDiagnosticAtOrAbove(_) => "no_diagnostic_at_or_above",
            Rule::Publish(_) => "publish",
            Rule::Play(_) => "play",
            Rule::VideoCodec(_) => "video_codec",
            Rule::AudioCodec(_) => "audio_codec",
            Rule::MinWidth(_) => "min_width",
            Rule::MaxWidth(_) => "max_width",
            Rule::MinHeight(_) => "min_height",
            Rule::MaxHeight(_) => "max_height",
            Rule::MinFps(_) => "min_fps",
            Rule::MaxFps(_) => "max_fps",
            Rule::MinVideoKbps(_) => "min_video_kbps",
            Rule::MaxVideoKbps(_) => "max_video_kbps",
            Rule::MinAudioKbps(_) => "min_audio_kbps",
            Rule::MaxAudioKbps(_) => "max_audio_kbps",
            Rule::MaxKeyframeIntervalS(_) => "max_keyframe_interval_s",
            Rule::MaxAvDriftMs(_) => "max_av_drift_ms",
            Rule::NoTimestampRegressions => "no_timestamp_regressions",
            Rule::MaxStartupLatencyMs(_) => "max_startup_latency_ms",
            Rule::ClosedCleanly => "closed_cleanly",
            Rule::CommandResult(_) => "command_result",
        }
    }

    pub fn level(&self) -> RuleLevel {
        match self {
            Rule::Publish(_) | Rule::Play(_) => RuleLevel::Capture,
            Rule::NoDecodeErrors
            | Rule::NoDiagnosticAtOrAbove(_)
            | Rule::ClosedCleanly
            | Rule::CommandResult(_) => RuleLevel::Session,
            _ => RuleLevel::Stream,
        }
    }

    /// What the rule requires, in words: `≤ 2.5 s`, `one of avc1, hvc1`.
    pub fn expected(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            Rule::NoDecodeErrors => "no damaged or undecodable message, no error".into(),
            Rule::NoDiagnosticAtOrAbove(s) => format!("no diagnostic at {s:?} or above"),
            Rule::Publish(g) => format!("a publish of '{g}' starts"),
            Rule::Play(g) => format!("a play of '{g}' starts"),
            Rule::VideoCodec(v) | Rule::AudioCodec(v) => format!("one of {}", list(v)),
            Rule::MinWidth(n) | Rule::MinHeight(n) => format!("≥ {n} px"),
            Rule::MaxWidth(n) | Rule::MaxHeight(n) => format!("≤ {n} px"),
            Rule::MinFps(x) => format!("≥ {x} fps"),
            Rule::MaxFps(x) => format!("≤ {x} fps"),
            Rule::MinVideoKbps(x) | Rule::MinAudioKbps(x) => format!("≥ {x} kbit/s"),
            Rule::MaxVideoKbps(x) | Rule::MaxAudioKbps(x) => format!("≤ {x} kbit/s"),
            Rule::MaxKeyframeIntervalS(x) => format!("≤ {x} s"),
            Rule::MaxAvDriftMs(x) | Rule::MaxStartupLatencyMs(x) => format!("≤ {x} ms"),
            Rule::NoTimestampRegressions => "timestamps never go backwards".into(),
            Rule::ClosedCleanly => "every stream ended, then the connection closed".into(),
            Rule::CommandResult(v) => format!("_result for {}", list(v)),
        }
    }

    /// Reads one `key = value` of a rules file. `Ok(None)` for a boolean rule set to `false`
    /// (switched off); several rules for `resolution`.
    pub fn parse(key: &str, value: &toml::Value) -> Result<Vec<Rule>, RuleError> {
        let bad = |expected: &str| RuleError::BadValue {
            key: key.to_string(),
            expected: expected.to_string(),
            got: describe(value),
        };
        let number = || -> Result<f64, RuleError> {
            let n = match value {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => return Err(bad("a number")),
            };
            if n.is_finite() && n >= 0.0 {
                Ok(n)
            } else {
                Err(bad("a number ≥ 0"))
            }
        };
        let pixels = || -> Result<u32, RuleError> {
            match value {
                toml::Value::Integer(i) => u32::try_from(*i).map_err(|_| bad("a pixel count")),
                _ => Err(bad("a pixel count")),
            }
        };
        let switch = |rule: Rule| -> Result<Vec<Rule>, RuleError> {
            match value {
                toml::Value::Boolean(true) => Ok(vec![rule]),
                toml::Value::Boolean(false) => Ok(Vec::new()),
                _ => Err(bad("true or false")),
            }
        };
        let glob = || -> Result<String, RuleError> {
            match value {
                toml::Value::String(s) if !s.is_empty() => Ok(s.clone()),
                toml::Value::Boolean(true) => Ok("*".into()),
                _ => Err(bad("a stream name or glob")),
            }
        };
        let codecs = |canonical: fn(&str) -> Option<String>, what: &str| {
            let names = string_list(value).ok_or_else(|| bad(what))?;
            names
                .iter()
                .map(|n| canonical(n).ok_or_else(|| bad(what)))
                .collect::<Result<Vec<_>, _>>()
        };
        let one = |rule: Rule| Ok(vec![rule]);
        match key {
            "no_decode_errors" => switch(Rule::NoDecodeErrors),
            "no_timestamp_regressions" => switch(Rule::NoTimestampRegressions),
            "closed_cleanly" => switch(Rule::ClosedCleanly),
            "no_diagnostic_at_or_above" => {
                let severity = match value.as_str().map(str::to_ascii_lowercase).as_deref() {
                    Some("info") => Severity::Info,
                    Some("warning") => Severity::Warning,
                    Some("error") => Severity::Error,
                    _ => return Err(bad("\"info\", \"warning\" or \"error\"")),
                };
                one(Rule::NoDiagnosticAtOrAbove(severity))
            }
            "publish" => one(Rule::Publish(glob()?)),
            "play" => one(Rule::Play(glob()?)),
            "video_codec" => one(Rule::VideoCodec(codecs(
                canonical_video,
                "video codec FourCCs or names (avc1, hvc1, av01, vp09, h264, hevc...)",
            )?)),
            "audio_codec" => one(Rule::AudioCodec(codecs(
                canonical_audio,
                "audio codec FourCCs or names (mp4a/aac, Opus, .mp3/mp3, fLaC...)",
            )?)),
            "min_width" => one(Rule::MinWidth(pixels()?)),
            "max_width" => one(Rule::MaxWidth(pixels()?)),
            "min_height" => one(Rule::MinHeight(pixels()?)),
            "max_height" => one(Rule::MaxHeight(pixels()?)),
            "resolution" => {
                let (w, h) = value
                    .as_str()
                    .and_then(parse_resolution)
                    .ok_or_else(|| bad("\"WIDTHxHEIGHT\""))?;
                Ok(vec![
                    Rule::MinWidth(w),
                    Rule::MaxWidth(w),
                    Rule::MinHeight(h),
                    Rule::MaxHeight(h),
                ])
            }
            "min_fps" => one(Rule::MinFps(number()?)),
            "max_fps" => one(Rule::MaxFps(number()?)),
            "min_video_kbps" => one(Rule::MinVideoKbps(number()?)),
            "max_video_kbps" => one(Rule::MaxVideoKbps(number()?)),
            "min_audio_kbps" => one(Rule::MinAudioKbps(number()?)),
            "max_audio_kbps" => one(Rule::MaxAudioKbps(number()?)),
            "max_keyframe_interval_s" => one(Rule::MaxKeyframeIntervalS(number()?)),
            "max_av_drift_ms" => one(Rule::MaxAvDriftMs(number()?)),
            "max_startup_latency_ms" => one(Rule::MaxStartupLatencyMs(number()?)),
            "command_result" => {
                let names = string_list(value).ok_or_else(|| bad("command names"))?;
                one(Rule::CommandResult(names))
            }
            _ => Err(RuleError::UnknownKey {
                key: key.to_string(),
            }),
        }
    }
}

/// `"avc1"`, `"avc1, hvc1"` or `["avc1", "hvc1"]`; `None` when empty or not strings.
fn string_list(value: &toml::Value) -> Option<Vec<String>> {
    let names: Vec<String> = match value {
        toml::Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_string()))
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    (!names.is_empty()).then_some(names)
}

fn parse_resolution(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.trim().split_once(['x', 'X', '×'])?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "an array".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// Which sessions and streams a rule applies to. An empty scope is everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The TCP connection index of the session (as in `rtmpscope flows`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conn: Option<u32>,
    /// Glob on the session's `connect` app.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub app: Option<String>,
    /// Glob on the stream name (publish/play argument).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream: Option<String>,
}

impl Scope {
    pub fn is_everything(&self) -> bool {
        self == &Scope::default()
    }

    /// Whether a session with this connection index and app is in scope (the stream glob is
    /// not looked at).
    pub fn matches_session(&self, conn: u32, app: Option<&str>) -> bool {
        self.conn.is_none_or(|c| c == conn)
            && self
                .app
                .as_deref()
                .is_none_or(|g| glob_matches(g, app.unwrap_or("")))
    }

    /// Whether a stream name is in scope. A stream without a name matches only `*` or no glob.
    pub fn matches_stream_name(&self, name: Option<&str>) -> bool {
        match (&self.stream, name) {
            (None, _) => true,
            (Some(g), Some(name)) => glob_matches(g, name),
            (Some(g), None) => g == "*",
        }
    }

    /// Sets one selector (`conn`, `app` or `stream`). `Ok(false)` when `key` is no selector.
    pub fn set(&mut self, key: &str, value: &toml::Value) -> Result<bool, RuleError> {
        let bad = |expected: &str| RuleError::BadValue {
            key: key.to_string(),
            expected: expected.to_string(),
            got: describe(value),
        };
        match key {
            "conn" => {
                let conn = value
                    .as_integer()
                    .and_then(|i| u32::try_from(i).ok())
                    .ok_or_else(|| bad("a connection index"))?;
                self.conn = Some(conn);
            }
            "app" => self.app = Some(value.as_str().ok_or_else(|| bad("an app glob"))?.into()),
            "stream" => {
                self.stream = Some(value.as_str().ok_or_else(|| bad("a stream glob"))?.into())
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(c) = self.conn {
            parts.push(format!("conn={c}"));
        }
        if let Some(a) = &self.app {
            parts.push(format!("app={a}"));
        }
        if let Some(s) = &self.stream {
            parts.push(format!("stream={s}"));
        }
        if parts.is_empty() {
            f.write_str("everything")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}
