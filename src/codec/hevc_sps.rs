//! HEVC parameter sets (ITU-T H.265 7.3.2): the SPS up to its VUI timing, and the VPS timing.
//!
//! The SPS fields before the bit depths (resolution, conformance window, chroma format) are what
//! matter most and come early. Reaching the VUI means walking scaling lists and short-term
//! reference picture sets; if that part is malformed, the early fields are still returned and the
//! problem goes in [`HevcSps::vui_error`].

use super::bits::{unescape_rbsp, BitReader};
use super::colour::{ChromaFormat, ColourInfo, Ratio};
use super::hevc::{hevc_level_name, hevc_profile_name, NAL_SPS, NAL_VPS};
use super::hevc_vui::read_sps_tail;
use super::CodecError;
use serde::{Deserialize, Serialize};

pub(crate) const SPS: &str = "HEVC SPS";
const VPS: &str = "HEVC VPS";

/// The facts from an HEVC sequence parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HevcSps {
    pub vps_id: u8,
    pub sps_id: u32,
    pub max_sub_layers: u8,
    pub general_profile_idc: u8,
    pub general_tier_high: bool,
    pub general_level_idc: u8,
    pub profile: String,
    pub level: String,
    pub chroma_format: ChromaFormat,
    pub separate_colour_plane: bool,
    /// Display size, after the conformance window.
    pub width: u32,
    pub height: u32,
    /// pic_width/height_in_luma_samples.
    pub coded_width: u32,
    pub coded_height: u32,
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    pub sample_aspect_ratio: Option<Ratio>,
    pub colour: Option<ColourInfo>,
    /// field_seq_flag: each picture is a field.
    pub field_seq: bool,
    pub timing: Option<HevcTiming>,
    /// time_scale / num_units_in_tick, halved when pictures are fields.
    pub frame_rate: Option<f64>,
    /// Why the SPS tail (after the bit depths) could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vui_error: Option<String>,
}

/// VUI or VPS timing info. In HEVC one tick is one picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HevcTiming {
    pub num_units_in_tick: u32,
    pub time_scale: u32,
}

impl HevcTiming {
    pub fn frame_rate(&self) -> Option<f64> {
        (self.num_units_in_tick > 0 && self.time_scale > 0)
            .then(|| f64::from(self.time_scale) / f64::from(self.num_units_in_tick))
    }
}

struct ProfileTierLevel {
    profile_idc: u8,
    tier_high: bool,
    compatibility: u32,
    constraints: u64,
    level_idc: u8,
}

/// profile_tier_level(1, max_sub_layers_minus1) (7.3.3).
fn read_profile_tier_level(
    r: &mut BitReader<'_>,
    max_sub_layers_minus1: u8,
) -> Result<ProfileTierLevel, CodecError> {
    r.skip(2, "general_profile_space")?;
    let tier_high = r.flag("general_tier_flag")?;
    let profile_idc = r.u8(5, "general_profile_idc")?;
    let compatibility = r.bits(32, "general_profile_compatibility_flag")?;
    let constraints = r.bits_u64(48, "general_constraint_flags")?;
    let level_idc = r.u8(8, "general_level_idc")?;
    let mut present = [(false, false); 8];
    for slot in present.iter_mut().take(usize::from(max_sub_layers_minus1)) {
        *slot = (
            r.flag("sub_layer_profile_present_flag")?,
            r.flag("sub_layer_level_present_flag")?,
        );
    }
    if max_sub_layers_minus1 > 0 {
        r.skip(
            2 * (8 - usize::from(max_sub_layers_minus1)),
            "reserved_zero_2bits",
        )?;
    }
    for &(profile, level) in present.iter().take(usize::from(max_sub_layers_minus1)) {
        if profile {
            r.skip(88, "sub_layer_profile")?;
        }
        if level {
            r.skip(8, "sub_layer_level_idc")?;
        }
    }
    Ok(ProfileTierLevel {
        profile_idc,
        tier_high,
        compatibility,
        constraints,
        level_idc,
    })
}

fn rbsp_of(nal: &[u8], expected_type: u8, record: &'static str) -> Result<Vec<u8>, CodecError> {
    let &[h0, h1, ..] = nal else {
        return Err(CodecError::invalid(
            record,
            "NAL unit shorter than its header",
        ));
    };
    let nal_type = (h0 >> 1) & 0x3f;
    if nal_type != expected_type {
        return Err(CodecError::invalid(
            record,
            format!("NAL unit type {nal_type} where {expected_type} belongs"),
        ));
    }
    let layer_id = ((h0 & 1) << 5) | (h1 >> 3);
    if layer_id != 0 {
        return Err(CodecError::invalid(
            record,
            format!("nuh_layer_id {layer_id} (only the base layer is decoded)"),
        ));
    }
    Ok(unescape_rbsp(nal.get(2..).unwrap_or_default()))
}

