//! Codec configuration records from RTMP/FLV sequence headers, decoded into plain data.
//!
//! A publisher sends each track's decoder configuration once, before the media: the "sequence
//! header" (legacy FLV: AVC/AAC packet type 0; Enhanced RTMP: `SequenceStart`). This module turns
//! that record into what a streaming engineer asks first: which codec, profile and level, what
//! resolution, frame rate, chroma format and bit depth, what sample rate and channel count.
//!
//! The `decode_*` functions take the record alone: the bytes after the FLV tag header (for legacy
//! AVC, after the packet type and composition time; for Enhanced RTMP, after the FourCC).
//! [`video_sequence_records`] and [`audio_sequence_records`] find those records in a whole
//! message body, legacy or Enhanced RTMP (ModEx, multitrack). Everything here is pure,
//! never panics, and on hostile input stops at the end of the slice; nothing is allocated from a
//! length field beyond what the input itself backs, and lists are capped at [`MAX_LISTED`].
//!
//! Parameter sets inside a record (H.264 SPS, HEVC VPS/SPS, the AV1 sequence header OBU) are
//! decoded too. When only that inner part is broken, the record still decodes and the problem is
//! reported in its `*_error` field, so the profile and level from the record are not lost.

mod aac;
mod av1;
mod avc;
mod bits;
mod colour;
pub mod ex_tag;
mod flac;
mod flv;
mod fourcc;
mod hevc;
mod hevc_sps;
mod hevc_vui;
mod opus;
mod vp9;

pub use aac::{decode_aac_config, AacConfig};
pub use av1::{decode_av1_config, Av1Config, Av1SequenceHeader, Av1Timing};
pub use avc::{avc_level_name, avc_profile_name, decode_avc_config, AvcConfig, AvcSps, AvcTiming};
pub use colour::{ChromaFormat, ColourInfo, Ratio};
pub use flac::{decode_flac_config, FlacConfig};
pub use flv::{audio_sequence_records, video_sequence_records, SequenceRecord};
pub use fourcc::FourCc;
pub use hevc::{
    decode_hevc_config, hevc_level_name, hevc_profile_name, HevcConfig, HevcNalArray, HevcSps,
    HevcTiming,
};
pub use opus::{decode_opus_config, OpusConfig};
pub use vp9::{decode_vp9_config, Vp9Config};

use serde::{Deserialize, Serialize};

/// At most this many entries of a list inside a record (parameter sets, NAL arrays) are kept;
/// the rest are only counted.
pub const MAX_LISTED: usize = 32;

/// Why a configuration record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error(
        "{record}: truncated at byte {offset}: {field} needs {needed} byte(s), {available} left"
    )]
    Truncated {
        record: &'static str,
        field: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("{record}: the data ends inside {field}")]
    BitsExhausted {
        record: &'static str,
        field: &'static str,
    },
    #[error("{record}: exp-Golomb code for {field} is longer than 32 bits")]
    ExpGolombTooLong {
        record: &'static str,
        field: &'static str,
    },
    #[error("{record}: {field} = {value} is out of range (limit: {limit})")]
    OutOfRange {
        record: &'static str,
        field: &'static str,
        value: u64,
        limit: &'static str,
    },
    #[error("{record}: {detail}")]
    Invalid {
        record: &'static str,
        detail: String,
    },
    #[error("unknown codec {0:?}")]
    UnknownCodec(String),
}

impl CodecError {
    pub(crate) fn invalid(record: &'static str, detail: impl Into<String>) -> Self {
        CodecError::Invalid {
            record,
            detail: detail.into(),
        }
    }
}

/// The NAL units of one kind in a record: how many, and the sizes of the first [`MAX_LISTED`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NalList {
    /// NAL unit type (H.264: 7 SPS, 8 PPS, 13 SPS extension; HEVC: 32 VPS, 33 SPS, 34 PPS,
    /// 39/40 SEI).
    pub nal_unit_type: u8,
    pub count: usize,
    /// Sizes in bytes of the first [`MAX_LISTED`] units.
    pub sizes: Vec<usize>,
}

impl NalList {
    pub(crate) fn new(nal_unit_type: u8) -> Self {
        NalList {
            nal_unit_type,
            ..NalList::default()
        }
    }

    pub(crate) fn push(&mut self, size: usize) {
        self.count += 1;
        if self.sizes.len() < MAX_LISTED {
            self.sizes.push(size);
        }
    }
}

/// A decoded sequence header of any supported codec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "codec", rename_all = "lowercase")]
pub enum CodecConfig {
    Avc(AvcConfig),
    Hevc(HevcConfig),
    Av1(Av1Config),
    Vp9(Vp9Config),
    Aac(AacConfig),
    Opus(OpusConfig),
    Flac(FlacConfig),
}

impl CodecConfig {
    /// One line for a human: "H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit", "AAC LC, 44100 Hz, 1 ch".
    pub fn summary(&self) -> String {
        match self {
            CodecConfig::Avc(c) => c.summary(),
            CodecConfig::Hevc(c) => c.summary(),
            CodecConfig::Av1(c) => c.summary(),
            CodecConfig::Vp9(c) => c.summary(),
            CodecConfig::Aac(c) => c.summary(),
            CodecConfig::Opus(c) => c.summary(),
            CodecConfig::Flac(c) => c.summary(),
        }
    }

