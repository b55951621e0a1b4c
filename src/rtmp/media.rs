//! Audio (8) and video (9) message bodies: the FLV tag header only, legacy and Enhanced RTMP.
//! The codec payload is not decoded here.

use serde::{Deserialize, Serialize};

use super::fourcc::FourCc;
use super::hex::HexBytes;
use super::media_json::{AudioTagHeaderJson, VideoTagHeaderJson};

pub const TYPE_AUDIO: u8 = 8;
pub const TYPE_VIDEO: u8 = 9;

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

/// An audio tag header. Names are derived from the ids (see the methods) and written into the
/// JSON next to them; the struct itself holds only ids and flags, so that a media message's record
/// stays small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "AudioTagHeaderJson", from = "AudioTagHeaderJson")]
pub struct AudioTagHeader {
    /// SoundFormat, the high nibble of the first byte (9 = Enhanced RTMP ExHeader).
    pub sound_format: u8,
    /// Legacy header fields (absent in an Enhanced RTMP header).
    pub rate_hz: Option<u32>,
    pub sample_bits: Option<u8>,
    pub stereo: Option<bool>,
    /// AAC: 0 = sequence header (AudioSpecificConfig), 1 = raw frame.
    pub aac_packet_type: Option<u8>,
    /// Enhanced RTMP AudioPacketType.
    pub packet_type: Option<u8>,
    pub fourcc: Option<FourCc>,
    pub multitrack: bool,
    /// A codec configuration rather than a frame.
    pub sequence_header: bool,
    /// The codec configuration record (AAC AudioSpecificConfig, Opus ID header, ...): the body
    /// after the tag header, as far as it was kept. Only on sequence headers.
    pub config: Option<Box<HexBytes>>,
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
}

/// A video tag header. Names are derived from the ids (see the methods) and written into the JSON
/// next to them; the struct itself holds only ids and flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "VideoTagHeaderJson", from = "VideoTagHeaderJson")]
pub struct VideoTagHeader {
    /// Enhanced RTMP (IsExHeader bit set).
    pub enhanced: bool,
    pub frame_type: u8,
    /// Legacy CodecID (absent in an Enhanced RTMP header).
    pub codec_id: Option<u8>,
    pub fourcc: Option<FourCc>,
    /// AVCPacketType (legacy AVC/HEVC) or Enhanced RTMP VideoPacketType.
    pub packet_type: Option<u8>,
    /// Composition time offset in ms (signed 24-bit), for AVC/HEVC coded frames.
    pub composition_time: Option<i32>,
    /// Video info/command frame (frame type 5): the command byte.
    pub command: Option<u8>,
    pub keyframe: bool,
    pub sequence_header: bool,
    /// The codec configuration record (AVCDecoderConfigurationRecord, HEVC, AV1, VP9): the body
    /// after the tag header, as far as it was kept. Only on sequence headers.
    pub config: Option<Box<HexBytes>>,
}

