//! The analysis: drives the pipeline stages over a capture and builds the [`Report`].
//!
//! [`Analyzer`] is push-based: hand it the capture in pieces of any size with
//! [`Analyzer::feed`], then call [`Analyzer::finish`]. [`analyze_bytes`] and [`analyze_path`]
//! are conveniences on top; all three give the same report for the same capture.

mod analyzer;
mod describe;
mod report;
mod rtmp_stage;
mod series;
mod session;

#[cfg(not(target_arch = "wasm32"))]
pub use analyzer::analyze_path;
pub use analyzer::{analyze_bytes, Analyzer, AnalyzerOptions};
pub use describe::{describe, describe_body};
pub use report::{CaptureReport, ConnectionReport, MessageRecord, Report, SCHEMA_VERSION};
pub use rtmp_stage::Protocol;
pub use series::{BitrateBucket, BitrateSeries, PayloadKind};
pub use session::{Session, StreamInfo, StreamRole};
