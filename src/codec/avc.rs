//! H.264: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1, "avcC") and its first SPS.
//! The SPS itself is parsed by the `h264-reader` crate.

use super::bits::{unescape_rbsp, ByteReader};
use super::colour::{format_rate, ChromaFormat, ColourInfo, Ratio};
use super::{CodecError, NalList};
use h264_reader::nal::sps::{FrameMbsFlags, SeqParameterSet};
use serde::{Deserialize, Serialize};

const RECORD: &str = "AVCDecoderConfigurationRecord";
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;
const NAL_SPS_EXT: u8 = 13;

/// A decoded avcC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvcConfig {
    /// 1 for an avcC; 0 when the sender put an Annex B byte stream (start codes) in the sequence
    /// header instead, which some encoders do and decoders tolerate.
    pub configuration_version: u8,
    pub profile_indication: u8,
    pub profile_compatibility: u8,
    pub level_indication: u8,
    /// Bytes in each NAL unit's length prefix in the coded frames (1, 2 or 4; 0 for Annex B).
    pub nal_length_size: u8,
    pub sequence_parameter_sets: NalList,
    pub picture_parameter_sets: NalList,
    /// Chroma format and bit depths from the record's extension (High profiles), when present.
    pub chroma_format: Option<ChromaFormat>,
    pub bit_depth_luma: Option<u8>,
    pub bit_depth_chroma: Option<u8>,
    pub sps_extensions: Option<NalList>,
    /// What the first SPS says.
    pub sps: Option<AvcSps>,
    /// Why the first SPS could not be decoded, if it could not.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sps_error: Option<String>,
}

/// The facts from an H.264 sequence parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvcSps {
    pub profile_idc: u8,
    /// constraint_set0_flag in the top bit, down to constraint_set5_flag.
    pub constraint_flags: u8,
    pub level_idc: u8,
    /// "Baseline", "Constrained Baseline", "Main", "High", "High 10", ...
    pub profile: String,
    /// "3.0", "3.1", "1b", ...
    pub level: String,
    pub sps_id: u8,
    /// Display size, after the cropping window.
    pub width: u32,
    pub height: u32,
    /// Coded size in whole macroblocks (frame height for field coding).
    pub coded_width: u32,
    pub coded_height: u32,
    pub chroma_format: ChromaFormat,
    pub separate_colour_plane: bool,
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    /// frame_mbs_only_flag is 0: pictures may be coded as fields.
    pub interlaced: bool,
    /// Macroblock-adaptive frame/field coding.
    pub mbaff: bool,
    pub max_num_ref_frames: u32,
    pub sample_aspect_ratio: Option<Ratio>,
    pub colour: Option<ColourInfo>,
    pub timing: Option<AvcTiming>,
    /// time_scale / (2 * num_units_in_tick): in H.264 a tick is one field period, so a frame is
    /// two ticks (x264 writes 1/60 for 30 fps).
    pub frame_rate: Option<f64>,
}

/// VUI timing_info.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvcTiming {
    pub num_units_in_tick: u32,
    pub time_scale: u32,
    pub fixed_frame_rate: bool,
}

