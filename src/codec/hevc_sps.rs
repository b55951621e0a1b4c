//! HEVC parameter sets (ITU-T H.265 7.3.2): the SPS up to its VUI timing, and the VPS timing.
//!
//! The SPS fields before the bit depths (resolution, conformance window, chroma format) are what
//! matter most and come early. Reaching the VUI means walking scaling lists and short-term
//! reference picture sets; if that part is malformed, the early fields are still returned and the
//! problem goes in [`HevcSps::vui_error`].

use super::bits::{unescape_rbsp, BitReader};
use super::colour::{sar_from_idc, ChromaFormat, ColourInfo, Ratio};
use super::hevc::{hevc_level_name, hevc_profile_name, NAL_SPS, NAL_VPS};
use super::CodecError;
use serde::{Deserialize, Serialize};

const SPS: &str = "HEVC SPS";
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

/// From log2_max_pic_order_cnt_lsb_minus4 to the VUI timing info.
fn read_sps_tail(
    r: &mut BitReader<'_>,
    max_sub_layers_minus1: u8,
    sps: &mut HevcSps,
) -> Result<(), CodecError> {
    let log2_max_poc_lsb = r.ue("log2_max_pic_order_cnt_lsb_minus4")? + 4;
    if log2_max_poc_lsb > 16 {
        return Err(CodecError::OutOfRange {
            record: SPS,
            field: "log2_max_pic_order_cnt_lsb_minus4",
            value: u64::from(log2_max_poc_lsb - 4),
            limit: "12",
        });
    }
    let ordering_all = r.flag("sps_sub_layer_ordering_info_present_flag")?;
    let first = if ordering_all {
        0
    } else {
        max_sub_layers_minus1
    };
    for _ in first..=max_sub_layers_minus1 {
        for field in [
            "sps_max_dec_pic_buffering_minus1",
            "sps_max_num_reorder_pics",
            "sps_max_latency_increase_plus1",
        ] {
            r.ue(field)?;
        }
    }
    for field in [
        "log2_min_luma_coding_block_size_minus3",
        "log2_diff_max_min_luma_coding_block_size",
        "log2_min_luma_transform_block_size_minus2",
        "log2_diff_max_min_luma_transform_block_size",
        "max_transform_hierarchy_depth_inter",
        "max_transform_hierarchy_depth_intra",
    ] {
        r.ue(field)?;
    }
    if r.flag("scaling_list_enabled_flag")? && r.flag("sps_scaling_list_data_present_flag")? {
        skip_scaling_list_data(r)?;
    }
    r.skip(2, "sample_adaptive_offset_enabled_flag")?;
    if r.flag("pcm_enabled_flag")? {
        r.skip(8, "pcm_sample_bit_depth")?;
        r.ue("log2_min_pcm_luma_coding_block_size_minus3")?;
        r.ue("log2_diff_max_min_pcm_luma_coding_block_size")?;
        r.skip(1, "pcm_loop_filter_disabled_flag")?;
    }
    skip_short_term_ref_pic_sets(r)?;
    if r.flag("long_term_ref_pics_present_flag")? {
        let count = bounded_ue(r, "num_long_term_ref_pics_sps", 32)?;
        r.skip(
            count as usize * (log2_max_poc_lsb as usize + 1),
            "lt_ref_pic_poc_lsb_sps",
        )?;
    }
    r.skip(2, "strong_intra_smoothing_enabled_flag")?;
    if r.flag("vui_parameters_present_flag")? {
        read_vui(r, sps)?;
    }
    Ok(())
}

fn bounded_ue(r: &mut BitReader<'_>, field: &'static str, max: u32) -> Result<u32, CodecError> {
    let value = r.ue(field)?;
    if value > max {
        return Err(CodecError::OutOfRange {
            record: SPS,
            field,
            value: u64::from(value),
            limit: "spec maximum",
        });
    }
    Ok(value)
}

/// scaling_list_data() (7.3.4).
fn skip_scaling_list_data(r: &mut BitReader<'_>) -> Result<(), CodecError> {
    for size_id in 0..4u32 {
        let step = if size_id == 3 { 3 } else { 1 };
        for _matrix_id in (0..6).step_by(step) {
            if !r.flag("scaling_list_pred_mode_flag")? {
                r.ue("scaling_list_pred_matrix_id_delta")?;
                continue;
            }
            if size_id > 1 {
                r.se("scaling_list_dc_coef_minus8")?;
            }
            for _ in 0..(1u32 << (4 + (size_id << 1))).min(64) {
                r.se("scaling_list_delta_coef")?;
            }
        }
    }
    Ok(())
}

