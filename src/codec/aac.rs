//! AAC: the AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), including explicit SBR/PS signalling,
//! both hierarchical (object type 5 or 29 first) and backward-compatible (sync extension 0x2b7
//! after the GASpecificConfig, as FFmpeg's encoder writes it), and the program config element
//! that gives the channel count when channelConfiguration is 0.

use super::bits::BitReader;
use super::CodecError;
use serde::{Deserialize, Serialize};

const RECORD: &str = "AudioSpecificConfig";
const AOT_SBR: u8 = 5;
const AOT_PS: u8 = 29;
const AOT_LC: u8 = 2;
const SAMPLE_RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// A decoded AudioSpecificConfig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AacConfig {
    /// The core object type (2 = AAC LC also for HE-AAC, whose SBR/PS are extensions).
    pub audio_object_type: u8,
    /// "AAC LC", "HE-AAC", "HE-AAC v2", "AAC Main", "ER AAC ELD", "USAC", ...
    pub name: String,
    /// 15 when the rate is given explicitly.
    pub sampling_frequency_index: u8,
    /// Core sample rate in Hz.
    pub sample_rate: u32,
    pub channel_configuration: u8,
    /// Channels from channelConfiguration or the program config element; None when reserved.
    pub channels: Option<u32>,
    /// Some(true): SBR signalled present; Some(false): signalled absent; None: not signalled (a
    /// decoder may still find SBR data implicitly).
    pub sbr: Option<bool>,
    /// Parametric stereo, signalled the same way.
    pub ps: Option<bool>,
    /// SBR output sample rate, when signalled.
    pub extension_sample_rate: Option<u32>,
    /// Samples per frame from frameLengthFlag (1024/960; 512/480 for AAC LD), when decoded.
    pub samples_per_frame: Option<u16>,
    /// Why the part after the channel configuration could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tail_error: Option<String>,
}

/// Decodes an AudioSpecificConfig.
pub fn decode_aac_config(data: &[u8]) -> Result<AacConfig, CodecError> {
    let mut r = BitReader::new(RECORD, data);
    let mut audio_object_type = read_object_type(&mut r)?;
    let (sampling_frequency_index, sample_rate) =
        read_sample_rate(&mut r, "samplingFrequencyIndex")?;
    let channel_configuration = r.u8(4, "channelConfiguration")?;
    let mut config = AacConfig {
        audio_object_type,
        name: String::new(),
        sampling_frequency_index,
        sample_rate,
        channel_configuration,
        channels: channels_for_configuration(channel_configuration),
        sbr: None,
        ps: None,
        extension_sample_rate: None,
        samples_per_frame: None,
        tail_error: None,
    };
    let mut hierarchical_sbr = false;
    if audio_object_type == AOT_SBR || audio_object_type == AOT_PS {
        hierarchical_sbr = true;
        config.sbr = Some(true);
        config.ps = (audio_object_type == AOT_PS).then_some(true);
        config.extension_sample_rate =
            Some(read_sample_rate(&mut r, "extensionSamplingFrequencyIndex")?.1);
        audio_object_type = read_object_type(&mut r)?;
        config.audio_object_type = audio_object_type;
        if audio_object_type == 22 {
            r.skip(4, "extensionChannelConfiguration")?;
        }
    }
    if let Err(e) = read_tail(&mut r, &mut config, hierarchical_sbr) {
        config.tail_error = Some(e.to_string());
    }
    config.name = aac_name(
        config.audio_object_type,
        config.sbr == Some(true),
        config.ps == Some(true),
    );
    Ok(config)
}

/// GetAudioObjectType(): 5 bits, 31 escaping to 32 + 6 more bits.
fn read_object_type(r: &mut BitReader<'_>) -> Result<u8, CodecError> {
    let aot = r.u8(5, "audioObjectType")?;
    if aot == 31 {
        Ok(32 + r.u8(6, "audioObjectTypeExt")?)
    } else {
        Ok(aot)
    }
}

