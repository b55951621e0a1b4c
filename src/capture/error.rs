//! Why a capture could not be read (or not to the end).

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Severity};

/// An error reading a capture. Every variant that points into the file carries the byte
/// `offset` of the record it is about and the 1-based `frame` number the next packet would have
/// (the packet's own number when the record is a packet record), so the user can find the spot in
/// Wireshark or a hex editor. Packets before the error were already delivered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CaptureError {
    /// The input does not start with a pcap or pcapng header.
    #[error("not a pcap or pcapng capture: {looks_like}")]
    NotACapture {
        /// What the first bytes look like instead (hex and a guess at the format).
        looks_like: String,
    },
    /// The input ended inside a record.
    #[error(
        "capture cut off at byte {offset}: the {what} starting there (frame {frame}) needs \
         {needed} bytes but only {available} are present"
    )]
    Truncated {
        offset: u64,
        frame: u64,
        what: &'static str,
        needed: u64,
        available: u64,
    },
    /// A record's structure is inconsistent.
    #[error("malformed {what} at byte {offset} (frame {frame}): {reason}")]
    Malformed {
        offset: u64,
        frame: u64,
        what: &'static str,
        reason: String,
    },
    /// A length field asks for more than [`MAX_RECORD_LEN`](super::MAX_RECORD_LEN) bytes: the file
    /// is corrupt (or not what its header says), and the record is not buffered.
    #[error(
        "{what} at byte {offset} (frame {frame}) claims {length} bytes, more than the \
         {limit}-byte limit: the file is corrupt"
    )]
    RecordTooLarge {
        offset: u64,
        frame: u64,
        what: &'static str,
        length: u64,
        limit: u64,
    },
    /// Reading the file failed (only from [`read_path`](super::read_path)).
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: Arc<std::io::Error>,
    },
}

impl CaptureError {
    /// The byte offset in the file the error points at, if any.
    pub fn offset(&self) -> Option<u64> {
        match self {
            CaptureError::Truncated { offset, .. }
            | CaptureError::Malformed { offset, .. }
            | CaptureError::RecordTooLarge { offset, .. } => Some(*offset),
            CaptureError::NotACapture { .. } | CaptureError::Io { .. } => None,
        }
    }

    /// The frame number the error points at, if any.
    pub fn frame(&self) -> Option<u64> {
        match self {
            CaptureError::Truncated { frame, .. }
            | CaptureError::Malformed { frame, .. }
            | CaptureError::RecordTooLarge { frame, .. } => Some(*frame),
            CaptureError::NotACapture { .. } | CaptureError::Io { .. } => None,
        }
    }

    /// A short stable identifier for reports (`capture.truncated`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            CaptureError::NotACapture { .. } => "capture.not_a_capture",
            CaptureError::Truncated { .. } => "capture.truncated",
            CaptureError::Malformed { .. } => "capture.malformed",
            CaptureError::RecordTooLarge { .. } => "capture.record_too_large",
            CaptureError::Io { .. } => "capture.io",
        }
    }

    /// The error as a report diagnostic. A cut-off last record is a warning (every packet
    /// before it was read); anything else stopped reading and is an error.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let severity = match self {
            CaptureError::Truncated { .. } => Severity::Warning,
            _ => Severity::Error,
        };
        let at = Location {
            frame: self.frame(),
            file_offset: self.offset(),
            ..Location::default()
        };
        Diagnostic::new(severity, self.code(), self.to_string(), at)
    }
}
