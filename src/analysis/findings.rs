//! Stream findings: what in a stream's analytics signals a problem, as diagnostics with a
//! stable code, the message they point at, and a plain-language explanation.

use crate::diagnostic::{Diagnostic, Location, Severity};

use super::report::MessageRecord;
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
    pub messages: &'a [MessageRecord],
    pub out: Vec<Diagnostic>,
}

impl StreamFindings<'_> {
    fn push(&mut self, severity: Severity, code: &str, text: String, message: Option<u64>) {
        let record = message.and_then(|i| self.messages.get(i as usize));
        self.out.push(Diagnostic::new(
            severity,
            code,
            text,
            Location {
                conn: Some(self.conn),
                message,
                frame: record.map(|r| r.message.frame),
                dir: record.map(|r| r.message.dir.as_str().to_string()),
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

    fn video(&mut self, stream: &StreamInfo, name: &str, started: bool) {
        let Some(video) = &stream.video else {
            return;
        };
        let s = &video.stats;
        if let Some(k) = &s.keyframe_interval {
            if k.max_s > KEYFRAME_INTERVAL_MAX_S {
                self.push(
                    Severity::Warning,
                    "stream.keyframe_interval",
                    format!(
                        "{name}: keyframe interval {:.1} s ({} frames) exceeds {KEYFRAME_INTERVAL_MAX_S} s: \
                         players joining wait up to {:.1} s for a picture, and HLS/DASH segments \
                         cannot be shorter",
                        k.max_s, k.max_frames, k.max_s
                    ),
                    Some(k.max_at_message),
                );
            } else if k.intervals >= 2
                && k.min_s > 0.0
                && k.max_s > k.min_s * KEYFRAME_IRREGULAR_RATIO
            {
                self.push(
                    Severity::Info,
                    "stream.keyframe_irregular",
                    format!(
                        "{name}: keyframe interval varies from {:.2} s to {:.2} s ({} to {} frames): \
                         the encoder adds keyframes on scene cuts or has no fixed GOP; HLS/DASH \
                         segment lengths will vary",
                        k.min_s, k.max_s, k.min_frames, k.max_frames
                    ),
                    Some(k.max_at_message),
                );
            }
        }
        if s.keyframes == 0 && s.frames > 0 && s.duration_s >= KEYFRAME_INTERVAL_MAX_S {
            self.push(
                Severity::Warning,
                "stream.no_keyframe",
                format!(
                    "{name}: {} video frames over {:.1} s and not one keyframe: no player can start \
                     decoding this stream",
                    s.frames, s.duration_s
                ),
                None,
            );
        }
        let needs_config = matches!(video.codec_id, Some(7 | 12 | 13)) || video.fourcc.is_some();
        if started && needs_config && video.config.sequence_headers == 0 && s.frames > 0 {
            self.push(
                Severity::Warning,
                "stream.no_sequence_header",
                format!(
                    "{name}: {} {} frames but no sequence header (decoder configuration): \
                     players cannot decode the video",
                    s.frames, video.codec
                ),
                None,
            );
        }
        if let Some(error) = &video.config.config_error {
            self.push(
                Severity::Warning,
                "stream.config_undecodable",
                format!("{name}: the video sequence header does not decode: {error}"),
                video.config.config_message,
            );
        }
        if video.config.config_changes > 0 {
            self.push(
                Severity::Info,
                "stream.config_changed",
                format!(
                    "{name}: the video configuration changed {} time(s) mid-stream: players must \
                     reinitialise the decoder, and some (and some recorders) fail to",
                    video.config.config_changes
                ),
                video.config.first_change_message,
            );
        }
        if let (true, Some(first), Some(key)) =
            (started, s.first_frame_message, s.first_keyframe_message)
        {
            if first < key {
                self.first_frame_not_key(name, first, key);
            }
        }
        let declared = stream.metadata.as_ref();
        if let (Some(declared), Some(measured)) =
            (declared.and_then(|m| m.frame_rate), s.frame_rate)
        {
            if declared > 0.0
                && s.duration_s >= MIN_MEASURE_S
                && ((measured - declared) / declared).abs() > FRAME_RATE_TOLERANCE
            {
                self.push(
                    Severity::Warning,
                    "stream.frame_rate_mismatch",
                    format!(
                        "{name}: onMetaData declares {declared} fps but the timestamps give \
                         {measured:.2} fps: the encoder drops frames, or the metadata is wrong"
                    ),
                    stream.metadata.as_ref().map(|m| m.message),
                );
            }
        }
        if let (Some(declared), Some(measured)) = (declared.and_then(|m| m.video_kbps), s.kbps) {
            if declared > 0.0
                && s.duration_s >= MIN_MEASURE_S
                && measured > declared * BITRATE_OVER_DECLARED
            {
                self.push(
                    Severity::Info,
                    "stream.bitrate_above_declared",
                    format!(
                        "{name}: video runs at {measured:.0} kbit/s, {:.1}x the {declared:.0} kbit/s \
                         onMetaData declares: ingest limits and player bandwidth estimates go by \
                         the declared rate",
                        measured / declared
                    ),
                    None,
                );
            }
        }
    }

    fn first_frame_not_key(&mut self, name: &str, first: u64, first_key: u64) {
        let timestamp = |i: u64| self.messages.get(i as usize).map(|r| r.message.timestamp);
        let seconds = match (timestamp(first), timestamp(first_key)) {
            (Some(a), Some(b)) => f64::from(b.wrapping_sub(a)) / 1000.0,
            _ => 0.0,
        };
        self.push(
            Severity::Info,
            "stream.starts_without_keyframe",
            format!(
                "{name}: the first video frame is not a keyframe; decoders discard frames until \
                 the first keyframe (message {first_key}, {seconds:.2} s of media later)"
            ),
            Some(first),
        );
    }

    fn audio(&mut self, stream: &StreamInfo, name: &str, started: bool) {
        let Some(audio) = &stream.audio else {
            return;
        };
        let s = &audio.stats;
        let needs_config =
            audio.sound_format == Some(10) || audio.fourcc.as_deref().is_some_and(|f| f != ".mp3");
        if started && needs_config && audio.config.sequence_headers == 0 && s.frames > 0 {
            self.push(
                Severity::Warning,
                "stream.no_sequence_header",
                format!(
                    "{name}: {} {} frames but no sequence header (AudioSpecificConfig): players \
                     cannot decode the audio",
                    s.frames, audio.codec
                ),
                None,
            );
        }
        if let Some(error) = &audio.config.config_error {
            self.push(
                Severity::Warning,
                "stream.config_undecodable",
                format!("{name}: the audio sequence header does not decode: {error}"),
                audio.config.config_message,
            );
        }
        if let (Some(measured), Some(expected)) =
            (s.frame_interval_ms, s.expected_frame_interval_ms)
        {
            if expected > 0.0
                && s.duration_s >= MIN_MEASURE_S
                && ((measured - expected) / expected).abs() > AUDIO_CADENCE_TOLERANCE
            {
                self.push(
                    Severity::Warning,
                    "stream.audio_cadence",
                    format!(
                        "{name}: audio timestamps advance {measured:.2} ms per frame, but {} frames \
                         last {expected:.2} ms: the timestamps or the signalled sample rate are \
                         wrong, and audio will drift or stutter",
                        audio.codec
                    ),
                    audio.config.config_message,
                );
            }
        }
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