fn read_sample_rate(r: &mut BitReader<'_>, field: &'static str) -> Result<(u8, u32), CodecError> {
    let index = r.u8(4, field)?;
    let rate = match index {
        15 => r.bits(24, "samplingFrequency")?,
        _ => *SAMPLE_RATES
            .get(usize::from(index))
            .ok_or(CodecError::OutOfRange {
                record: RECORD,
                field,
                value: u64::from(index),
                limit: "12, or 15 for an explicit rate",
            })?,
    };
    Ok((index, rate))
}

/// Table 1.19 (and the later additions 11..=14).
fn channels_for_configuration(configuration: u8) -> Option<u32> {
    match configuration {
        1..=6 => Some(u32::from(configuration)),
        7 | 12 | 14 => Some(8),
        11 => Some(7),
        13 => Some(24),
        _ => None,
    }
}

/// GASpecificConfig, the error-protection config byte, then the backward-compatible extension.
fn read_tail(
    r: &mut BitReader<'_>,
    config: &mut AacConfig,
    hierarchical_sbr: bool,
) -> Result<(), CodecError> {
    let aot = config.audio_object_type;
    if !matches!(aot, 1..=4 | 6 | 7 | 17 | 19..=23) {
        // CELP, HVXC, ALS, ELD, USAC, ...: their specific configs are not decoded.
        return Ok(());
    }
    let frame_length_flag = r.flag("frameLengthFlag")?;
    config.samples_per_frame = Some(match (aot == 23, frame_length_flag) {
        (true, false) => 512,
        (true, true) => 480,
        (false, false) => 1024,
        (false, true) => 960,
    });
    if r.flag("dependsOnCoreCoder")? {
        r.skip(14, "coreCoderDelay")?;
    }
    let extension_flag = r.flag("extensionFlag")?;
    if config.channel_configuration == 0 {
        config.channels = Some(read_program_config_channels(r)?);
    }
    if aot == 6 || aot == 20 {
        r.skip(3, "layerNr")?;
    }
    if extension_flag {
        if aot == 22 {
            r.skip(5 + 11, "numOfSubFrame/layer_length")?;
        }
        if matches!(aot, 17 | 19 | 20 | 23) {
            r.skip(3, "aac*ResilienceFlag")?;
        }
        r.skip(1, "extensionFlag3")?;
    }
    if matches!(aot, 17 | 19..=23) {
        let ep_config = r.u8(2, "epConfig")?;
        if ep_config >= 2 {
            // ErrorProtectionSpecificConfig follows; nothing a summary needs comes after it.
            return Ok(());
        }
    }
    if hierarchical_sbr || r.bits_left() < 16 {
        return Ok(());
    }
    if r.bits(11, "syncExtensionType")? != 0x2b7 {
        return Ok(());
    }
    let extension_type = read_object_type(r)?;
    if extension_type == AOT_SBR {
        let present = r.flag("sbrPresentFlag")?;
        config.sbr = Some(present);
        if present {
            config.extension_sample_rate =
                Some(read_sample_rate(r, "extensionSamplingFrequencyIndex")?.1);
            if r.bits_left() >= 12 && r.bits(11, "syncExtensionType")? == 0x548 {
                config.ps = Some(r.flag("psPresentFlag")?);
            }
        }
    } else if extension_type == 22 {
        let present = r.flag("sbrPresentFlag")?;
        config.sbr = Some(present);
        if present {
            config.extension_sample_rate =
                Some(read_sample_rate(r, "extensionSamplingFrequencyIndex")?.1);
        }
        r.skip(4, "extensionChannelConfiguration")?;
    }
    Ok(())
}

