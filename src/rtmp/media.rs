//! Audio (8) and video (9) message bodies: the FLV tag header only, legacy and Enhanced RTMP.
//! The codec payload is not decoded here.

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media_ex::{
    multitrack_type_name, peek_packet_types, read_ex_header, ExHeader, MediaTrack,
};
use super::media_json::{AudioTagHeaderJson, MultichannelConfigJson, VideoTagHeaderJson};
use crate::amf::{decode_amf0_all, AmfLimits, AmfValue};
pub use crate::codec::FourCc;

pub const TYPE_AUDIO: u8 = 8;
pub const TYPE_VIDEO: u8 = 9;
const AUDIO_PACKET_MULTITRACK: u8 = 5;
const VIDEO_PACKET_MULTITRACK: u8 = 6;

pub fn is_media_type(type_id: u8) -> bool {
    type_id == TYPE_AUDIO || type_id == TYPE_VIDEO
}

/// Why a tag header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("empty {0} body")]
    Empty(&'static str),
    #[error("{what} needs {needed} bytes, body has {have}")]
    Short {
        what: &'static str,
        needed: usize,
        have: usize,
    },
}

/// The rare parts of a tag header, boxed so that a plain frame's header stays small: the codec
/// configuration record of a sequence header, and the Enhanced RTMP v2 fields (ModEx,
/// multitrack, metadata, multichannel layout). Present only when one of them is.
///
/// In a header's JSON these fields are flattened into the header, with the names of the
/// multitrack layout and the tracks' packet type next to their ids (see `media_json`); this
/// struct holds only the ids, and serialized on its own it writes only them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExTagFields {
    /// The codec configuration record (AVCDecoderConfigurationRecord, AudioSpecificConfig,
    /// Opus ID header, ...): the body after the tag header, as far as it was kept. Only on
    /// sequence headers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<HexBytes>,
    /// A ModEx prefix was present.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mod_ex: bool,
    /// ModEx `TimestampOffsetNano`: nanoseconds to add to the millisecond timestamp.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp_offset_nano: Option<u32>,
    /// Multitrack layout: 0 OneTrack, 1 ManyTracks, 2 ManyTracksManyCodecs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multitrack_type: Option<u8>,
    /// The packet type every track of a multitrack message carries.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub track_packet_type: Option<u8>,
    /// The tracks of a multitrack message with their ids, as far as the kept bytes show them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tracks: Vec<MediaTrack>,
    /// A video `Metadata` packet's AMF0 values: the name (`colorInfo`) and its object
    /// (colorConfig, hdrCll, hdrMdcv).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub metadata: Vec<AmfValue>,
    /// An audio `MultichannelConfig` packet's channel layout.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multichannel: Option<MultichannelConfig>,
}

/// The channel layout an Enhanced RTMP audio `MultichannelConfig` packet declares. Its JSON has
/// a `channel_order_name` after `channel_order` (see [`MultichannelConfig::channel_order_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MultichannelConfigJson", from = "MultichannelConfigJson")]
pub struct MultichannelConfig {
    /// 0 Unspecified, 1 Native (the AudioChannel order, given as a mask), 2 Custom (a map).
    pub channel_order: u8,
    pub channel_count: u8,
    /// Custom order: the AudioChannel of each channel, in order.
    pub channel_mapping: Vec<u8>,
    /// Native order: the AudioChannelMask of the channels present.
    pub channel_flags: Option<u32>,
}

impl MultichannelConfig {
    pub fn channel_order_name(&self) -> &'static str {
        match self.channel_order {
            0 => "Unspecified",
            1 => "Native",
            2 => "Custom",
            _ => "reserved",
        }
    }

    /// Reads the packet body after the FourCC; `None` when it is cut short.
    fn read(payload: &[u8]) -> Option<MultichannelConfig> {
        let (&order, rest) = payload.split_first()?;
        let (&count, rest) = rest.split_first()?;
        let mut config = MultichannelConfig {
            channel_order: order,
            channel_count: count,
            channel_mapping: Vec::new(),
            channel_flags: None,
        };
        match order {
            1 => {
                let &[a, b, c, d] = rest.get(..4)? else {
                    return None;
                };
                config.channel_flags = Some(u32::from_be_bytes([a, b, c, d]));
            }
            2 => config.channel_mapping = rest.get(..usize::from(count))?.to_vec(),
            _ => {}
        }
        Some(config)
    }
}

