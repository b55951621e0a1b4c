//! AV1: the AV1CodecConfigurationRecord ("av1C", AV1 ISOBMFF binding 2.3) and the sequence header
//! OBU in its configOBUs (AV1 spec 5.5).

use super::bits::{read_leb128, BitReader, ByteReader};
use super::colour::{format_rate, ChromaFormat, ColourInfo};
use super::CodecError;
use serde::{Deserialize, Serialize};

const RECORD: &str = "AV1CodecConfigurationRecord";
const SEQ: &str = "AV1 sequence header";
const OBU_SEQUENCE_HEADER: u8 = 1;

/// A decoded av1C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Av1Config {
    pub version: u8,
    pub seq_profile: u8,
    /// "Main", "High", "Professional".
    pub profile: String,
    pub seq_level_idx: u8,
    /// "2.0", "4.1", ...; "max" for seq_level_idx 31 (no level constraint).
    pub level: String,
    /// seq_tier_0: 0 = Main tier, 1 = High tier.
    pub tier: u8,
    pub high_bitdepth: bool,
    pub twelve_bit: bool,
    pub bit_depth: u8,
    pub monochrome: bool,
    pub chroma_subsampling_x: bool,
    pub chroma_subsampling_y: bool,
    pub chroma_sample_position: u8,
    pub chroma_format: ChromaFormat,
    pub initial_presentation_delay: Option<u8>,
    /// Bytes of configOBUs after the fixed 4-byte header.
    pub config_obus_len: usize,
    /// The sequence header OBU from configOBUs, if there is one.
    pub sequence_header: Option<Av1SequenceHeader>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sequence_header_error: Option<String>,
}

/// The facts from an AV1 sequence header OBU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Av1SequenceHeader {
    pub seq_profile: u8,
    pub still_picture: bool,
    pub reduced_still_picture_header: bool,
    pub operating_points: u8,
    /// Level and tier of operating point 0.
    pub seq_level_idx: u8,
    pub seq_tier: u8,
    pub timing: Option<Av1Timing>,
    /// time_scale / (num_units_in_display_tick * num_ticks_per_picture), only when the stream
    /// declares equal picture intervals.
    pub frame_rate: Option<f64>,
    pub max_frame_width: u32,
    pub max_frame_height: u32,
    pub bit_depth: u8,
    pub monochrome: bool,
    pub chroma_format: ChromaFormat,
    pub colour: ColourInfo,
    pub film_grain_params_present: bool,
}

/// timing_info().
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Av1Timing {
    pub num_units_in_display_tick: u32,
    pub time_scale: u32,
    /// Set when equal_picture_interval is: num_ticks_per_picture_minus_1 + 1.
    pub num_ticks_per_picture: Option<u64>,
}

/// Decodes an av1C.
pub fn decode_av1_config(data: &[u8]) -> Result<Av1Config, CodecError> {
    let mut r = ByteReader::new(RECORD, data);
    let first = r.u8("marker/version")?;
    if first & 0x80 == 0 {
        return Err(CodecError::invalid(RECORD, "marker bit is 0"));
    }
    let version = first & 0x7f;
    if version != 1 {
        return Err(CodecError::invalid(
            RECORD,
            format!("version {version} (only 1 is defined)"),
        ));
    }
    let b1 = r.u8("seq_profile/seq_level_idx_0")?;
    let b2 = r.u8("seq_tier_0/chroma flags")?;
    let b3 = r.u8("initial_presentation_delay")?;
    let (seq_profile, seq_level_idx) = (b1 >> 5, b1 & 0x1f);
    let bit = |n: u8| b2 & (0x80 >> n) != 0;
    let (high_bitdepth, twelve_bit, monochrome) = (bit(1), bit(2), bit(3));
    let (chroma_subsampling_x, chroma_subsampling_y) = (bit(4), bit(5));
    let config_obus = r.rest();
    let (sequence_header, sequence_header_error) = match find_sequence_header(config_obus) {
        Ok(Some(obu)) => match parse_sequence_header(obu) {
            Ok(header) => (Some(header), None),
            Err(e) => (None, Some(e.to_string())),
        },
        Ok(None) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Av1Config {
        version,
        seq_profile,
        profile: av1_profile_name(seq_profile),
        seq_level_idx,
        level: av1_level_name(seq_level_idx),
        tier: u8::from(bit(0)),
        high_bitdepth,
        twelve_bit,
        bit_depth: bit_depth(high_bitdepth, twelve_bit),
        monochrome,
        chroma_subsampling_x,
        chroma_subsampling_y,
        chroma_sample_position: b2 & 0x03,
        chroma_format: ChromaFormat::from_subsampling(
            monochrome,
            chroma_subsampling_x,
            chroma_subsampling_y,
        ),
        initial_presentation_delay: (b3 & 0x10 != 0).then_some((b3 & 0x0f) + 1),
        config_obus_len: config_obus.len(),
        sequence_header,
        sequence_header_error,
    })
}

