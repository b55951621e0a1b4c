//! The HEVC SPS after the bit depths (H.265 7.3.2.2.1): sub-layer ordering, scaling lists and
//! short-term reference picture sets are walked only to reach the VUI (E.2.1), which carries the
//! sample aspect ratio, colour description, field_seq_flag and timing.

use super::bits::BitReader;
use super::colour::{sar_from_idc, ColourInfo, Ratio};
use super::hevc_sps::{HevcSps, HevcTiming, SPS};
use super::CodecError;

/// From log2_max_pic_order_cnt_lsb_minus4 to the VUI timing info.
pub(crate) fn read_sps_tail(
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