/// program_config_element() (4.4.1.1): counts front/side/back channels (2 for a channel pair)
/// and LFEs.
fn read_program_config_channels(r: &mut BitReader<'_>) -> Result<u32, CodecError> {
    r.skip(
        4 + 2 + 4,
        "element_instance_tag/object_type/sampling_frequency_index",
    )?;
    let front = r.bits(4, "num_front_channel_elements")?;
    let side = r.bits(4, "num_side_channel_elements")?;
    let back = r.bits(4, "num_back_channel_elements")?;
    let lfe = r.bits(2, "num_lfe_channel_elements")?;
    let assoc = r.bits(3, "num_assoc_data_elements")?;
    let cc = r.bits(4, "num_valid_cc_elements")?;
    for (field, width) in [
        ("mono_mixdown", 4),
        ("stereo_mixdown", 4),
        ("matrix_mixdown", 3),
    ] {
        if r.flag(field)? {
            r.skip(width, field)?;
        }
    }
    let mut channels = lfe;
    for _ in 0..front + side + back {
        channels += if r.flag("is_cpe")? { 2 } else { 1 };
        r.skip(4, "element_tag_select")?;
    }
    r.skip(
        (lfe as usize + assoc as usize) * 4 + cc as usize * 5,
        "lfe/assoc/cc elements",
    )?;
    r.align();
    let comment_bytes = r.bits(8, "comment_field_bytes")?;
    r.skip(comment_bytes as usize * 8, "comment_field_data")?;
    Ok(channels)
}

/// The familiar name of an object type, with SBR/PS folded in the way the industry names them.
pub(crate) fn aac_name(audio_object_type: u8, sbr: bool, ps: bool) -> String {
    if audio_object_type == AOT_LC && ps {
        return "HE-AAC v2".to_string();
    }
    if audio_object_type == AOT_LC && sbr {
        return "HE-AAC".to_string();
    }
    let base = match audio_object_type {
        1 => "AAC Main",
        2 => "AAC LC",
        3 => "AAC SSR",
        4 => "AAC LTP",
        5 => "SBR",
        6 => "AAC Scalable",
        7 => "TwinVQ",
        8 => "CELP",
        9 => "HVXC",
        17 => "ER AAC LC",
        19 => "ER AAC LTP",
        20 => "ER AAC Scalable",
        21 => "ER TwinVQ",
        22 => "ER BSAC",
        23 => "ER AAC LD",
        24 => "ER CELP",
        25 => "ER HVXC",
        26 => "ER HILN",
        27 => "ER Parametric",
        28 => "SSC",
        29 => "PS",
        32 => "MPEG-1/2 Layer 1",
        33 => "MPEG-1/2 Layer 2",
        34 => "MPEG-1/2 Layer 3",
        36 => "ALS",
        39 => "ER AAC ELD",
        42 => "USAC",
        other => return format!("audio object type {other}"),
    };
    match (sbr, ps) {
        (_, true) => format!("{base} + SBR + PS"),
        (true, false) => format!("{base} + SBR"),
        _ => base.to_string(),
    }
}

impl AacConfig {
    /// The sample rate a decoder outputs: the SBR rate when SBR is signalled.
    pub fn output_sample_rate(&self) -> Option<u32> {
        match (self.sbr, self.extension_sample_rate) {
            (Some(true), Some(rate)) => Some(rate),
            _ => Some(self.sample_rate),
        }
    }

    /// The channels a decoder outputs: parametric stereo turns one channel into two.
    pub fn output_channels(&self) -> Option<u32> {
        match (self.ps, self.channels) {
            (Some(true), Some(1)) => Some(2),
            (_, channels) => channels,
        }
    }

    pub fn summary(&self) -> String {
        let mut rate = format!(
            "{} Hz",
            self.output_sample_rate().unwrap_or(self.sample_rate)
        );
        if self.output_sample_rate() != Some(self.sample_rate) {
            rate.push_str(&format!(" (core {} Hz)", self.sample_rate));
        }
        let channels = match self.output_channels() {
            Some(n) => format!("{n} ch"),
            None => format!("channel configuration {}", self.channel_configuration),
        };
        format!("{}, {rate}, {channels}", self.name)
    }
}