/// Decodes an avcC (or an Annex B stream of SPS/PPS sent in its place).
pub fn decode_avc_config(data: &[u8]) -> Result<AvcConfig, CodecError> {
    if data.starts_with(&[0, 0, 1]) || data.starts_with(&[0, 0, 0, 1]) {
        return decode_annex_b(data);
    }
    let mut r = ByteReader::new(RECORD, data);
    let configuration_version = r.u8("configurationVersion")?;
    if configuration_version != 1 {
        return Err(CodecError::invalid(
            RECORD,
            format!("configurationVersion {configuration_version} (only 1 is defined)"),
        ));
    }
    let profile_indication = r.u8("AVCProfileIndication")?;
    let profile_compatibility = r.u8("profile_compatibility")?;
    let level_indication = r.u8("AVCLevelIndication")?;
    let nal_length_size = (r.u8("lengthSizeMinusOne")? & 0x03) + 1;
    let sps_count = r.u8("numOfSequenceParameterSets")? & 0x1f;
    let mut first_sps = None;
    let mut sequence_parameter_sets = NalList::new(NAL_SPS);
    for _ in 0..sps_count {
        let nal = read_nal(&mut r, "sequenceParameterSetNALUnit")?;
        first_sps.get_or_insert(nal);
        sequence_parameter_sets.push(nal.len());
    }
    let pps_count = r.u8("numOfPictureParameterSets")?;
    let mut picture_parameter_sets = NalList::new(NAL_PPS);
    for _ in 0..pps_count {
        picture_parameter_sets.push(read_nal(&mut r, "pictureParameterSetNALUnit")?.len());
    }
    let mut config = AvcConfig {
        configuration_version,
        profile_indication,
        profile_compatibility,
        level_indication,
        nal_length_size,
        sequence_parameter_sets,
        picture_parameter_sets,
        chroma_format: None,
        bit_depth_luma: None,
        bit_depth_chroma: None,
        sps_extensions: None,
        sps: None,
        sps_error: None,
    };
    // The High-profile extension is often left out (GStreamer's x264 path does), so it is read
    // only when the bytes are there.
    if r.remaining() >= 4 {
        config.chroma_format = Some(ChromaFormat::from_idc(u32::from(
            r.u8("chroma_format")? & 0x03,
        )));
        config.bit_depth_luma = Some((r.u8("bit_depth_luma_minus8")? & 0x07) + 8);
        config.bit_depth_chroma = Some((r.u8("bit_depth_chroma_minus8")? & 0x07) + 8);
        let ext_count = r.u8("numOfSequenceParameterSetExt")?;
        let mut list = NalList::new(NAL_SPS_EXT);
        for _ in 0..ext_count {
            list.push(read_nal(&mut r, "sequenceParameterSetExtNALUnit")?.len());
        }
        config.sps_extensions = Some(list);
    }
    attach_sps(&mut config, first_sps);
    Ok(config)
}

fn read_nal<'a>(r: &mut ByteReader<'a>, field: &'static str) -> Result<&'a [u8], CodecError> {
    let len = usize::from(r.u16(field)?);
    r.take(len, field)
}

fn attach_sps(config: &mut AvcConfig, nal: Option<&[u8]>) {
    match nal.map(parse_sps) {
        Some(Ok(sps)) => config.sps = Some(sps),
        Some(Err(e)) => config.sps_error = Some(e.to_string()),
        None => config.sps_error = Some("the record carries no SPS".to_string()),
    }
}

/// An Annex B stream in place of the record: the SPS and PPS NAL units between start codes.
fn decode_annex_b(data: &[u8]) -> Result<AvcConfig, CodecError> {
    let mut sequence_parameter_sets = NalList::new(NAL_SPS);
    let mut picture_parameter_sets = NalList::new(NAL_PPS);
    let mut first_sps = None;
    for nal in annex_b_units(data) {
        match nal.first().map(|b| b & 0x1f) {
            Some(NAL_SPS) => {
                first_sps.get_or_insert(nal);
                sequence_parameter_sets.push(nal.len());
            }
            Some(NAL_PPS) => picture_parameter_sets.push(nal.len()),
            _ => {}
        }
    }
    let Some(sps) = first_sps else {
        return Err(CodecError::invalid(
            RECORD,
            "Annex B sequence header without an SPS",
        ));
    };
    let field = |i: usize| sps.get(i).copied().unwrap_or(0);
    let mut config = AvcConfig {
        configuration_version: 0,
        profile_indication: field(1),
        profile_compatibility: field(2),
        level_indication: field(3),
        nal_length_size: 0,
        sequence_parameter_sets,
        picture_parameter_sets,
        chroma_format: None,
        bit_depth_luma: None,
        bit_depth_chroma: None,
        sps_extensions: None,
        sps: None,
        sps_error: None,
    };
    attach_sps(&mut config, Some(sps));
    Ok(config)
}

