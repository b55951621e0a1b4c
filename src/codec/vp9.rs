//! VP9: the VP codec configuration record ("vpcC", VP Codec ISO Media File Format Binding 2.2),
//! which Enhanced RTMP sends whole, FullBox version and flags included. It has no picture size:
//! that is only in the frames.

use super::bits::ByteReader;
use super::colour::{ChromaFormat, ColourInfo};
use super::CodecError;
use serde::{Deserialize, Serialize};

const RECORD: &str = "VPCodecConfigurationRecord";

/// A decoded vpcC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vp9Config {
    pub version: u8,
    pub flags: u32,
    /// VP9 profile 0..=3.
    pub profile: u8,
    /// Level as 10 x the level number (10 = 1, 11 = 1.1, 20 = 2, ...).
    pub level: u8,
    pub bit_depth: u8,
    /// 0 = 4:2:0 vertically co-sited with luma's left column, 1 = 4:2:0 co-sited with luma,
    /// 2 = 4:2:2, 3 = 4:4:4.
    pub chroma_subsampling: u8,
    pub chroma_format: ChromaFormat,
    pub colour: ColourInfo,
    pub codec_initialization_data_size: u16,
}

/// Decodes a vpcC (version 1).
pub fn decode_vp9_config(data: &[u8]) -> Result<Vp9Config, CodecError> {
    let mut r = ByteReader::new(RECORD, data);
    let version = r.u8("version")?;
    if version != 1 {
        return Err(CodecError::invalid(
            RECORD,
            format!("version {version} (only 1 is decoded)"),
        ));
    }
    let flags = r.u24("flags")?;
    let profile = r.u8("profile")?;
    let level = r.u8("level")?;
    let packed = r.u8("bitDepth/chromaSubsampling/videoFullRangeFlag")?;
    let colour_primaries = r.u8("colourPrimaries")?;
    let transfer_characteristics = r.u8("transferCharacteristics")?;
    let matrix_coefficients = r.u8("matrixCoefficients")?;
    // For VP9 the initialization data must be empty, so its bytes are not required.
    let codec_initialization_data_size = r.u16("codecInitializationDataSize")?;
    let chroma_subsampling = (packed >> 1) & 0x07;
    let chroma_format = match chroma_subsampling {
        0 | 1 => ChromaFormat::Yuv420,
        2 => ChromaFormat::Yuv422,
        3 => ChromaFormat::Yuv444,
        _ => ChromaFormat::Reserved,
    };
    Ok(Vp9Config {
        version,
        flags,
        profile,
        level,
        bit_depth: packed >> 4,
        chroma_subsampling,
        chroma_format,
        colour: ColourInfo {
            colour_primaries,
            transfer_characteristics,
            matrix_coefficients,
            full_range: packed & 1 == 1,
        },
        codec_initialization_data_size,
    })
}

impl Vp9Config {
    /// "2.0", "4.1"; "unspecified" for 0.
    pub fn level_name(&self) -> String {
        if self.level == 0 {
            "unspecified".to_string()
        } else {
            format!("{}.{}", self.level / 10, self.level % 10)
        }
    }

    pub fn summary(&self) -> String {
        let mut parts = vec![
            format!("VP9 Profile {} {}", self.profile, self.level_name()),
            format!("{} {}-bit", self.chroma_format.as_str(), self.bit_depth),
        ];
        if !self.colour.is_unspecified() || self.colour.full_range {
            parts.push(self.colour.describe());
        }
        parts.join(", ")
    }
}
