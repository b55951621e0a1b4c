//! The analysis: drives the pipeline stages over a capture and builds the [`Report`].
//!
//! [`Analyzer`] is push-based: hand it the capture in pieces of any size with
//! [`Analyzer::feed`], then call [`Analyzer::finish`]. [`analyze_bytes`] and [`analyze_path`]
//! are conveniences on top; all three give the same report for the same capture.
//!
//! Once every message is in, an analytics pass ([`AnalyticsOptions`]) fills each [`Session`]
//! (Enhanced RTMP capabilities, [`Startup`] milestones, [`AckWindow`]s, [`SessionEnd`]) and each
//! [`StreamInfo`] ([`VideoTrack`] / [`AudioTrack`] with the decoded codec configuration and
//! measured statistics, [`StreamMetadata`], [`StreamTiming`], the bitrate series), and turns
//! what signals a problem into diagnostics with `stream.*` / `session.*` codes. The thresholds
//! are the constants exported here.

mod acks;
mod analytics;
#[cfg(test)]
mod analytics_tests;
mod analyzer;
mod closing;
mod describe;
mod enhanced;
mod findings;
mod media_findings;
mod message_log;
mod metadata;
mod multitrack;
mod pacing;
mod record;
mod report;
mod rtmp_stage;
mod samples;
mod series;
mod session;
mod session_findings;
mod startup;
mod streams;
#[cfg(test)]
mod test_support;
mod timing;
mod track_stats;
mod tracks;

pub use acks::{AckVerdict, AckWindow, ACK_LATE_WINDOWS};
pub use analytics::AnalyticsOptions;
#[cfg(not(target_arch = "wasm32"))]
pub use analyzer::analyze_path;
pub use analyzer::{analyze_bytes, Analyzer, AnalyzerOptions};
pub use closing::{Closer, EndMessage, SessionEnd, TcpClose};
pub use describe::{describe, describe_body};
pub use enhanced::{EnhancedCaps, FourCcInfo};
pub use findings::{
    AUDIO_CADENCE_TOLERANCE, AV_DRIFT_MAX_MS, BITRATE_OVER_DECLARED, FRAME_RATE_TOLERANCE,
    KEYFRAME_INTERVAL_MAX_S, KEYFRAME_IRREGULAR_RATIO, MIN_MEASURE_S, REALTIME_BUFFER_MS,
    REALTIME_TOLERANCE,
};
pub use metadata::{fourcc_of_number, DeclaredCodec, StreamMetadata};
pub use multitrack::{StreamTrack, TrackKind};
pub use pacing::{BucketValues, Pacing};
pub use record::{CommandPairing, MessageRecord};
pub use report::{CaptureReport, ConnectionReport, Report, SCHEMA_VERSION};
pub use rtmp_stage::Protocol;
pub use samples::Track;
pub use series::{BitrateBucket, BitrateSeries, PayloadKind, DEFAULT_BUCKET_MS};
pub use session::{Session, StreamInfo, StreamRole};
pub use session_findings::STARTUP_SLOW_MS;
pub use startup::{Milestone, Startup};
pub use streams::StreamTiming;
pub use timing::{TimestampEvent, TimestampEventKind, MAX_TIMESTAMP_EVENTS, TIMESTAMP_JUMP_MS};
pub use track_stats::{AudioStats, FrameRef, KeyframeInterval, VideoStats};
pub use tracks::{AudioTrack, ConfigInfo, VideoTrack};