/// The VPS's vps_timing_info, if present (7.3.2.1).
pub(crate) fn parse_vps_timing(nal: &[u8]) -> Result<Option<HevcTiming>, CodecError> {
    let rbsp = rbsp_of(nal, NAL_VPS, VPS)?;
    let mut r = BitReader::new(VPS, &rbsp);
    r.skip(4 + 1 + 1 + 6, "vps_max_layers_minus1")?;
    let max_sub_layers_minus1 = r.u8(3, "vps_max_sub_layers_minus1")?;
    r.skip(1 + 16, "vps_reserved_0xffff_16bits")?;
    read_profile_tier_level(&mut r, max_sub_layers_minus1)?;
    let ordering_all = r.flag("vps_sub_layer_ordering_info_present_flag")?;
    let first = if ordering_all {
        0
    } else {
        max_sub_layers_minus1
    };
    for _ in first..=max_sub_layers_minus1 {
        for field in [
            "vps_max_dec_pic_buffering_minus1",
            "vps_max_num_reorder_pics",
            "vps_max_latency_increase_plus1",
        ] {
            r.ue(field)?;
        }
    }
    let max_layer_id = r.bits(6, "vps_max_layer_id")? as usize;
    let num_layer_sets_minus1 = r.ue("vps_num_layer_sets_minus1")?;
    if num_layer_sets_minus1 > 1023 {
        return Err(CodecError::OutOfRange {
            record: VPS,
            field: "vps_num_layer_sets_minus1",
            value: u64::from(num_layer_sets_minus1),
            limit: "1023",
        });
    }
    r.skip(
        num_layer_sets_minus1 as usize * (max_layer_id + 1),
        "layer_id_included_flag",
    )?;
    if !r.flag("vps_timing_info_present_flag")? {
        return Ok(None);
    }
    Ok(Some(HevcTiming {
        num_units_in_tick: r.bits(32, "vps_num_units_in_tick")?,
        time_scale: r.bits(32, "vps_time_scale")?,
    }))
}

pub(crate) fn parse_sps(nal: &[u8]) -> Result<HevcSps, CodecError> {
    let rbsp = rbsp_of(nal, NAL_SPS, SPS)?;
    let mut r = BitReader::new(SPS, &rbsp);
    let vps_id = r.u8(4, "sps_video_parameter_set_id")?;
    let max_sub_layers_minus1 = r.u8(3, "sps_max_sub_layers_minus1")?;
    r.skip(1, "sps_temporal_id_nesting_flag")?;
    let ptl = read_profile_tier_level(&mut r, max_sub_layers_minus1)?;
    let sps_id = r.ue("sps_seq_parameter_set_id")?;
    let chroma_format_idc = r.ue("chroma_format_idc")?;
    if chroma_format_idc > 3 {
        return Err(CodecError::OutOfRange {
            record: SPS,
            field: "chroma_format_idc",
            value: u64::from(chroma_format_idc),
            limit: "3",
        });
    }
    let separate_colour_plane = chroma_format_idc == 3 && r.flag("separate_colour_plane_flag")?;
    let coded_width = r.ue("pic_width_in_luma_samples")?;
    let coded_height = r.ue("pic_height_in_luma_samples")?;
    let (mut width, mut height) = (coded_width, coded_height);
    if r.flag("conformance_window_flag")? {
        // Offsets count chroma samples: SubWidthC/SubHeightC (Table 6-1).
        let chroma_array_type = if separate_colour_plane {
            0
        } else {
            chroma_format_idc
        };
        let sub_width = if matches!(chroma_array_type, 1 | 2) {
            2
        } else {
            1
        };
        let sub_height = if chroma_array_type == 1 { 2 } else { 1 };
        let mut offset = |field| -> Result<u64, CodecError> { Ok(u64::from(r.ue(field)?)) };
        let horizontal =
            (offset("conf_win_left_offset")? + offset("conf_win_right_offset")?) * sub_width;
        let vertical =
            (offset("conf_win_top_offset")? + offset("conf_win_bottom_offset")?) * sub_height;
        width = u64::from(coded_width)
            .checked_sub(horizontal)
            .and_then(|w| u32::try_from(w).ok())
            .ok_or_else(|| CodecError::invalid(SPS, "conformance window wider than the picture"))?;
        height = u64::from(coded_height)
            .checked_sub(vertical)
            .and_then(|h| u32::try_from(h).ok())
            .ok_or_else(|| {
                CodecError::invalid(SPS, "conformance window taller than the picture")
            })?;
    }
    let bit_depth_luma = bit_depth(&mut r, "bit_depth_luma_minus8")?;
    let bit_depth_chroma = bit_depth(&mut r, "bit_depth_chroma_minus8")?;
    let mut sps = HevcSps {
        vps_id,
        sps_id,
        max_sub_layers: max_sub_layers_minus1 + 1,
        general_profile_idc: ptl.profile_idc,
        general_tier_high: ptl.tier_high,
        general_level_idc: ptl.level_idc,
        profile: hevc_profile_name(ptl.profile_idc, ptl.compatibility, ptl.constraints),
        level: hevc_level_name(ptl.level_idc),
        chroma_format: ChromaFormat::from_idc(chroma_format_idc),
        separate_colour_plane,
        width,
        height,
        coded_width,
        coded_height,
        bit_depth_luma,
        bit_depth_chroma,
        sample_aspect_ratio: None,
        colour: None,
        field_seq: false,
        timing: None,
        frame_rate: None,
        vui_error: None,
    };
    if let Err(e) = read_sps_tail(&mut r, max_sub_layers_minus1, &mut sps) {
        sps.vui_error = Some(e.to_string());
    }
    Ok(sps)
}

fn bit_depth(r: &mut BitReader<'_>, field: &'static str) -> Result<u8, CodecError> {
    let minus8 = r.ue(field)?;
    if minus8 > 8 {
        return Err(CodecError::OutOfRange {
            record: SPS,
            field,
            value: u64::from(minus8),
            limit: "8",
        });
    }
    Ok(minus8 as u8 + 8)
}