fn bit_depth(high_bitdepth: bool, twelve_bit: bool) -> u8 {
    match (high_bitdepth, twelve_bit) {
        (true, true) => 12,
        (true, false) => 10,
        _ => 8,
    }
}

pub(crate) fn av1_profile_name(seq_profile: u8) -> String {
    match seq_profile {
        0 => "Main".to_string(),
        1 => "High".to_string(),
        2 => "Professional".to_string(),
        other => format!("profile {other}"),
    }
}

/// seq_level_idx to the level number of Annex A: 2 + idx / 4, minor idx % 4.
pub(crate) fn av1_level_name(seq_level_idx: u8) -> String {
    if seq_level_idx == 31 {
        "max".to_string()
    } else {
        format!("{}.{}", 2 + (seq_level_idx >> 2), seq_level_idx & 3)
    }
}

/// The payload of the first sequence header OBU in a run of OBUs.
fn find_sequence_header(obus: &[u8]) -> Result<Option<&[u8]>, CodecError> {
    let mut r = ByteReader::new("AV1 OBU", obus);
    while r.remaining() > 0 {
        let header = r.u8("obu_header")?;
        if header & 0x80 != 0 {
            return Err(CodecError::invalid("AV1 OBU", "obu_forbidden_bit is set"));
        }
        let obu_type = (header >> 3) & 0x0f;
        if header & 0x04 != 0 {
            r.u8("obu_extension_header")?;
        }
        let payload = if header & 0x02 != 0 {
            let size = read_leb128(&mut r, "obu_size")?;
            r.take(size as usize, "obu payload")?
        } else {
            r.take(r.remaining(), "obu payload")?
        };
        if obu_type == OBU_SEQUENCE_HEADER {
            return Ok(Some(payload));
        }
    }
    Ok(None)
}

/// sequence_header_obu() (5.5.1) through color_config().
fn parse_sequence_header(obu: &[u8]) -> Result<Av1SequenceHeader, CodecError> {
    let mut r = BitReader::new(SEQ, obu);
    let seq_profile = r.u8(3, "seq_profile")?;
    let still_picture = r.flag("still_picture")?;
    let reduced_still_picture_header = r.flag("reduced_still_picture_header")?;
    let mut timing = None;
    let (operating_points, seq_level_idx, seq_tier);
    if reduced_still_picture_header {
        operating_points = 1;
        seq_level_idx = r.u8(5, "seq_level_idx")?;
        seq_tier = 0;
    } else {
        let mut decoder_model_info_present = false;
        let mut buffer_delay_length = 0;
        if r.flag("timing_info_present_flag")? {
            let num_units_in_display_tick = r.bits(32, "num_units_in_display_tick")?;
            let time_scale = r.bits(32, "time_scale")?;
            let num_ticks_per_picture = if r.flag("equal_picture_interval")? {
                Some(u64::from(r.uvlc("num_ticks_per_picture_minus_1")?) + 1)
            } else {
                None
            };
            timing = Some(Av1Timing {
                num_units_in_display_tick,
                time_scale,
                num_ticks_per_picture,
            });
            decoder_model_info_present = r.flag("decoder_model_info_present_flag")?;
            if decoder_model_info_present {
                buffer_delay_length = r.bits(5, "buffer_delay_length_minus_1")? as usize + 1;
                r.skip(32 + 5 + 5, "decoder_model_info")?;
            }
        }
        let initial_display_delay_present = r.flag("initial_display_delay_present_flag")?;
        operating_points = r.u8(5, "operating_points_cnt_minus_1")? + 1;
        let (mut level0, mut tier0) = (0, 0);
        for i in 0..operating_points {
            r.skip(12, "operating_point_idc")?;
            let level = r.u8(5, "seq_level_idx")?;
            let tier = if level > 7 { r.u8(1, "seq_tier")? } else { 0 };
            if i == 0 {
                (level0, tier0) = (level, tier);
            }
            if decoder_model_info_present && r.flag("decoder_model_present_for_this_op")? {
                r.skip(2 * buffer_delay_length + 1, "operating_parameters_info")?;
            }
            if initial_display_delay_present
                && r.flag("initial_display_delay_present_for_this_op")?
            {
                r.skip(4, "initial_display_delay_minus_1")?;
            }
        }
        (seq_level_idx, seq_tier) = (level0, tier0);
    }
    let width_bits = r.bits(4, "frame_width_bits_minus_1")? + 1;
    let height_bits = r.bits(4, "frame_height_bits_minus_1")? + 1;
    let max_frame_width = u64::from(r.bits(width_bits, "max_frame_width_minus_1")?) + 1;
    let max_frame_height = u64::from(r.bits(height_bits, "max_frame_height_minus_1")?) + 1;
    skip_coding_tools(&mut r, reduced_still_picture_header)?;
    let (bit_depth, monochrome, chroma_format, colour) = read_color_config(&mut r, seq_profile)?;
    let film_grain_params_present = r.flag("film_grain_params_present")?;
    let frame_rate = timing.and_then(|t| {
        let ticks = t.num_ticks_per_picture? * u64::from(t.num_units_in_display_tick);
        (ticks > 0 && t.time_scale > 0).then(|| f64::from(t.time_scale) / ticks as f64)
    });
    Ok(Av1SequenceHeader {
        seq_profile,
        still_picture,
        reduced_still_picture_header,
        operating_points,
        seq_level_idx,
        seq_tier,
        timing,
        frame_rate,
        // At most 16 bits each, so they fit.
        max_frame_width: max_frame_width as u32,
        max_frame_height: max_frame_height as u32,
        bit_depth,
        monochrome,
        chroma_format,
        colour,
        film_grain_params_present,
    })
}

