//! Stream findings: what in a stream's analytics signals a problem, as diagnostics with a
//! stable code, the message they point at, and a plain-language explanation.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::diagnostic::{Diagnostic, Location, Severity};

use super::message_log::AllMessages;
use super::session::StreamInfo;
use super::timing::{TimestampEvent, TimestampEventKind};

/// Longest keyframe interval before players joining mid-stream wait too long for a picture;
/// the common ingest requirement (YouTube, Twitch, most CDNs ask for 2 s, accept up to 4 s).
pub const KEYFRAME_INTERVAL_MAX_S: f64 = 4.0;
/// Keyframe intervals whose longest is more than this times the shortest are irregular.
pub const KEYFRAME_IRREGULAR_RATIO: f64 = 1.5;
/// Audio and video timestamps drifting apart by more than this is heard as lip-sync error
/// (ITU-R BT.1359 finds 45 ms audio-early / 125 ms audio-late detectable; this leaves room
/// for the interleaving jitter the measurement includes).
pub const AV_DRIFT_MAX_MS: f64 = 200.0;
/// Sender speed outside 1 ± this (media seconds per capture second) ...
pub const REALTIME_TOLERANCE: f64 = 0.10;
/// ... that also built up (or lost) more than this much buffer is faster or slower than real
/// time.
pub const REALTIME_BUFFER_MS: f64 = 1000.0;
/// Measured frame rate further than this fraction from the declared one is a mismatch.
pub const FRAME_RATE_TOLERANCE: f64 = 0.10;
/// Measured audio frame interval further than this fraction from the codec's is wrong.
pub const AUDIO_CADENCE_TOLERANCE: f64 = 0.05;
/// Rate comparisons need this much media, seconds.
pub const MIN_MEASURE_S: f64 = 2.0;
/// Measured video bitrate above this multiple of the declared `videodatarate`.
pub const BITRATE_OVER_DECLARED: f64 = 1.5;

/// Builds diagnostics about one stream of connection `conn`. `messages` is the report's
/// message list (indexed by message index), for frame numbers.
pub struct StreamFindings<'a> {
    pub conn: u32,
    pub messages: AllMessages<'a>,
    pub out: Vec<Diagnostic>,
}

impl StreamFindings<'_> {
    pub(super) fn push(
        &mut self,
        severity: Severity,
        code: &str,
        text: String,
        message: Option<u64>,
    ) {
        let place = message.and_then(|i| self.messages.place(i));
        self.out.push(Diagnostic::new(
            severity,
            code,
            text,
            Location {
                conn: Some(self.conn),
                message,
                frame: place.map(|p| p.frame),
                dir: place.map(|p| p.dir.as_str().to_string()),
                ..Location::default()
            },
        ));
    }

    /// Everything about `stream`. `started` is true when the capture has the stream's start
    /// (its publish or play), so what is missing at the start really is missing.
    pub fn check(&mut self, stream: &StreamInfo, started: bool) {
        let name = stream.name.as_deref().map_or_else(
            || format!("stream {}", stream.msid),
            |n| format!("stream '{n}'"),
        );
        self.video(stream, &name, started);
        self.audio(stream, &name, started);
        self.timing(stream, &name);
    }

    fn timestamp_events(
        &mut self,
        name: &str,
        events: &[TimestampEvent],
        counts: [(&str, u64, u64); 2],
    ) {
        for (track, regressions, jumps) in counts {
            for (kind, count) in [
                (TimestampEventKind::Regression, regressions),
                (TimestampEventKind::Jump, jumps),
            ] {
                if count == 0 {
                    continue;
                }
                let Some(e) = events
                    .iter()
                    .find(|e| e.kind == kind && e.track.as_str() == track)
                else {
                    continue;
                };
                let (code, text) = match kind {
                    TimestampEventKind::Regression => (
                        "stream.timestamp_regression",
                        format!(
                            "{name}: {track} timestamps went backwards {count} time(s); first {} → {} ms{}: \
                             players drop or reorder the frames, recorders write broken files",
                            e.previous_timestamp,
                            e.timestamp,
                            if e.wrapped_24_bit {
                                " (the 24-bit timestamp field wrapped: the sender does not use extended timestamps)"
                            } else {
                                ""
                            }
                        ),
                    ),
                    TimestampEventKind::Jump => (
                        "stream.timestamp_jump",
                        format!(
                            "{name}: {track} timestamps jumped {count} time(s); first {} → {} ms ({:+.1} s, \
                             usual step {:.0} ms) while {:.0} ms passed in the capture: {}",
                            e.previous_timestamp,
                            e.timestamp,
                            e.step_ms as f64 / 1000.0,
                            e.expected_step_ms,
                            e.capture_gap_ms,
                            if (e.capture_gap_ms - e.step_ms as f64).abs() < 500.0 {
                                "the sender paused; players stall or show a gap"
                            } else {
                                "the timestamps are discontinuous; players stall, skip or lose A/V sync"
                            }
                        ),
                    ),
                };
                self.push(Severity::Warning, code, text, Some(e.message));
            }
        }
    }

    fn timing(&mut self, stream: &StreamInfo, name: &str) {
        let Some(t) = &stream.timing else {
            return;
        };
        self.timestamp_events(
            name,
            &t.events,
            [
                ("video", t.video_regressions, t.video_jumps),
                ("audio", t.audio_regressions, t.audio_jumps),
            ],
        );
        let p = &t.pacing;
        if let Some(drift) = p.av_drift_ms.filter(|d| d.abs() > AV_DRIFT_MAX_MS) {
            let leader = if drift > 0.0 { "audio" } else { "video" };
            self.push(
                Severity::Warning,
                "stream.av_drift",
                format!(
                    "{name}: audio and video timestamps drift apart by {:.0} ms over {:.1} s \
                     ({leader} runs ahead): lip sync is off and gets worse the longer the stream runs",
                    drift.abs(),
                    p.media_ms / 1000.0
                ),
                None,
            );
        }
        if let (Some(speed), Some(growth), Some(buffer)) =
            (p.speed, p.buffer_growth_ms, p.buffer_ms)
        {
            let media_s = p.media_ms / 1000.0;
            let capture_s = p.capture_ms / 1000.0;
            if speed > 1.0 + REALTIME_TOLERANCE && growth > REALTIME_BUFFER_MS {
                self.push(
                    Severity::Warning,
                    "stream.faster_than_realtime",
                    format!(
                        "{name}: {media_s:.1} s of media went out in {capture_s:.1} s ({speed:.2}x real \
                         time), ending {:.1} s ahead: the sender is not pacing (a file pushed without \
                         ffmpeg -re?); the server buffers it and viewers' latency grows",
                        buffer / 1000.0
                    ),
                    None,
                );
            } else if speed < 1.0 - REALTIME_TOLERANCE && growth < -REALTIME_BUFFER_MS {
                self.push(
                    Severity::Warning,
                    "stream.slower_than_realtime",
                    format!(
                        "{name}: only {media_s:.1} s of media in {capture_s:.1} s ({speed:.2}x real time), \
                         {:.1} s behind: the encoder or the uplink cannot keep up; players will \
                         rebuffer",
                        -growth / 1000.0
                    ),
                    None,
                );
            }
        }
    }
}
