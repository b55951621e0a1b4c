//! The media tracks of a stream: codec, decoded codec configuration and measured statistics.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::codec::{decode_audio_config, decode_video_config, CodecConfig};
use crate::rtmp::media::{video_fourcc_name, AudioTagHeader, VideoTagHeader};

use super::track_stats::{AudioStats, VideoStats};

/// The sequence headers (codec configurations) of a track.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigInfo {
    /// Sequence headers sent (repeats included).
    pub sequence_headers: u64,
    /// The first one's message.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_message: Option<u64>,
    /// The first configuration, decoded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<CodecConfig>,
    /// "H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit".
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_summary: Option<String>,
    /// Why it could not be decoded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_error: Option<String>,
    /// Later sequence headers whose bytes differ from the one before: the encoder changed its
    /// configuration mid-stream. The first such message.
    pub config_changes: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_change_message: Option<u64>,
}

impl ConfigInfo {
    /// Takes note of a sequence header; `decode` is called for the first one only.
    pub(super) fn observe(
        &mut self,
        message: u64,
        bytes: Option<&[u8]>,
        previous: &mut Option<Vec<u8>>,
        decode: impl FnOnce(&[u8]) -> Option<Result<CodecConfig, String>>,
    ) {
        self.sequence_headers += 1;
        let bytes = bytes.unwrap_or_default();
        match previous {
            None => {
                self.config_message = Some(message);
                match decode(bytes) {
                    Some(Ok(config)) => {
                        self.config_summary = Some(config.summary());
                        self.config = Some(config);
                    }
                    Some(Err(error)) => self.config_error = Some(error),
                    None => {}
                }
            }
            Some(prev) if prev.as_slice() != bytes => {
                self.config_changes += 1;
                self.first_change_message.get_or_insert(message);
            }
            Some(_) => {}
        }
        *previous = Some(bytes.to_vec());
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoTrack {
    /// "AVC", "HEVC", "AV1", "VP9", "Sorenson H.263", ...
    pub codec: String,
    /// Legacy FLV CodecID.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub codec_id: Option<u8>,
    /// Enhanced RTMP FourCC.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fourcc: Option<String>,
    #[serde(flatten)]
    pub config: ConfigInfo,
    /// From the decoded configuration.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub height: Option<u32>,
    /// The frame rate the configuration signals (H.264 VUI timing, ...), when it does.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signalled_frame_rate: Option<f64>,
    pub stats: VideoStats,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudioTrack {
    /// "AAC", "MP3", "Opus", ...
    pub codec: String,
    /// Legacy FLV SoundFormat.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sound_format: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fourcc: Option<String>,
    /// The legacy FLV tag header's rate/size/channels fields (for AAC they are fixed at
    /// 44 kHz stereo whatever the stream is: the configuration has the real values).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flv_rate_hz: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flv_sample_bits: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flv_stereo: Option<bool>,
    #[serde(flatten)]
    pub config: ConfigInfo,
    /// From the configuration when there is one, else from the FLV header.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sample_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub channels: Option<u32>,
    pub stats: AudioStats,
}

/// The codec name of an Enhanced RTMP audio FourCC.
pub fn audio_fourcc_name(fourcc: &str) -> &str {
    match fourcc {
        "mp4a" => "AAC",
        "Opus" => "Opus",
        "fLaC" => "FLAC",
        ".mp3" => "MP3",
        "ac-3" => "AC-3",
        "ec-3" => "E-AC-3",
        other => other,
    }
}

/// Builds a track's codec facts as its messages go by.
#[derive(Debug, Default)]
pub struct VideoTrackBuilder {
    pub track: VideoTrack,
    named: bool,
    previous_config: Option<Vec<u8>>,
}

impl VideoTrackBuilder {
    /// Takes note of a video message; of a multitrack one, its first track.
    pub fn observe(&mut self, message: u64, v: &VideoTagHeader) {
        let first = v.tracks().first();
        let fourcc = first.map(|t| t.fourcc).or(v.fourcc);
        if !self.named && (v.codec_id.is_some() || fourcc.is_some()) {
            self.named = true;
            self.track.codec = match first {
                Some(t) => video_fourcc_name(t.fourcc).to_string(),
                None => v.codec_name().to_string(),
            };
            self.track.codec_id = v.codec_id;
            self.track.fourcc = fourcc.map(|f| f.to_string());
        }
        // MPEG2TSSequenceStart is not a codec configuration record.
        if !v.sequence_header || v.effective_packet_type() == Some(5) {
            return;
        }
        let key = fourcc
            .map(|f| f.to_string())
            .or_else(|| v.codec_id.map(|id| id.to_string()));
        let config = first.map_or(v.config(), |t| t.config.as_ref());
        let bytes = config.map(|h| h.0.as_slice());
        self.track
            .config
            .observe(message, bytes, &mut self.previous_config, |data| {
                let key = key?;
                Some(decode_video_config(&key, data).map_err(|e| e.to_string()))
            });
    }

    pub fn finish(mut self, stats: VideoStats) -> VideoTrack {
        if let Some(config) = &self.track.config.config {
            if let Some((w, h)) = config.dimensions() {
                self.track.width = Some(w);
                self.track.height = Some(h);
            }
            self.track.signalled_frame_rate = config.frame_rate();
        }
        if self.track.codec.is_empty() {
            self.track.codec = "unknown".to_string();
        }
        self.track.stats = stats;
        self.track
    }
}

#[derive(Debug, Default)]
pub struct AudioTrackBuilder {
    pub track: AudioTrack,
    named: bool,
    /// The channel count of an Enhanced RTMP MultichannelConfig.
    multichannel_count: Option<u32>,
    previous_config: Option<Vec<u8>>,
}

impl AudioTrackBuilder {
    /// Takes note of an audio message; of a multitrack one, its first track.
    pub fn observe(&mut self, message: u64, a: &AudioTagHeader) {
        let first = a.tracks().first();
        let fourcc = first.map(|t| t.fourcc).or(a.fourcc);
        if !self.named && (a.sound_format != 9 || fourcc.is_some()) {
            self.named = true;
            let text = fourcc.map(|f| f.to_string());
            self.track.codec = match &text {
                Some(f) => audio_fourcc_name(f).to_string(),
                None => a.format_name().to_string(),
            };
            self.track.sound_format = (a.sound_format != 9).then_some(a.sound_format);
            self.track.fourcc = text;
            self.track.flv_rate_hz = a.rate_hz;
            self.track.flv_sample_bits = a.sample_bits;
            self.track.flv_stereo = a.stereo;
        }
        // MultichannelConfig (4) is a channel layout, not a codec configuration.
        if let Some(mc) = a.ex.as_ref().and_then(|ex| ex.multichannel.as_ref()) {
            self.multichannel_count = Some(u32::from(mc.channel_count));
        }
        if !a.sequence_header || a.effective_packet_type() == Some(4) {
            return;
        }
        let key = fourcc
            .map(|f| f.to_string())
            .or_else(|| (a.sound_format != 9).then(|| a.sound_format.to_string()));
        let config = first.map_or(a.config(), |t| t.config.as_ref());
        let bytes = config.map(|h| h.0.as_slice());
        self.track
            .config
            .observe(message, bytes, &mut self.previous_config, |data| {
                let key = key?;
                Some(decode_audio_config(&key, data).map_err(|e| e.to_string()))
            });
    }

    /// The frame duration the configuration implies, ms (AAC: samples per frame / core rate).
    pub fn expected_frame_ms(&self) -> Option<f64> {
        match &self.track.config.config {
            Some(CodecConfig::Aac(aac)) if aac.sample_rate > 0 => {
                let samples = aac
                    .samples_per_frame
                    .or_else(|| (1..=4).contains(&aac.audio_object_type).then_some(1024))?;
                Some(f64::from(samples) * 1000.0 / f64::from(aac.sample_rate))
            }
            _ => None,
        }
    }

    pub fn finish(mut self, stats: AudioStats) -> AudioTrack {
        let config = self.track.config.config.as_ref();
        self.track.sample_rate = config
            .and_then(CodecConfig::sample_rate)
            .or(self.track.flv_rate_hz);
        self.track.channels = config
            .and_then(CodecConfig::channels)
            .or(self.multichannel_count)
            .or(self.track.flv_stereo.map(|s| if s { 2 } else { 1 }));
        if self.track.codec.is_empty() {
            self.track.codec = "unknown".to_string();
        }
        self.track.stats = stats;
        self.track
    }
}