impl VideoTagHeader {
    pub fn frame_type_name(&self) -> &'static str {
        frame_type_name(self.frame_type)
    }

    /// The legacy CodecID's name, or the Enhanced RTMP FourCC's codec.
    pub fn codec_name(&self) -> &'static str {
        match (self.codec_id, self.fourcc.as_deref()) {
            (Some(codec), _) => video_codec_name(codec),
            (None, Some("avc1")) => "AVC",
            (None, Some("hvc1")) => "HEVC",
            (None, Some("av01")) => "AV1",
            (None, Some("vp09")) => "VP9",
            (None, Some("vp08")) => "VP8",
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

fn fourcc(bytes: &[u8]) -> Option<FourCc> {
    bytes.get(..4).map(FourCc::from_bytes)
}

/// Whether a body starting with `prefix` is a codec configuration (kept whole by the demuxer).
pub fn is_config_prefix(type_id: u8, prefix: &[u8]) -> bool {
    let (Some(&b0), b1) = (prefix.first(), prefix.get(1).copied()) else {
        return false;
    };
    match type_id {
        TYPE_AUDIO => match b0 >> 4 {
            10 => b1 == Some(0),
            9 => matches!(b0 & 0x0f, 0 | 4),
            _ => false,
        },
        TYPE_VIDEO => {
            if b0 & 0x80 != 0 {
                matches!(b0 & 0x0f, 0 | 4 | 5)
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
        config: None,
    };
    if sound_format == 9 {
        let packet_type = b0 & 0x0f;
        h.packet_type = Some(packet_type);
        h.sequence_header = matches!(packet_type, 0 | 4);
        if packet_type == 5 {
            // Multitrack: a byte of (multitrack type << 4 | packet type), then the FourCC unless
            // every track has its own codec.
            h.multitrack = true;
            let b1 = *body.get(1).ok_or(MediaError::Short {
                what: "multitrack audio header",
                needed: 2,
                have: body.len(),
            })?;
            if b1 >> 4 != 2 {
                h.fourcc = fourcc(body.get(2..).unwrap_or_default());
            }
        } else {
            h.fourcc = Some(fourcc(body.get(1..).unwrap_or_default()).ok_or(
                MediaError::Short {
                    what: "Enhanced RTMP audio FourCC",
                    needed: 5,
                    have: body.len(),
                },
            )?);
            if packet_type == 0 {
                h.config = body.get(5..).map(boxed_config);
            }
        }
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
            h.config = body.get(2..).map(boxed_config);
        }
    }
    Ok(h)
}

fn boxed_config(bytes: &[u8]) -> Box<HexBytes> {
    Box::new(HexBytes::from(bytes))
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
        config: None,
    };
    let short = |what, needed| MediaError::Short {
        what,
        needed,
        have: body.len(),
    };
    if enhanced {
        let packet_type = b0 & 0x0f;
        h.packet_type = Some(packet_type);
        h.sequence_header = matches!(packet_type, 0 | 5);
        if packet_type == 6 {
            let b1 = *body.get(1).ok_or(short("multitrack video header", 2))?;
            if b1 >> 4 != 2 {
                h.fourcc = fourcc(body.get(2..).unwrap_or_default());
            }
        } else {
            h.fourcc = Some(
                fourcc(body.get(1..).unwrap_or_default())
                    .ok_or(short("Enhanced RTMP video FourCC", 5))?,
            );
            if packet_type == 0 {
                h.config = body.get(5..).map(boxed_config);
            }
        }
        if packet_type == 1 && matches!(h.fourcc.as_deref(), Some("avc1" | "hvc1")) {
            h.composition_time =
                Some(si24(body.get(5..).unwrap_or_default()).ok_or(short("composition time", 8))?);
        }
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
            h.config = body.get(5..).map(boxed_config);
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
        assert_eq!(h.fourcc.as_deref(), Some("Opus"));
        assert!(h.sequence_header);
        assert_eq!(h.rate_hz, None);
        let h = decode_audio(&[0x91, b'm', b'p', b'4', b'a']).unwrap();
        assert_eq!(h.packet_type_name(), Some("CodedFrames"));
        assert!(!h.sequence_header);
        let h = decode_audio(&[0x95, 0x01, b'f', b'L', b'a', b'C', 0]).unwrap();
        assert!(h.multitrack);
        assert_eq!(h.fourcc.as_deref(), Some("fLaC"));
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
        assert_eq!(h.config, Some(Box::new(HexBytes(vec![0x12, 0x10]))));
        assert_eq!(decode_audio(&[0xaf, 0x01, 0x21]).unwrap().config, None);
        let h = decode_audio(&[0x90, b'O', b'p', b'u', b's', 1, 2]).unwrap();
        assert_eq!(h.config, Some(Box::new(HexBytes(vec![1, 2]))));
        let h = decode_video(&[0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64]).unwrap();
        assert_eq!(h.config, Some(Box::new(HexBytes(vec![0x01, 0x64]))));
        assert_eq!(
            decode_video(&[0x27, 0x01, 0, 0, 0, 9]).unwrap().config,
            None
        );
        let h = decode_video(&[0x90, b'h', b'v', b'c', b'1', 0x01]).unwrap();
        assert_eq!(h.config, Some(Box::new(HexBytes(vec![0x01]))));
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
}
