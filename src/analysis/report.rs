//! The report: plain serde data that the CLI, the web app and CI checks all read.

use serde::{Deserialize, Serialize};

use crate::capture::CaptureSummary;
use crate::diagnostic::Diagnostic;
use crate::tcp::ConnectionStats;

// Defined in its own file; re-exported here, where the analysis modules have always found it.
pub use super::record::MessageRecord;
use super::rtmp_stage::Protocol;
use super::session::Session;

/// Version of the report's JSON shape. Bumped on any change that could break a reader: a removed
/// or renamed key, or a changed meaning. Added keys do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything rtmpscope learned from one capture.
///
/// Plain serde data: what `rtmpscope summary --format json` prints reads back into it.
///
/// ```
/// use rtmpscope::Report;
///
/// let report = rtmpscope::analyze_path("tests/data/nginx-ffmpeg-publish.pcap".as_ref())?;
/// assert_eq!(report.schema_version, rtmpscope::analysis::SCHEMA_VERSION);
/// let publish = &report.sessions[0].streams[0];
/// assert_eq!(publish.video_messages, 152);
///
/// let json = serde_json::to_string(&report)?;
/// let back: Report = serde_json::from_str(&json)?;
/// assert_eq!(back.messages.len(), report.messages.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    /// `rtmpscope <version>`.
    pub generator: String,
    pub capture: CaptureReport,
    /// Every TCP connection, in Wireshark's `tcp.stream` order.
    pub connections: Vec<ConnectionReport>,
    /// One per RTMP connection, in connection order.
    pub sessions: Vec<Session>,
    /// Every RTMP message, in the order the messages completed in the capture.
    pub messages: Vec<MessageRecord>,
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
    pub protocol: Protocol,
    /// Index into `sessions` when the connection is RTMP.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub session: Option<usize>,
}
