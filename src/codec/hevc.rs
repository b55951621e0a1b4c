//! H.265/HEVC: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1, "hvcC"), with its
//! first VPS and SPS decoded by [`super::hevc_sps`].

use super::bits::ByteReader;
use super::colour::{format_rate, ChromaFormat};
use super::hevc_sps::{parse_sps, parse_vps_timing};
use super::{CodecError, NalList, MAX_LISTED};
use serde::{Deserialize, Serialize};

pub use super::hevc_sps::{HevcSps, HevcTiming};

const RECORD: &str = "HEVCDecoderConfigurationRecord";
pub(crate) const NAL_VPS: u8 = 32;
pub(crate) const NAL_SPS: u8 = 33;

/// A decoded hvcC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HevcConfig {
    pub configuration_version: u8,
    pub general_profile_space: u8,
    /// general_tier_flag: false = Main tier, true = High tier.
    pub general_tier_high: bool,
    pub general_profile_idc: u8,
    pub general_profile_compatibility_flags: u32,
    /// The 48 general constraint indicator bits (progressive_source_flag at bit 47).
    pub general_constraint_indicator_flags: u64,
    pub general_level_idc: u8,
    /// "Main", "Main 10", "Main Still Picture", "Main 4:2:2 10", ...
    pub profile: String,
    /// general_level_idc / 30: "3.1", "4.0", ...
    pub level: String,
    pub min_spatial_segmentation_idc: u16,
    pub parallelism_type: u8,
    pub chroma_format: ChromaFormat,
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    /// avgFrameRate in frames per 256 seconds; 0 = unspecified (FFmpeg always writes 0).
    pub avg_frame_rate: u16,
    pub constant_frame_rate: u8,
    pub num_temporal_layers: u8,
    pub temporal_id_nested: bool,
    /// Bytes in each NAL unit's length prefix in the coded frames.
    pub nal_length_size: u8,
    /// The NAL unit arrays (VPS, SPS, PPS, SEI...), at most [`MAX_LISTED`] kept.
    pub arrays: Vec<HevcNalArray>,
    /// Timing from the first VPS, when it has vps_timing_info.
    pub vps_timing: Option<HevcTiming>,
    /// What the first SPS says.
    pub sps: Option<HevcSps>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sps_error: Option<String>,
}

/// One array of NAL units in the hvcC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HevcNalArray {
    /// All NAL units of this type are in the array (none in the stream).
    pub array_completeness: bool,
    pub units: NalList,
}

/// Decodes an hvcC.
pub fn decode_hevc_config(data: &[u8]) -> Result<HevcConfig, CodecError> {
    let mut r = ByteReader::new(RECORD, data);
    let configuration_version = r.u8("configurationVersion")?;
    // Version 0 comes from pre-standard muxers with the same layout; anything else is unknown.
    if configuration_version > 1 {
        return Err(CodecError::invalid(
            RECORD,
            format!("configurationVersion {configuration_version} (only 1 is defined)"),
        ));
    }
    let profile_byte = r.u8("general_profile_idc")?;
    let general_profile_compatibility_flags = r.u32("general_profile_compatibility_flags")?;
    let constraint_hi = u64::from(r.u16("general_constraint_indicator_flags")?);
    let constraint_lo = u64::from(r.u32("general_constraint_indicator_flags")?);
    let general_constraint_indicator_flags = constraint_hi << 32 | constraint_lo;
    let general_level_idc = r.u8("general_level_idc")?;
    let min_spatial_segmentation_idc = r.u16("min_spatial_segmentation_idc")? & 0x0fff;
    let parallelism_type = r.u8("parallelismType")? & 0x03;
    let chroma_format = ChromaFormat::from_idc(u32::from(r.u8("chromaFormat")? & 0x03));
    let bit_depth_luma = (r.u8("bitDepthLumaMinus8")? & 0x07) + 8;
    let bit_depth_chroma = (r.u8("bitDepthChromaMinus8")? & 0x07) + 8;
    let avg_frame_rate = r.u16("avgFrameRate")?;
    let flags = r.u8("lengthSizeMinusOne")?;
    let num_arrays = r.u8("numOfArrays")?;
    let mut arrays = Vec::new();
    let mut first_vps = None;
    let mut first_sps = None;
    for _ in 0..num_arrays {
        let head = r.u8("NAL_unit_type")?;
        let nal_unit_type = head & 0x3f;
        let mut units = NalList::new(nal_unit_type);
        let num_nalus = r.u16("numNalus")?;
        for _ in 0..num_nalus {
            let len = usize::from(r.u16("nalUnitLength")?);
            let nal = r.take(len, "nalUnit")?;
            if nal_unit_type == NAL_VPS {
                first_vps.get_or_insert(nal);
            } else if nal_unit_type == NAL_SPS {
                first_sps.get_or_insert(nal);
            }
            units.push(len);
        }
        if arrays.len() < MAX_LISTED {
            arrays.push(HevcNalArray {
                array_completeness: head & 0x80 != 0,
                units,
            });
        }
    }
    let profile_space = profile_byte >> 6;
    let profile_idc = profile_byte & 0x1f;
    let (sps, sps_error) = match first_sps.map(parse_sps) {
        Some(Ok(sps)) => (Some(sps), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, Some("the record carries no SPS".to_string())),
    };
    Ok(HevcConfig {
        configuration_version,
        general_profile_space: profile_space,
        general_tier_high: profile_byte & 0x20 != 0,
        general_profile_idc: profile_idc,
        general_profile_compatibility_flags,
        general_constraint_indicator_flags,
        general_level_idc,
        profile: hevc_profile_name(
            profile_idc,
            general_profile_compatibility_flags,
            general_constraint_indicator_flags,
        ),
        level: hevc_level_name(general_level_idc),
        min_spatial_segmentation_idc,
        parallelism_type,
        chroma_format,
        bit_depth_luma,
        bit_depth_chroma,
        avg_frame_rate,
        constant_frame_rate: flags >> 6,
        num_temporal_layers: (flags >> 3) & 0x07,
        temporal_id_nested: flags & 0x04 != 0,
        nal_length_size: (flags & 0x03) + 1,
        arrays,
        vps_timing: first_vps.and_then(|vps| parse_vps_timing(vps).ok().flatten()),
        sps,
        sps_error,
    })
}