/// The NAL units of an Annex B byte stream, without the zero bytes before the next start code.
fn annex_b_units(data: &[u8]) -> StartCodeSplit<'_> {
    StartCodeSplit { rest: data }
}

struct StartCodeSplit<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for StartCodeSplit<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = find_start_code(self.rest)?;
        let after = self.rest.get(start + 3..)?;
        let end = find_start_code(after).unwrap_or(after.len());
        let (unit, rest) = after.split_at_checked(end)?;
        self.rest = rest;
        let unit = match unit.iter().rposition(|&b| b != 0) {
            Some(last) => unit.get(..=last).unwrap_or(unit),
            None => unit,
        };
        Some(unit)
    }
}

fn find_start_code(data: &[u8]) -> Option<usize> {
    data.windows(3).position(|w| w == [0, 0, 1])
}

fn parse_sps(nal: &[u8]) -> Result<AvcSps, CodecError> {
    let header = *nal
        .first()
        .ok_or_else(|| CodecError::invalid("H.264 SPS", "empty NAL unit"))?;
    if header & 0x1f != NAL_SPS {
        return Err(CodecError::invalid(
            "H.264 SPS",
            format!("NAL unit type {} where an SPS (7) belongs", header & 0x1f),
        ));
    }
    let rbsp = unescape_rbsp(nal.get(1..).unwrap_or_default());
    let sps = SeqParameterSet::from_bits(h264_reader::rbsp::BitReader::new(&rbsp[..]))
        .map_err(|e| CodecError::invalid("H.264 SPS", format!("{e:?}")))?;
    let (width, height) = sps
        .pixel_dimensions()
        .map_err(|e| CodecError::invalid("H.264 SPS", format!("{e:?}")))?;
    let (interlaced, mbaff) = match sps.frame_mbs_flags {
        FrameMbsFlags::Frames => (false, false),
        FrameMbsFlags::Fields {
            mb_adaptive_frame_field_flag,
        } => (true, mb_adaptive_frame_field_flag),
    };
    let field_factor = if interlaced { 2 } else { 1 };
    let vui = sps.vui_parameters.as_ref();
    let sample_aspect_ratio = vui
        .and_then(|v| v.aspect_ratio_info.as_ref())
        .and_then(|a| a.get())
        .map(|(num, den)| Ratio {
            num: u32::from(num),
            den: u32::from(den),
        });
    let colour = vui
        .and_then(|v| v.video_signal_type.as_ref())
        .map(|signal| {
            let (p, t, m) = signal
                .colour_description
                .as_ref()
                .map(|c| {
                    (
                        c.colour_primaries,
                        c.transfer_characteristics,
                        c.matrix_coefficients,
                    )
                })
                .unwrap_or((2, 2, 2));
            ColourInfo {
                colour_primaries: p,
                transfer_characteristics: t,
                matrix_coefficients: m,
                full_range: signal.video_full_range_flag,
            }
        });
    let timing = vui.and_then(|v| v.timing_info.as_ref()).map(|t| AvcTiming {
        num_units_in_tick: t.num_units_in_tick,
        time_scale: t.time_scale,
        fixed_frame_rate: t.fixed_frame_rate_flag,
    });
    let frame_rate = timing
        .filter(|t| t.num_units_in_tick > 0 && t.time_scale > 0)
        .map(|t| f64::from(t.time_scale) / (2.0 * f64::from(t.num_units_in_tick)));
    let profile_idc = sps.profile_idc.into();
    let constraint_flags = sps.constraint_flags.into();
    Ok(AvcSps {
        profile_idc,
        constraint_flags,
        level_idc: sps.level_idc,
        profile: avc_profile_name(profile_idc, constraint_flags),
        level: avc_level_name(profile_idc, constraint_flags, sps.level_idc),
        sps_id: sps.seq_parameter_set_id.id(),
        width,
        height,
        coded_width: sps.pic_width_in_mbs().saturating_mul(16),
        coded_height: sps
            .pic_height_in_map_units()
            .saturating_mul(16)
            .saturating_mul(field_factor),
        chroma_format: ChromaFormat::from_idc(sps.chroma_info.chroma_format.to_u32()),
        separate_colour_plane: sps.chroma_info.separate_colour_plane_flag,
        bit_depth_luma: sps.chroma_info.bit_depth_luma_minus8 + 8,
        bit_depth_chroma: sps.chroma_info.bit_depth_chroma_minus8 + 8,
        interlaced,
        mbaff,
        max_num_ref_frames: sps.max_num_ref_frames,
        sample_aspect_ratio,
        colour,
        timing,
        frame_rate,
    })
}