    /// The Enhanced RTMP FourCC of the codec ("avc1", "hvc1", "av01", "vp09", "mp4a", "Opus", "fLaC").
    pub fn fourcc(&self) -> &'static str {
        match self {
            CodecConfig::Avc(_) => "avc1",
            CodecConfig::Hevc(_) => "hvc1",
            CodecConfig::Av1(_) => "av01",
            CodecConfig::Vp9(_) => "vp09",
            CodecConfig::Aac(_) => "mp4a",
            CodecConfig::Opus(_) => "Opus",
            CodecConfig::Flac(_) => "fLaC",
        }
    }

    pub fn is_video(&self) -> bool {
        matches!(
            self,
            CodecConfig::Avc(_) | CodecConfig::Hevc(_) | CodecConfig::Av1(_) | CodecConfig::Vp9(_)
        )
    }

    /// Display width and height (after cropping), when the record says.
    pub fn dimensions(&self) -> Option<(u32, u32)> {
        match self {
            CodecConfig::Avc(c) => c.sps.as_ref().map(|s| (s.width, s.height)),
            CodecConfig::Hevc(c) => c.sps.as_ref().map(|s| (s.width, s.height)),
            CodecConfig::Av1(c) => c
                .sequence_header
                .as_ref()
                .map(|s| (s.max_frame_width, s.max_frame_height)),
            _ => None,
        }
    }

    /// Frames per second, when the record carries timing information.
    pub fn frame_rate(&self) -> Option<f64> {
        match self {
            CodecConfig::Avc(c) => c.sps.as_ref().and_then(|s| s.frame_rate),
            CodecConfig::Hevc(c) => c.frame_rate(),
            CodecConfig::Av1(c) => c.sequence_header.as_ref().and_then(|s| s.frame_rate),
            _ => None,
        }
    }

    /// Output sample rate in Hz (for HE-AAC the SBR rate; for Opus always 48000, the decode rate).
    pub fn sample_rate(&self) -> Option<u32> {
        match self {
            CodecConfig::Aac(c) => c.output_sample_rate(),
            CodecConfig::Opus(_) => Some(48000),
            CodecConfig::Flac(c) => Some(c.sample_rate),
            _ => None,
        }
    }

    /// Output channel count, when known.
    pub fn channels(&self) -> Option<u32> {
        match self {
            CodecConfig::Aac(c) => c.output_channels(),
            CodecConfig::Opus(c) => Some(u32::from(c.channel_count)),
            CodecConfig::Flac(c) => Some(u32::from(c.channels)),
            _ => None,
        }
    }
}

/// The FourCC that a legacy FLV video codec id stands for: 7 = AVC, 12 = HEVC (a non-standard
/// extension that Chinese CDNs and forks of nginx-rtmp/SRS use widely).
pub fn legacy_video_codec_fourcc(codec_id: u8) -> Option<&'static str> {
    match codec_id {
        7 => Some("avc1"),
        12 => Some("hvc1"),
        _ => None,
    }
}

/// The FourCC that a legacy FLV sound format stands for, when it has a configuration record:
/// only 10 = AAC does.
pub fn legacy_audio_format_fourcc(sound_format: u8) -> Option<&'static str> {
    match sound_format {
        10 => Some("mp4a"),
        _ => None,
    }
}

/// Decodes a video sequence header. `fourcc_or_codec` is the Enhanced RTMP FourCC ("avc1",
/// "hvc1", "av01", "vp09"; also "avc3"/"hev1"), a legacy FLV codec id in decimal ("7", "12"),
/// or a plain codec name ("h264", "hevc", "av1", "vp9"); matching ignores ASCII case.
pub fn decode_video_config(fourcc_or_codec: &str, data: &[u8]) -> Result<CodecConfig, CodecError> {
    let key = fourcc_or_codec.trim().to_ascii_lowercase();
    match key.as_str() {
        "avc1" | "avc3" | "7" | "h264" | "avc" => decode_avc_config(data).map(CodecConfig::Avc),
        "hvc1" | "hev1" | "12" | "hevc" | "h265" => decode_hevc_config(data).map(CodecConfig::Hevc),
        "av01" | "av1" => decode_av1_config(data).map(CodecConfig::Av1),
        "vp09" | "vp9" => decode_vp9_config(data).map(CodecConfig::Vp9),
        _ => Err(CodecError::UnknownCodec(fourcc_or_codec.to_string())),
    }
}

/// Decodes an audio sequence header. `fourcc_or_codec` is the Enhanced RTMP FourCC ("mp4a",
/// "Opus", "fLaC"), the legacy FLV sound format in decimal ("10"), or a plain codec name ("aac",
/// "opus", "flac"); matching ignores ASCII case.
pub fn decode_audio_config(fourcc_or_codec: &str, data: &[u8]) -> Result<CodecConfig, CodecError> {
    let key = fourcc_or_codec.trim().to_ascii_lowercase();
    match key.as_str() {
        "mp4a" | "10" | "aac" => decode_aac_config(data).map(CodecConfig::Aac),
        "opus" => decode_opus_config(data).map(CodecConfig::Opus),
        "flac" => decode_flac_config(data).map(CodecConfig::Flac),
        _ => Err(CodecError::UnknownCodec(fourcc_or_codec.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