/// The HEVC profile name (Annex A). A profile_idc of 0 falls back to the lowest compatibility
/// flag set. Format range extensions (4) are named from the constraint flags, as the spec does.
pub fn hevc_profile_name(
    profile_idc: u8,
    compatibility_flags: u32,
    constraint_flags: u64,
) -> String {
    let idc = if profile_idc == 0 {
        (1..32u8)
            .find(|&j| compatibility_flags & (0x8000_0000 >> j) != 0)
            .unwrap_or(0)
    } else {
        profile_idc
    };
    let name = match idc {
        1 => "Main",
        2 => "Main 10",
        3 => "Main Still Picture",
        4 => return range_extensions_name(constraint_flags),
        5 => "High Throughput",
        6 => "Multiview Main",
        7 => "Scalable Main",
        8 => "3D Main",
        9 => "Screen-Extended",
        10 => "Scalable Range Extensions",
        11 => "High Throughput Screen-Extended",
        other => return format!("profile {other}"),
    };
    name.to_string()
}

/// Names like "Main 4:2:2 10", "Main 12", "Monochrome 16", "Main 4:4:4 Intra".
fn range_extensions_name(constraint_flags: u64) -> String {
    let flag = |bit: u32| constraint_flags >> bit & 1 == 1;
    let depth = if flag(41) {
        8
    } else if flag(42) {
        10
    } else if flag(43) {
        12
    } else {
        16
    };
    let (intra, one_picture) = (flag(37), flag(36));
    let mut name = if flag(38) {
        "Monochrome".to_string()
    } else if flag(39) {
        "Main".to_string()
    } else if flag(40) {
        "Main 4:2:2".to_string()
    } else {
        "Main 4:4:4".to_string()
    };
    if depth != 8 {
        name.push_str(&format!(" {depth}"));
    }
    if one_picture {
        name.push_str(" Still Picture");
    } else if intra {
        name.push_str(" Intra");
    }
    name
}

/// general_level_idc is 30 times the level number: 93 -> "3.1", 120 -> "4.0".
pub fn hevc_level_name(level_idc: u8) -> String {
    if level_idc % 3 == 0 {
        let tenths = level_idc / 3;
        format!("{}.{}", tenths / 10, tenths % 10)
    } else {
        format!("level_idc {level_idc}")
    }
}

impl HevcConfig {
    /// Frames per second: from the SPS VUI, else the VPS timing, else avgFrameRate.
    pub fn frame_rate(&self) -> Option<f64> {
        self.sps
            .as_ref()
            .and_then(|s| s.frame_rate)
            .or_else(|| self.vps_timing.and_then(|t| t.frame_rate()))
            .or_else(|| (self.avg_frame_rate > 0).then(|| f64::from(self.avg_frame_rate) / 256.0))
    }

    pub fn summary(&self) -> String {
        let tier = if self.general_tier_high {
            ", High tier"
        } else {
            ""
        };
        let mut parts = vec![format!("H.265 {} {}{tier}", self.profile, self.level)];
        if let Some(sps) = &self.sps {
            parts.push(format!("{}x{}", sps.width, sps.height));
        }
        if let Some(fps) = self.frame_rate() {
            parts.push(format!("{} fps", format_rate(fps)));
        }
        let (chroma, depth) = match &self.sps {
            Some(sps) => (sps.chroma_format, sps.bit_depth_luma),
            None => (self.chroma_format, self.bit_depth_luma),
        };
        parts.push(format!("{} {depth}-bit", chroma.as_str()));
        if self.sps.as_ref().is_some_and(|s| s.field_seq) {
            parts.push("interlaced (field pictures)".to_string());
        }
        if self.sps.is_none() {
            parts.push("SPS not decoded".to_string());
        }
        parts.join(", ")
    }
}