/// The H.264 profile name (Annex A) for a profile_idc and the constraint flags byte.
pub fn avc_profile_name(profile_idc: u8, constraint_flags: u8) -> String {
    let set = |n: u8| constraint_flags & (0x80 >> n) != 0;
    let name = match profile_idc {
        66 if set(1) => "Constrained Baseline",
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 if set(4) && set(5) => "Constrained High",
        100 if set(4) => "Progressive High",
        100 => "High",
        110 if set(3) => "High 10 Intra",
        110 if set(4) => "Progressive High 10",
        110 => "High 10",
        122 if set(3) => "High 4:2:2 Intra",
        122 => "High 4:2:2",
        244 if set(3) => "High 4:4:4 Intra",
        244 => "High 4:4:4 Predictive",
        44 => "CAVLC 4:4:4 Intra",
        83 if set(5) => "Scalable Constrained Baseline",
        83 => "Scalable Baseline",
        86 if set(3) => "Scalable High Intra",
        86 if set(5) => "Scalable Constrained High",
        86 => "Scalable High",
        118 => "Multiview High",
        128 => "Stereo High",
        134 => "MFC High",
        135 => "MFC Depth High",
        138 => "Multiview Depth High",
        139 => "Enhanced Multiview Depth High",
        other => return format!("profile {other}"),
    };
    name.to_string()
}

/// The H.264 level as written in Annex A ("3.1"), including level 1b, which is level_idc 11 with
/// constraint_set3 in the Baseline/Main/Extended profiles, or level_idc 9 elsewhere.
pub fn avc_level_name(profile_idc: u8, constraint_flags: u8, level_idc: u8) -> String {
    let set3 = constraint_flags & 0x10 != 0;
    if level_idc == 9 || (level_idc == 11 && set3 && matches!(profile_idc, 66 | 77 | 88)) {
        return "1b".to_string();
    }
    format!("{}.{}", level_idc / 10, level_idc % 10)
}

impl AvcConfig {
    pub fn summary(&self) -> String {
        let Some(sps) = &self.sps else {
            let profile = avc_profile_name(self.profile_indication, self.profile_compatibility);
            let level = avc_level_name(
                self.profile_indication,
                self.profile_compatibility,
                self.level_indication,
            );
            return format!("H.264 {profile} {level} (SPS not decoded)");
        };
        let mut parts = vec![
            format!("H.264 {} {}", sps.profile, sps.level),
            format!("{}x{}", sps.width, sps.height),
        ];
        if let Some(fps) = sps.frame_rate {
            parts.push(format!("{} fps", format_rate(fps)));
        }
        parts.push(format!(
            "{} {}-bit",
            sps.chroma_format.as_str(),
            sps.bit_depth_luma
        ));
        if sps.interlaced {
            parts.push(
                if sps.mbaff {
                    "interlaced (MBAFF)"
                } else {
                    "interlaced"
                }
                .to_string(),
            );
        }
        if let Some(sar) = sps.sample_aspect_ratio.filter(|r| r.num != r.den) {
            parts.push(format!("SAR {}:{}", sar.num, sar.den));
        }
        parts.join(", ")
    }
}