impl ExTagFields {
    /// The multitrack layout's name.
    pub fn multitrack_type_name(&self) -> Option<&'static str> {
        self.multitrack_type.map(multitrack_type_name)
    }

    /// A multitrack message's tracks' packet type, else the header's own.
    fn effective_packet_type(ex: Option<&Self>, packet_type: Option<u8>) -> Option<u8> {
        ex.and_then(|ex| ex.track_packet_type).or(packet_type)
    }

    fn tracks(ex: Option<&Self>) -> &[MediaTrack] {
        ex.map_or(&[], |ex| ex.tracks.as_slice())
    }

    /// The boxed fields of an Enhanced RTMP header, `None` when there are none.
    fn from_header(
        h: &mut ExHeader<'_>,
        config: Option<HexBytes>,
        metadata: Vec<AmfValue>,
        multichannel: Option<MultichannelConfig>,
    ) -> Option<Box<Self>> {
        let fields = ExTagFields {
            config,
            mod_ex: h.mod_ex,
            timestamp_offset_nano: h.timestamp_offset_nano,
            multitrack_type: h.multitrack_type,
            track_packet_type: h.track_packet_type,
            tracks: std::mem::take(&mut h.tracks),
            metadata,
            multichannel,
        };
        (fields != ExTagFields::default()).then(|| Box::new(fields))
    }

    /// The boxed fields of a legacy sequence header: its configuration record.
    fn config_only(config: Option<HexBytes>) -> Option<Box<Self>> {
        config.map(|config| {
            Box::new(ExTagFields {
                config: Some(config),
                ..ExTagFields::default()
            })
        })
    }

    fn config(ex: Option<&Self>) -> Option<&HexBytes> {
        ex.and_then(|ex| ex.config.as_ref())
    }
}

/// An audio tag header. The names (`format_name`, `packet_type_name`) are derived from the ids
/// (see the methods) and written into the JSON next to them: the struct holds only ids and flags,
/// so that a media message's record stays small.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "AudioTagHeaderJson", from = "AudioTagHeaderJson")]
pub struct AudioTagHeader {
    /// SoundFormat, the high nibble of the first byte (9 = Enhanced RTMP ExHeader).
    pub sound_format: u8,
    /// Legacy header fields (absent in an Enhanced RTMP header).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rate_hz: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sample_bits: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stereo: Option<bool>,
    /// AAC: 0 = sequence header (AudioSpecificConfig), 1 = raw frame.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aac_packet_type: Option<u8>,
    /// Enhanced RTMP AudioPacketType.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub packet_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fourcc: Option<FourCc>,
    #[serde(default)]
    pub multitrack: bool,
    /// A codec configuration rather than a frame.
    pub sequence_header: bool,
    /// The configuration record of a sequence header and the Enhanced RTMP v2 details (see
    /// [`AudioTagHeader::config`]).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub ex: Option<Box<ExTagFields>>,
}

/// A video tag header. The names (`frame_type_name`, `codec_name`, `packet_type_name`) are
/// derived from the ids (see the methods) and written into the JSON next to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "VideoTagHeaderJson", from = "VideoTagHeaderJson")]
pub struct VideoTagHeader {
    /// Enhanced RTMP (IsExHeader bit set).
    pub enhanced: bool,
    pub frame_type: u8,
    /// Legacy CodecID (absent in an Enhanced RTMP header).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub codec_id: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fourcc: Option<FourCc>,
    /// AVCPacketType (legacy AVC/HEVC) or Enhanced RTMP VideoPacketType.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub packet_type: Option<u8>,
    /// Composition time offset in ms (signed 24-bit), for AVC/HEVC coded frames.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub composition_time: Option<i32>,
    /// Video info/command frame (frame type 5): the command byte.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub command: Option<u8>,
    pub keyframe: bool,
    pub sequence_header: bool,
    /// The configuration record of a sequence header and the Enhanced RTMP v2 details (see
    /// [`VideoTagHeader::config`]).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub ex: Option<Box<ExTagFields>>,
}

