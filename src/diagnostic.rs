//! Diagnostics: what a stage found wrong or noteworthy in the capture, with where it was found.
//! Stages produce them; the analysis collects them and the CLI or UI renders them once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Where in the capture a diagnostic points. Every field is optional: a capture-level problem
/// has no connection, a chunk-level one has a stream offset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// 1-based frame number.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frame: Option<u64>,
    /// Byte offset in the capture file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file_offset: Option<u64>,
    /// TCP connection index (as in `rtmpscope flows`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conn: Option<u32>,
    /// "c2s" or "s2c".
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dir: Option<String>,
    /// Byte offset in that direction's reassembled TCP stream.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream_offset: Option<u64>,
    /// Index of the RTMP message the diagnostic is about (as in `rtmpscope messages`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable identifier (`tcp.gap`, `chunk.bad_header`, `amf.truncated`, ...).
    pub code: String,
    /// A plain-language explanation for the user.
    pub text: String,
    #[serde(default)]
    pub at: Location,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, text: impl Into<String>, at: Location) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            text: text.into(),
            at,
        }
    }
}
