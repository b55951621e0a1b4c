//! Opus: the identification header (RFC 7845 5.1, "OpusHead"), which Enhanced RTMP sends as the
//! audio sequence start. The MP4 "dOps" box body (big-endian, version 0, no magic) is accepted too.

use super::bits::ByteReader;
use super::CodecError;
use serde::{Deserialize, Serialize};

const RECORD: &str = "OpusHead";
const MAGIC: &[u8; 8] = b"OpusHead";

/// A decoded Opus identification header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpusConfig {
    /// 1 for an OpusHead; 0 for a dOps box body.
    pub version: u8,
    pub channel_count: u8,
    /// Samples (at 48 kHz) to drop from the start of the decoded output.
    pub pre_skip: u16,
    /// The sample rate of the encoder's input (informational; Opus always decodes at 48 kHz).
    pub input_sample_rate: u32,
    /// Gain to apply on output, in dB (Q7.8 fixed point in the header).
    pub output_gain_db: f32,
    /// 0 = mono/stereo, 1 = Vorbis channel order (up to 8), 2 = ambisonics, 255 = undefined.
    pub mapping_family: u8,
    pub stream_count: Option<u8>,
    pub coupled_count: Option<u8>,
    pub channel_mapping: Vec<u8>,
}

/// Decodes an OpusHead (or a dOps box body).
pub fn decode_opus_config(data: &[u8]) -> Result<OpusConfig, CodecError> {
    let mut r = ByteReader::new(RECORD, data);
    let little_endian = data.starts_with(MAGIC);
    if little_endian {
        r.take(MAGIC.len(), "magic")?;
    } else if data.first() != Some(&0) {
        return Err(CodecError::invalid(
            RECORD,
            "neither an OpusHead (magic) nor a dOps body (version 0)",
        ));
    }
    let version = r.u8("version")?;
    // RFC 7845: the upper four bits are the major version; only major version 0 is readable.
    if little_endian && version >> 4 != 0 {
        return Err(CodecError::invalid(
            RECORD,
            format!("version {version} (major version must be 0)"),
        ));
    }
    let channel_count = r.u8("channel count")?;
    let (pre_skip, input_sample_rate, gain) = if little_endian {
        (
            r.u16_le("pre-skip")?,
            r.u32_le("input sample rate")?,
            r.u16_le("output gain")?,
        )
    } else {
        (
            r.u16("PreSkip")?,
            r.u32("InputSampleRate")?,
            r.u16("OutputGain")?,
        )
    };
    let mapping_family = r.u8("channel mapping family")?;
    if channel_count == 0 {
        return Err(CodecError::invalid(RECORD, "channel count 0"));
    }
    let mut config = OpusConfig {
        version,
        channel_count,
        pre_skip,
        input_sample_rate,
        output_gain_db: f32::from(gain as i16) / 256.0,
        mapping_family,
        stream_count: None,
        coupled_count: None,
        channel_mapping: Vec::new(),
    };
    if mapping_family == 0 {
        if channel_count > 2 {
            return Err(CodecError::invalid(
                RECORD,
                format!("{channel_count} channels with mapping family 0 (at most 2)"),
            ));
        }
        return Ok(config);
    }
    let stream_count = r.u8("stream count")?;
    let coupled_count = r.u8("coupled count")?;
    if stream_count == 0 || coupled_count > stream_count {
        return Err(CodecError::invalid(
            RECORD,
            format!("{stream_count} streams with {coupled_count} coupled"),
        ));
    }
    let mapping = r.take(usize::from(channel_count), "channel mapping")?;
    config.stream_count = Some(stream_count);
    config.coupled_count = Some(coupled_count);
    config.channel_mapping = mapping.to_vec();
    Ok(config)
}

impl OpusConfig {
    pub fn summary(&self) -> String {
        let mut text = format!(
            "Opus, {} ch, 48000 Hz (input {} Hz), pre-skip {}",
            self.channel_count, self.input_sample_rate, self.pre_skip
        );
        if self.mapping_family != 0 {
            text.push_str(&format!(", mapping family {}", self.mapping_family));
        }
        if self.output_gain_db != 0.0 {
            text.push_str(&format!(", gain {:+.2} dB", self.output_gain_db));
        }
        text
    }
}