impl AudioTagHeader {
    /// The SoundFormat's name.
    pub fn format_name(&self) -> &'static str {
        sound_format_name(self.sound_format)
    }

    /// The Enhanced RTMP AudioPacketType's name.
    pub fn packet_type_name(&self) -> Option<&'static str> {
        self.packet_type.map(audio_packet_type_name)
    }

    /// The packet type that says what the message carries: a multitrack message's tracks'.
    pub fn effective_packet_type(&self) -> Option<u8> {
        ExTagFields::effective_packet_type(self.ex.as_deref(), self.packet_type)
    }

    /// The tracks of a multitrack message (empty otherwise).
    pub fn tracks(&self) -> &[MediaTrack] {
        ExTagFields::tracks(self.ex.as_deref())
    }

    /// The codec configuration record of a sequence header, as far as it was kept.
    pub fn config(&self) -> Option<&HexBytes> {
        ExTagFields::config(self.ex.as_deref())
    }

    /// Whether the message carries coded audio (not a configuration or end of sequence).
    pub fn is_coded_frame(&self) -> bool {
        if self.sequence_header {
            return false;
        }
        if self.sound_format == 9 {
            return self.effective_packet_type() == Some(1);
        }
        self.sound_format != 10 || self.aac_packet_type == Some(1)
    }
}

impl VideoTagHeader {
    pub fn frame_type_name(&self) -> &'static str {
        frame_type_name(self.frame_type)
    }

    /// The legacy CodecID's name, or the Enhanced RTMP FourCC's codec.
    pub fn codec_name(&self) -> &'static str {
        match (self.codec_id, self.fourcc) {
            (Some(codec), _) => video_codec_name(codec),
            (None, Some(fourcc)) if self.enhanced => video_fourcc_name(fourcc),
            (None, None) if self.enhanced && self.multitrack_type().is_some() => "several codecs",
            _ => "unknown",
        }
    }

    /// The AVCPacketType's name (legacy) or the VideoPacketType's (Enhanced RTMP).
    pub fn packet_type_name(&self) -> Option<&'static str> {
        let name = if self.enhanced {
            video_packet_type_name
        } else {
            avc_packet_type_name
        };
        self.packet_type.map(name)
    }

    fn multitrack_type(&self) -> Option<u8> {
        self.ex.as_ref().and_then(|ex| ex.multitrack_type)
    }

    /// The packet type that says what the message carries: a multitrack message's tracks'.
    pub fn effective_packet_type(&self) -> Option<u8> {
        ExTagFields::effective_packet_type(self.ex.as_deref(), self.packet_type)
    }

    /// Whether the message carries a coded picture (not a configuration, end of sequence,
    /// metadata or command frame).
    pub fn is_coded_frame(&self) -> bool {
        if self.frame_type == 5 || self.sequence_header {
            return false;
        }
        if self.enhanced {
            // CodedFrames, CodedFramesX.
            return matches!(self.effective_packet_type(), Some(1 | 3));
        }
        match self.codec_id {
            Some(7 | 12 | 13) => self.packet_type == Some(1),
            _ => true,
        }
    }

    /// The tracks of a multitrack message (empty otherwise).
    pub fn tracks(&self) -> &[MediaTrack] {
        ExTagFields::tracks(self.ex.as_deref())
    }

    /// The codec configuration record of a sequence header, as far as it was kept.
    pub fn config(&self) -> Option<&HexBytes> {
        ExTagFields::config(self.ex.as_deref())
    }
}

pub fn sound_format_name(format: u8) -> &'static str {
    match format {
        0 => "Linear PCM, platform endian",
        1 => "ADPCM",
        2 => "MP3",
        3 => "Linear PCM, little endian",
        4 => "Nellymoser 16 kHz mono",
        5 => "Nellymoser 8 kHz mono",
        6 => "Nellymoser",
        7 => "G.711 A-law",
        8 => "G.711 mu-law",
        9 => "ExHeader",
        10 => "AAC",
        11 => "Speex",
        14 => "MP3 8 kHz",
        15 => "Device-specific",
        _ => "reserved",
    }
}

pub fn video_codec_name(codec: u8) -> &'static str {
    match codec {
        1 => "JPEG",
        2 => "Sorenson H.263",
        3 => "Screen video",
        4 => "On2 VP6",
        5 => "On2 VP6 with alpha",
        6 => "Screen video v2",
        7 => "AVC",
        12 => "HEVC",
        13 => "AV1",
        _ => "unknown",
    }
}