/// num_short_term_ref_pic_sets and each st_ref_pic_set() (7.3.7), tracking NumDeltaPocs for
/// inter-set prediction.
fn skip_short_term_ref_pic_sets(r: &mut BitReader<'_>) -> Result<(), CodecError> {
    let num_sets = bounded_ue(r, "num_short_term_ref_pic_sets", 64)?;
    let mut num_delta_pocs = Vec::with_capacity(num_sets as usize);
    for idx in 0..num_sets {
        let predicted = idx != 0 && r.flag("inter_ref_pic_set_prediction_flag")?;
        let count = if predicted {
            r.skip(1, "delta_rps_sign")?;
            r.ue("abs_delta_rps_minus1")?;
            let reference = num_delta_pocs.last().copied().unwrap_or(0);
            let mut count = 0u32;
            for _ in 0..=reference {
                let used = r.flag("used_by_curr_pic_flag")?;
                if used || r.flag("use_delta_flag")? {
                    count += 1;
                }
            }
            count
        } else {
            let negative = bounded_ue(r, "num_negative_pics", 16)?;
            let positive = bounded_ue(r, "num_positive_pics", 16)?;
            for _ in 0..negative + positive {
                r.ue("delta_poc_minus1")?;
                r.skip(1, "used_by_curr_pic_flag")?;
            }
            negative + positive
        };
        num_delta_pocs.push(count.min(32));
    }
    Ok(())
}

/// vui_parameters() (E.2.1) up to the timing info.
fn read_vui(r: &mut BitReader<'_>, sps: &mut HevcSps) -> Result<(), CodecError> {
    if r.flag("aspect_ratio_info_present_flag")? {
        let idc = r.u8(8, "aspect_ratio_idc")?;
        sps.sample_aspect_ratio = if idc == 255 {
            let num = r.bits(16, "sar_width")?;
            let den = r.bits(16, "sar_height")?;
            (num > 0 && den > 0).then_some(Ratio { num, den })
        } else {
            sar_from_idc(idc)
        };
    }
    if r.flag("overscan_info_present_flag")? {
        r.skip(1, "overscan_appropriate_flag")?;
    }
    if r.flag("video_signal_type_present_flag")? {
        r.skip(3, "video_format")?;
        let full_range = r.flag("video_full_range_flag")?;
        let (p, t, m) = if r.flag("colour_description_present_flag")? {
            (
                r.u8(8, "colour_primaries")?,
                r.u8(8, "transfer_characteristics")?,
                r.u8(8, "matrix_coeffs")?,
            )
        } else {
            (2, 2, 2)
        };
        sps.colour = Some(ColourInfo {
            colour_primaries: p,
            transfer_characteristics: t,
            matrix_coefficients: m,
            full_range,
        });
    }
    if r.flag("chroma_loc_info_present_flag")? {
        r.ue("chroma_sample_loc_type_top_field")?;
        r.ue("chroma_sample_loc_type_bottom_field")?;
    }
    r.skip(1, "neutral_chroma_indication_flag")?;
    sps.field_seq = r.flag("field_seq_flag")?;
    r.skip(1, "frame_field_info_present_flag")?;
    if r.flag("default_display_window_flag")? {
        for field in [
            "def_disp_win_left_offset",
            "def_disp_win_right_offset",
            "def_disp_win_top_offset",
            "def_disp_win_bottom_offset",
        ] {
            r.ue(field)?;
        }
    }
    if r.flag("vui_timing_info_present_flag")? {
        let timing = HevcTiming {
            num_units_in_tick: r.bits(32, "vui_num_units_in_tick")?,
            time_scale: r.bits(32, "vui_time_scale")?,
        };
        let per_frame = if sps.field_seq { 2.0 } else { 1.0 };
        sps.frame_rate = timing.frame_rate().map(|fps| fps / per_frame);
        sps.timing = Some(timing);
    }
    Ok(())
}
