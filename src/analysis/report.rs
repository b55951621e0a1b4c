//! The report: plain serde data that the CLI, the web app and CI checks all read.

use serde::{Deserialize, Serialize};

use crate::capture::CaptureSummary;
use crate::diagnostic::Diagnostic;
use crate::tcp::ConnectionStats;

/// Version of the report's JSON shape. Bumped on any change that could break a reader: a removed
/// or renamed key, or a changed meaning. Added keys do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything rtmpscope learned from one capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// `rtmpscope <version>`.
    pub generator: String,
    pub capture: CaptureReport,
    /// Every TCP connection, in Wireshark's `tcp.stream` order.
    pub connections: Vec<ConnectionReport>,
    /// Everything worth telling the user, in capture order within each stage.
    pub diagnostics: Vec<Diagnostic>,
}

/// The capture file as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureReport {
    /// The file name, when the capture came from a file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    #[serde(flatten)]
    pub summary: CaptureSummary,
    /// Set when reading stopped early (a truncated or corrupt file): what happened and where.
    /// Everything before that point is analyzed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ended_early: Option<String>,
    /// Packets that looked like TCP but whose headers could not be decoded (fragments, cut
    /// headers); each kind is also a diagnostic.
    pub undecodable_packets: u64,
}

/// One TCP connection and what was found on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionReport {
    #[serde(flatten)]
    pub tcp: ConnectionStats,
}