/// The codec an Enhanced RTMP video FourCC stands for.
pub fn video_fourcc_name(fourcc: FourCc) -> &'static str {
    match &fourcc.0 {
        b"avc1" => "AVC",
        b"hvc1" => "HEVC",
        b"av01" => "AV1",
        b"vp09" => "VP9",
        b"vp08" => "VP8",
        b"vvc1" => "VVC",
        _ => "unknown",
    }
}

pub fn frame_type_name(frame_type: u8) -> &'static str {
    match frame_type {
        1 => "keyframe",
        2 => "inter frame",
        3 => "disposable inter frame",
        4 => "generated keyframe",
        5 => "video info/command frame",
        _ => "reserved",
    }
}

pub fn audio_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "SequenceStart",
        1 => "CodedFrames",
        2 => "SequenceEnd",
        4 => "MultichannelConfig",
        5 => "Multitrack",
        7 => "ModEx",
        _ => "reserved",
    }
}

pub fn video_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "SequenceStart",
        1 => "CodedFrames",
        2 => "SequenceEnd",
        3 => "CodedFramesX",
        4 => "Metadata",
        5 => "MPEG2TSSequenceStart",
        6 => "Multitrack",
        7 => "ModEx",
        _ => "reserved",
    }
}

pub fn avc_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "sequence header",
        1 => "NALU",
        2 => "end of sequence",
        _ => "reserved",
    }
}

/// Whether a body starting with `prefix` is kept whole by the demuxer (up to
/// [`super::RtmpConfig::max_media_config`]): codec configurations, and Enhanced RTMP
/// multitrack messages, whose later tracks' ids and sizes are spread through the body.
pub fn is_kept_whole_prefix(type_id: u8, prefix: &[u8]) -> bool {
    is_config_prefix(type_id, prefix) || is_multitrack_prefix(type_id, prefix)
}

fn is_multitrack_prefix(type_id: u8, prefix: &[u8]) -> bool {
    let Some(&b0) = prefix.first() else {
        return false;
    };
    let multitrack = match type_id {
        TYPE_AUDIO if b0 >> 4 == 9 => AUDIO_PACKET_MULTITRACK,
        TYPE_VIDEO if b0 & 0x80 != 0 => VIDEO_PACKET_MULTITRACK,
        _ => return false,
    };
    peek_packet_types(prefix, multitrack).is_some_and(|(_, track)| track.is_some())
}

/// Whether a body starting with `prefix` is a codec configuration.
pub fn is_config_prefix(type_id: u8, prefix: &[u8]) -> bool {
    let (Some(&b0), b1) = (prefix.first(), prefix.get(1).copied()) else {
        return false;
    };
    match type_id {
        TYPE_AUDIO => match b0 >> 4 {
            10 => b1 == Some(0),
            9 => peek_packet_types(prefix, AUDIO_PACKET_MULTITRACK)
                .is_some_and(|(t, track)| matches!(track.unwrap_or(t), 0 | 4)),
            _ => false,
        },
        TYPE_VIDEO => {
            if b0 & 0x80 != 0 {
                peek_packet_types(prefix, VIDEO_PACKET_MULTITRACK)
                    .is_some_and(|(t, track)| matches!(track.unwrap_or(t), 0 | 4 | 5))
            } else {
                matches!(b0 & 0x0f, 7 | 12 | 13) && b1 == Some(0)
            }
        }
        _ => false,
    }
}

