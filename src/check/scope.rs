//! Scopes: which sessions and streams a rule applies to.

use serde::{Deserialize, Serialize};

use super::glob::glob_matches;
use super::rules::{describe, RuleError};

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
    /// No selector: the scope of top-level rules.
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
