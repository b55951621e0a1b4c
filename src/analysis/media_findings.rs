//! Stream findings about the media itself: keyframes, codec configuration, declared against
//! measured rates, audio cadence, what players can decode.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::codec::{ChromaFormat, CodecConfig};
use crate::diagnostic::Severity;

use super::findings::{
    StreamFindings, AUDIO_CADENCE_TOLERANCE, BITRATE_OVER_DECLARED, FRAME_RATE_TOLERANCE,
    KEYFRAME_INTERVAL_MAX_S, KEYFRAME_IRREGULAR_RATIO, MIN_MEASURE_S,
};
use super::session::StreamInfo;

impl StreamFindings<'_> {
    pub(super) fn video(&mut self, stream: &StreamInfo, name: &str, started: bool) {
        let Some(video) = &stream.video else {
            return;
        };
        self.avc_compatibility(stream, name);
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
        let timestamp = |i: u64| self.messages.place(i).map(|p| p.timestamp);
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

    pub(super) fn audio(&mut self, stream: &StreamInfo, name: &str, started: bool) {
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

    /// H.264 that only some players decode: browsers (MSE), phones and hardware decoders take
    /// Baseline/Main/High at 8-bit 4:2:0.
    fn avc_compatibility(&mut self, stream: &StreamInfo, name: &str) {
        let Some(video) = &stream.video else {
            return;
        };
        let Some(CodecConfig::Avc(avc)) = &video.config.config else {
            return;
        };
        let Some(sps) = &avc.sps else {
            return;
        };
        let common_profile = matches!(sps.profile_idc, 66 | 77 | 100);
        let common_format = sps.chroma_format == ChromaFormat::Yuv420 && sps.bit_depth_luma == 8;
        if common_profile && common_format {
            return;
        }
        self.push(
            Severity::Warning,
            "stream.codec_compatibility",
            format!(
                "{name}: the video is H.264 {} {}-bit {}: browsers (MSE), phones and most \
                 hardware decoders only play 8-bit 4:2:0 Baseline/Main/High, so many viewers get \
                 no picture; convert to 4:2:0 8-bit (yuv420p / I420) before the encoder",
                sps.profile,
                sps.bit_depth_luma,
                sps.chroma_format.as_str()
            ),
            video.config.config_message,
        );
    }
}
