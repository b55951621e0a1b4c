//! Audio (8) and video (9) message bodies: the FLV tag header only, legacy and Enhanced RTMP.
//! The codec payload is not decoded here.

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media_ex::{peek_packet_types, read_ex_header, MediaTrack};
pub use super::media_ex::{ExTagFields, MultichannelConfig};
use super::media_json::{AudioTagHeaderJson, VideoTagHeaderJson};
pub use super::media_names::{
    audio_packet_type_name, avc_packet_type_name, frame_type_name, sound_format_name,
    video_codec_name, video_fourcc_name, video_packet_type_name,
};
use crate::amf::{decode_amf0_all, AmfLimits};
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
#[path = "media_tests.rs"]
pub(crate) mod tests;