pub fn decode_audio(body: &[u8]) -> Result<AudioTagHeader, MediaError> {
    let &b0 = body.first().ok_or(MediaError::Empty("audio"))?;
    let sound_format = b0 >> 4;
    let mut h = AudioTagHeader {
        sound_format,
        rate_hz: None,
        sample_bits: None,
        stereo: None,
        aac_packet_type: None,
        packet_type: None,
        fourcc: None,
        multitrack: false,
        sequence_header: false,
        ex: None,
    };
    if sound_format == 9 {
        let mut ex = read_ex_header(body, b0 & 0x0f, AUDIO_PACKET_MULTITRACK, |_, _| false)?;
        let effective = ex.track_packet_type.unwrap_or(ex.packet_type);
        h.packet_type = Some(ex.packet_type);
        h.sequence_header = matches!(effective, 0 | 4);
        h.multitrack = ex.multitrack_type.is_some();
        h.fourcc = ex.fourcc;
        let config = (ex.packet_type == 0).then(|| HexBytes::from(ex.payload));
        let multichannel = (ex.packet_type == 4)
            .then(|| MultichannelConfig::read(ex.payload))
            .flatten();
        h.ex = ExTagFields::from_header(&mut ex, config, Vec::new(), multichannel);
        return Ok(h);
    }
    h.rate_hz = Some(match (b0 >> 2) & 3 {
        0 => 5512,
        1 => 11025,
        2 => 22050,
        _ => 44100,
    });
    h.sample_bits = Some(if b0 & 2 != 0 { 16 } else { 8 });
    h.stereo = Some(b0 & 1 != 0);
    if sound_format == 10 {
        let t = *body.get(1).ok_or(MediaError::Short {
            what: "AAC packet type",
            needed: 2,
            have: body.len(),
        })?;
        h.aac_packet_type = Some(t);
        h.sequence_header = t == 0;
        if h.sequence_header {
            h.ex = ExTagFields::config_only(body.get(2..).map(HexBytes::from));
        }
    }
    Ok(h)
}

/// Enhanced RTMP CodedFrames of these FourCCs start with a composition time (SI24).
fn has_composition_time(fourcc: FourCc, packet_type: u8) -> bool {
    packet_type == 1 && matches!(fourcc, FourCc::AVC1 | FourCc::HVC1)
}

fn si24(b: &[u8]) -> Option<i32> {
    let &[b0, b1, b2] = b.get(..3)? else {
        return None;
    };
    let v = (i32::from(b0) << 16) | (i32::from(b1) << 8) | i32::from(b2);
    Some((v << 8) >> 8)
}

