//! FLAC: the STREAMINFO metadata block (RFC 9639 8.2). Enhanced RTMP (FFmpeg) sends the bare
//! 34-byte block; the "fLaC" stream marker, a metadata block header, and the MP4 "dfLa" FullBox
//! header in front of it are skipped when present.

use super::bits::BitReader;
use super::CodecError;
use serde::{Deserialize, Serialize};

const RECORD: &str = "FLAC STREAMINFO";
const STREAMINFO_LEN: usize = 34;

/// A decoded STREAMINFO block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlacConfig {
    pub min_block_size: u16,
    pub max_block_size: u16,
    /// 0 = unknown.
    pub min_frame_size: u32,
    pub max_frame_size: u32,
    pub sample_rate: u32,
    pub channels: u8,
    pub bits_per_sample: u8,
    /// 0 = unknown (always so for a live stream).
    pub total_samples: u64,
    /// MD5 of the unencoded audio, hex; all zeros = not computed.
    pub md5: String,
}

/// Decodes a STREAMINFO block, with or without the framing in front of it.
pub fn decode_flac_config(data: &[u8]) -> Result<FlacConfig, CodecError> {
    let block = strip_framing(data);
    let mut r = BitReader::new(RECORD, block);
    let min_block_size = r.bits(16, "minimum block size")? as u16;
    let max_block_size = r.bits(16, "maximum block size")? as u16;
    let min_frame_size = r.bits(24, "minimum frame size")?;
    let max_frame_size = r.bits(24, "maximum frame size")?;
    let sample_rate = r.bits(20, "sample rate")?;
    let channels = r.u8(3, "channels")? + 1;
    let bits_per_sample = r.u8(5, "bits per sample")? + 1;
    let total_samples = r.bits_u64(36, "total samples")?;
    let mut md5 = String::with_capacity(32);
    for _ in 0..16 {
        md5.push_str(&format!("{:02x}", r.u8(8, "MD5 signature")?));
    }
    if sample_rate == 0 {
        return Err(CodecError::invalid(RECORD, "sample rate 0"));
    }
    if bits_per_sample < 4 {
        return Err(CodecError::invalid(
            RECORD,
            format!("{bits_per_sample} bits per sample (at least 4)"),
        ));
    }
    Ok(FlacConfig {
        min_block_size,
        max_block_size,
        min_frame_size,
        max_frame_size,
        sample_rate,
        channels,
        bits_per_sample,
        total_samples,
        md5,
    })
}

/// Skips "fLaC", a dfLa FullBox header (version 0, flags 0) and a STREAMINFO block header
/// (type 0, length 34), each only where it is present.
fn strip_framing(data: &[u8]) -> &[u8] {
    let mut rest = data.strip_prefix(b"fLaC").unwrap_or(data);
    if rest.len() >= 4 + 4 + STREAMINFO_LEN && rest.starts_with(&[0, 0, 0, 0]) {
        rest = rest.get(4..).unwrap_or(rest);
    }
    match rest {
        [kind, 0, 0, 34, block @ ..] if kind & 0x7f == 0 && block.len() >= STREAMINFO_LEN => block,
        _ => rest,
    }
}

impl FlacConfig {
    pub fn summary(&self) -> String {
        format!(
            "FLAC, {} Hz, {} ch, {}-bit",
            self.sample_rate, self.channels, self.bits_per_sample
        )
    }
}