/// From frame_id_numbers_present_flag to enable_restoration.
fn skip_coding_tools(
    r: &mut BitReader<'_>,
    reduced_still_picture_header: bool,
) -> Result<(), CodecError> {
    if !reduced_still_picture_header && r.flag("frame_id_numbers_present_flag")? {
        r.skip(4 + 3, "frame_id_length")?;
    }
    r.skip(
        3,
        "use_128x128_superblock/enable_filter_intra/enable_intra_edge_filter",
    )?;
    if !reduced_still_picture_header {
        r.skip(4, "enable_interintra_compound..enable_dual_filter")?;
        let enable_order_hint = r.flag("enable_order_hint")?;
        if enable_order_hint {
            r.skip(2, "enable_jnt_comp/enable_ref_frame_mvs")?;
        }
        let force_screen_content_tools = if r.flag("seq_choose_screen_content_tools")? {
            2
        } else {
            r.u8(1, "seq_force_screen_content_tools")?
        };
        if force_screen_content_tools > 0 && !r.flag("seq_choose_integer_mv")? {
            r.skip(1, "seq_force_integer_mv")?;
        }
        if enable_order_hint {
            r.skip(3, "order_hint_bits_minus_1")?;
        }
    }
    r.skip(3, "enable_superres/enable_cdef/enable_restoration")
}

/// color_config() (5.5.2).
fn read_color_config(
    r: &mut BitReader<'_>,
    seq_profile: u8,
) -> Result<(u8, bool, ChromaFormat, ColourInfo), CodecError> {
    let high_bitdepth = r.flag("high_bitdepth")?;
    let twelve_bit = seq_profile == 2 && high_bitdepth && r.flag("twelve_bit")?;
    let bit_depth = bit_depth(high_bitdepth, twelve_bit);
    let monochrome = seq_profile != 1 && r.flag("mono_chrome")?;
    let (p, t, m) = if r.flag("color_description_present_flag")? {
        (
            r.u8(8, "color_primaries")?,
            r.u8(8, "transfer_characteristics")?,
            r.u8(8, "matrix_coefficients")?,
        )
    } else {
        (2, 2, 2)
    };
    let colour = |full_range| ColourInfo {
        colour_primaries: p,
        transfer_characteristics: t,
        matrix_coefficients: m,
        full_range,
    };
    if monochrome {
        let full_range = r.flag("color_range")?;
        return Ok((
            bit_depth,
            true,
            ChromaFormat::Monochrome,
            colour(full_range),
        ));
    }
    // BT.709 primaries with sRGB transfer and identity matrix: 4:4:4 RGB, full range.
    if (p, t, m) == (1, 13, 0) {
        r.skip(1, "separate_uv_delta_q")?;
        return Ok((bit_depth, false, ChromaFormat::Yuv444, colour(true)));
    }
    let full_range = r.flag("color_range")?;
    let (x, y) = match seq_profile {
        0 => (true, true),
        1 => (false, false),
        _ if bit_depth == 12 => {
            let x = r.flag("subsampling_x")?;
            (x, x && r.flag("subsampling_y")?)
        }
        _ => (true, false),
    };
    if x && y {
        r.skip(2, "chroma_sample_position")?;
    }
    r.skip(1, "separate_uv_delta_q")?;
    Ok((
        bit_depth,
        false,
        ChromaFormat::from_subsampling(false, x, y),
        colour(full_range),
    ))
}

impl Av1Config {
    pub fn summary(&self) -> String {
        let tier = if self.tier == 1 { ", High tier" } else { "" };
        let mut parts = vec![format!("AV1 {} {}{tier}", self.profile, self.level)];
        if let Some(seq) = &self.sequence_header {
            parts.push(format!("{}x{}", seq.max_frame_width, seq.max_frame_height));
            if let Some(fps) = seq.frame_rate {
                parts.push(format!("{} fps", format_rate(fps)));
            }
        }
        parts.push(format!(
            "{} {}-bit",
            self.chroma_format.as_str(),
            self.bit_depth
        ));
        if let Some(seq) = self
            .sequence_header
            .as_ref()
            .filter(|s| !s.colour.is_unspecified())
        {
            parts.push(seq.colour.describe());
        }
        parts.join(", ")
    }
}