pub fn decode_video(body: &[u8]) -> Result<VideoTagHeader, MediaError> {
    let &b0 = body.first().ok_or(MediaError::Empty("video"))?;
    let enhanced = b0 & 0x80 != 0;
    let frame_type = if enhanced { (b0 >> 4) & 7 } else { b0 >> 4 };
    let mut h = VideoTagHeader {
        enhanced,
        frame_type,
        codec_id: None,
        fourcc: None,
        packet_type: None,
        composition_time: None,
        command: None,
        keyframe: frame_type == 1 || frame_type == 4,
        sequence_header: false,
        ex: None,
    };
    let short = |what, needed| MediaError::Short {
        what,
        needed,
        have: body.len(),
    };
    if enhanced {
        let mut ex = read_ex_header(
            body,
            b0 & 0x0f,
            VIDEO_PACKET_MULTITRACK,
            has_composition_time,
        )?;
        let effective = ex.track_packet_type.unwrap_or(ex.packet_type);
        h.packet_type = Some(ex.packet_type);
        h.sequence_header = matches!(effective, 0 | 5);
        h.fourcc = ex.fourcc;
        if let Some(fourcc) = h.fourcc {
            if ex.multitrack_type.is_none() && has_composition_time(fourcc, ex.packet_type) {
                h.composition_time = Some(
                    si24(ex.payload)
                        .ok_or(short("composition time", body.len() - ex.payload.len() + 3))?,
                );
            }
        }
        let config = (ex.packet_type == 0).then(|| HexBytes::from(ex.payload));
        // Metadata (colorInfo) is AMF0; what decodes is kept, a broken tail is dropped (the
        // frame is informational).
        let metadata = if ex.packet_type == 4 {
            decode_amf0_all(ex.payload, AmfLimits::default()).0
        } else {
            Vec::new()
        };
        h.ex = ExTagFields::from_header(&mut ex, config, metadata, None);
        return Ok(h);
    }
    let codec = b0 & 0x0f;
    h.codec_id = Some(codec);
    if frame_type == 5 {
        h.command = body.get(1).copied();
        return Ok(h);
    }
    if matches!(codec, 7 | 12 | 13) {
        let t = *body.get(1).ok_or(short("AVC packet type", 2))?;
        h.packet_type = Some(t);
        h.sequence_header = t == 0;
        h.composition_time =
            Some(si24(body.get(2..).unwrap_or_default()).ok_or(short("composition time", 5))?);
        if h.sequence_header {
            h.ex = ExTagFields::config_only(body.get(5..).map(HexBytes::from));
        }
    }
    Ok(h)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn aac_audio() {
        // ffmpeg's AAC: 0xaf = AAC, 44 kHz, 16 bit, stereo.
        let h = decode_audio(&[0xaf, 0x00, 0x12, 0x10]).unwrap();
        assert_eq!(h.sound_format, 10);
        assert_eq!(h.format_name(), "AAC");
        assert_eq!(
            (h.rate_hz, h.sample_bits, h.stereo),
            (Some(44100), Some(16), Some(true))
        );
        assert_eq!(h.aac_packet_type, Some(0));
        assert!(h.sequence_header);
        let h = decode_audio(&[0xae, 0x01, 0x21]).unwrap();
        assert_eq!((h.stereo, h.aac_packet_type), (Some(false), Some(1)));
        assert!(!h.sequence_header);
        assert!(decode_audio(&[0xaf]).is_err());
        assert!(decode_audio(&[]).is_err());
    }

    #[test]
    fn legacy_audio_formats() {
        // MP3, 22 kHz, 8 bit, mono.
        let h = decode_audio(&[0x28]).unwrap();
        assert_eq!(
            (h.format_name(), h.rate_hz, h.sample_bits, h.stereo),
            ("MP3", Some(22050), Some(8), Some(false))
        );
        assert_eq!(h.aac_packet_type, None);
        assert_eq!(decode_audio(&[0xb2]).unwrap().format_name(), "Speex");
        assert_eq!(decode_audio(&[0x06]).unwrap().rate_hz, Some(11025));
    }

    #[test]
    fn enhanced_audio() {
        let h = decode_audio(&[0x90, b'O', b'p', b'u', b's', 1, 2]).unwrap();
        assert_eq!(h.packet_type, Some(0));
        assert_eq!(h.fourcc, Some(FourCc(*b"Opus")));
        assert!(h.sequence_header);
        assert_eq!(h.rate_hz, None);
        let h = decode_audio(&[0x91, b'm', b'p', b'4', b'a']).unwrap();
        assert_eq!(h.packet_type_name(), Some("CodedFrames"));
        assert!(!h.sequence_header);
        let h = decode_audio(&[0x95, 0x01, b'f', b'L', b'a', b'C', 0]).unwrap();
        assert!(h.multitrack);
        assert_eq!(h.fourcc, Some(FourCc(*b"fLaC")));
        assert!(decode_audio(&[0x91, b'm']).is_err());
    }

    #[test]
    fn avc_video() {
        let h = decode_video(&[0x17, 0x00, 0x00, 0x00, 0x00, 0x01]).unwrap();
        assert_eq!((h.frame_type, h.codec_id), (1, Some(7)));
        assert!(h.keyframe && h.sequence_header);
        assert_eq!(h.composition_time, Some(0));
        let h = decode_video(&[0x27, 0x01, 0x00, 0x00, 0x43, 0x00]).unwrap();
        assert_eq!(h.packet_type_name(), Some("NALU"));
        assert_eq!(h.composition_time, Some(67));
        assert!(!h.keyframe);
        // Negative composition time.
        let h = decode_video(&[0x27, 0x01, 0xff, 0xff, 0xdf]).unwrap();
        assert_eq!(h.composition_time, Some(-33));
        assert!(decode_video(&[0x27, 0x01, 0x00]).is_err());
    }

    #[test]
    fn legacy_video_without_packet_type() {
        let h = decode_video(&[0x22, 0x00]).unwrap();
        assert_eq!(h.codec_name(), "Sorenson H.263");
        assert_eq!(h.packet_type, None);
        let h = decode_video(&[0x52, 0x01]).unwrap();
        assert_eq!(h.command, Some(1));
        assert_eq!(h.frame_type_name(), "video info/command frame");
    }

    #[test]
    fn enhanced_video() {
        // Keyframe, SequenceStart, hvc1.
        let h = decode_video(&[0x90, b'h', b'v', b'c', b'1', 0x01]).unwrap();
        assert!(h.enhanced && h.keyframe && h.sequence_header);
        assert_eq!(h.codec_name(), "HEVC");
        assert_eq!(h.composition_time, None);
        // Inter frame, CodedFrames with composition time.
        let h = decode_video(&[0xa1, b'h', b'v', b'c', b'1', 0x00, 0x00, 0x21]).unwrap();
        assert_eq!((h.frame_type, h.composition_time), (2, Some(33)));
        // CodedFramesX has no composition time.
        let h = decode_video(&[0x93, b'a', b'v', b'0', b'1']).unwrap();
        assert_eq!((h.codec_name(), h.composition_time), ("AV1", None));
        assert!(decode_video(&[0xa1, b'h', b'v', b'c', b'1', 0x00]).is_err());
        assert!(decode_video(&[0x91, b'h']).is_err());
    }

    #[test]
    fn sequence_headers_carry_their_configuration_record() {
        let h = decode_audio(&[0xaf, 0x00, 0x12, 0x10]).unwrap();
        assert_eq!(h.config(), Some(&HexBytes(vec![0x12, 0x10])));
        assert_eq!(
            decode_audio(&[0xaf, 0x01, 0x21]).unwrap().config().cloned(),
            None
        );
        let h = decode_audio(&[0x90, b'O', b'p', b'u', b's', 1, 2]).unwrap();
        assert_eq!(h.config(), Some(&HexBytes(vec![1, 2])));
        let h = decode_video(&[0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64]).unwrap();
        assert_eq!(h.config(), Some(&HexBytes(vec![0x01, 0x64])));
        assert_eq!(
            decode_video(&[0x27, 0x01, 0, 0, 0, 9])
                .unwrap()
                .config()
                .cloned(),
            None
        );
        let h = decode_video(&[0x90, b'h', b'v', b'c', b'1', 0x01]).unwrap();
        assert_eq!(h.config(), Some(&HexBytes(vec![0x01])));
    }

    #[test]
    fn config_prefixes() {
        assert!(is_config_prefix(TYPE_AUDIO, &[0xaf, 0x00]));
        assert!(!is_config_prefix(TYPE_AUDIO, &[0xaf, 0x01]));
        assert!(!is_config_prefix(TYPE_AUDIO, &[0xaf]));
        assert!(is_config_prefix(TYPE_VIDEO, &[0x17, 0x00]));
        assert!(!is_config_prefix(TYPE_VIDEO, &[0x17, 0x01]));
        assert!(is_config_prefix(TYPE_VIDEO, &[0x90, b'h']));
        assert!(!is_config_prefix(18, &[0x17, 0x00]));
    }

    #[test]
    fn modex_and_multitrack_headers() {
        // ModEx with a TimestampOffsetNano of 500 000 ns around CodedFrames of avc1: the
        // composition time comes after the prefix.
        let body = [
            0x97, 0x02, 0x07, 0xa1, 0x20, 0x01, b'a', b'v', b'c', b'1', 0x00, 0x00, 0x21, 0x65,
        ];
        let h = decode_video(&body).unwrap();
        assert_eq!(h.packet_type_name(), Some("CodedFrames"));
        assert_eq!(h.composition_time, Some(33));
        assert!(h.keyframe && h.is_coded_frame());
        let ex = h.ex.as_deref().unwrap();
        assert_eq!(ex.timestamp_offset_nano, Some(500_000));
        assert!(ex.mod_ex && ex.tracks.is_empty());
        // A multitrack sequence start (ManyTracks, hvc1) is a sequence header, kept whole.
        let body = [
            0x96, 0x10, b'h', b'v', b'c', b'1', 0, 0, 0, 1, 0x01, 1, 0, 0, 1, 0x02,
        ];
        assert!(is_config_prefix(TYPE_VIDEO, &body[..2]));
        let h = decode_video(&body).unwrap();
        assert!(h.sequence_header && !h.is_coded_frame());
        assert_eq!(h.codec_name(), "HEVC");
        assert_eq!(h.packet_type_name(), Some("Multitrack"));
        let ex = h.ex.as_deref().unwrap();
        assert_eq!(ex.multitrack_type, Some(1));
        assert_eq!(ex.track_packet_type, Some(0));
        let ids: Vec<_> = h.tracks().iter().map(|t| t.track_id).collect();
        assert_eq!(ids, [0, 1]);
        // Multitrack coded frames are frames; a ModEx-wrapped audio sequence start is a config.
        let h = decode_video(&[0x96, 0x11, b'a', b'v', b'0', b'1', 3, 0, 0, 0]).unwrap();
        assert!(h.is_coded_frame() && !h.sequence_header);
        assert_eq!(h.tracks()[0].track_id, 3);
        let body = [0x97, 0x00, 0x00, 0x10, b'O', b'p', b'u', b's', 1];
        assert!(is_config_prefix(TYPE_AUDIO, &body));
        let h = decode_audio(&body).unwrap();
        assert!(h.sequence_header);
        assert_eq!(h.config(), Some(&HexBytes(vec![1])));
        // Many codecs: the header names none.
        let body = [
            0x95, 0x21, b'O', b'p', b'u', b's', 0, 0, 0, 1, 0x55, b'f', b'L', b'a', b'C', 1, 0, 0,
            1, 0x66,
        ];
        let h = decode_audio(&body).unwrap();
        assert!(h.multitrack && h.is_coded_frame());
        assert_eq!(h.fourcc, None);
        assert_eq!(h.tracks().len(), 2);
    }

    #[test]
    fn enhanced_fields_round_trip_through_json() {
        let body = [0x96, 0x10, b'v', b'p', b'0', b'9', 2, 0, 0, 1, 0xaa];
        let h = decode_video(&body).unwrap();
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["multitrack_type_name"], "ManyTracks");
        assert_eq!(json["tracks"][0]["track_id"], 2);
        assert_eq!(json["tracks"][0]["config"], "aa");
        let back: VideoTagHeader = serde_json::from_value(json).unwrap();
        assert_eq!(back, h);
        // Headers without Enhanced v2 fields serialize as before (no extra keys).
        let h = decode_video(&[0x17, 0x01, 0, 0, 0]).unwrap();
        let json = serde_json::to_value(&h).unwrap();
        assert!(json.get("tracks").is_none() && json.get("mod_ex").is_none());
        let back: VideoTagHeader = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, h);
        let back: VideoTagHeader = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(back.ex, None);
    }

    #[test]
    fn video_metadata_carries_color_info() {
        // Keyframe | Metadata, hvc1, AMF0 "colorInfo" {colorConfig: {bitDepth: 10}}.
        let mut body = vec![0x94, b'h', b'v', b'c', b'1', 0x02, 0, 9];
        body.extend(b"colorInfo");
        body.extend([0x03, 0, 11]);
        body.extend(b"colorConfig");
        body.extend([0x03, 0, 8]);
        body.extend(b"bitDepth");
        body.push(0x00);
        body.extend(10f64.to_be_bytes());
        body.extend([0, 0, 9, 0, 0, 9]);
        assert!(is_kept_whole_prefix(TYPE_VIDEO, &body[..2]));
        let h = decode_video(&body).unwrap();
        assert_eq!(h.packet_type_name(), Some("Metadata"));
        assert!(!h.sequence_header && !h.is_coded_frame());
        let meta = &h.ex.as_deref().unwrap().metadata;
        assert_eq!(meta[0], AmfValue::String("colorInfo".into()));
        let json = serde_json::to_value(&meta[1]).unwrap();
        assert_eq!(json["colorConfig"]["bitDepth"], 10.0);
    }

    #[test]
    fn audio_multichannel_config() {
        // Native order, 6 channels, mask 0x3f (FL FR FC LFE BL BR).
        let h = decode_audio(&[0x94, b'O', b'p', b'u', b's', 1, 6, 0, 0, 0, 0x3f]).unwrap();
        assert!(h.sequence_header && !h.is_coded_frame());
        let mc = h.ex.as_ref().unwrap().multichannel.as_ref().unwrap();
        assert_eq!((mc.channel_order_name(), mc.channel_count), ("Native", 6));
        assert_eq!(mc.channel_flags, Some(0x3f));
        // Custom order: one AudioChannel per channel.
        let h = decode_audio(&[0x94, b'f', b'L', b'a', b'C', 2, 2, 1, 0]).unwrap();
        let mc = h.ex.as_ref().unwrap().multichannel.as_ref().unwrap();
        assert_eq!(mc.channel_mapping, [1, 0]);
        // Cut short: no layout, no error (the header itself is fine).
        let h = decode_audio(&[0x94, b'f', b'L', b'a', b'C', 2, 5, 1]).unwrap();
        assert_eq!(h.ex, None);
    }
}
