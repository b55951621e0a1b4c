//! The JSON shape of audio and video tag headers: the ids and flags of
//! [`AudioTagHeader`]/[`VideoTagHeader`] plus the names derived from them, in the order the
//! report has always written them. Names in the input are ignored (they follow from the ids).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media::{AudioTagHeader, ExTagFields, VideoTagHeader};

#[derive(Serialize, Deserialize)]
pub(super) struct AudioTagHeaderJson {
    sound_format: u8,
    #[serde(default)]
    format_name: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    rate_hz: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    sample_bits: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    stereo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    aac_packet_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    packet_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    packet_type_name: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    fourcc: Option<String>,
    #[serde(default)]
    multitrack: bool,
    sequence_header: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    config: Option<HexBytes>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    ex: Option<Box<ExTagFields>>,
}

impl From<AudioTagHeader> for AudioTagHeaderJson {
    fn from(h: AudioTagHeader) -> Self {
        let packet_type_name = h.packet_type_name().map(Cow::Borrowed);
        AudioTagHeaderJson {
            sound_format: h.sound_format,
            format_name: Cow::Borrowed(h.format_name()),
            rate_hz: h.rate_hz,
            sample_bits: h.sample_bits,
            stereo: h.stereo,
            aac_packet_type: h.aac_packet_type,
            packet_type: h.packet_type,
            packet_type_name,
            fourcc: h.fourcc,
            multitrack: h.multitrack,
            sequence_header: h.sequence_header,
            config: h.config,
            ex: h.ex,
        }
    }
}

impl From<AudioTagHeaderJson> for AudioTagHeader {
    fn from(j: AudioTagHeaderJson) -> Self {
        AudioTagHeader {
            sound_format: j.sound_format,
            rate_hz: j.rate_hz,
            sample_bits: j.sample_bits,
            stereo: j.stereo,
            aac_packet_type: j.aac_packet_type,
            packet_type: j.packet_type,
            fourcc: j.fourcc,
            multitrack: j.multitrack,
            sequence_header: j.sequence_header,
            config: j.config,
            ex: present(j.ex),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct VideoTagHeaderJson {
    enhanced: bool,
    frame_type: u8,
    #[serde(default)]
    frame_type_name: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    codec_id: Option<u8>,
    #[serde(default)]
    codec_name: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    fourcc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    packet_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    packet_type_name: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    composition_time: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    command: Option<u8>,
    keyframe: bool,
    sequence_header: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    config: Option<HexBytes>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    ex: Option<Box<ExTagFields>>,
}

impl From<VideoTagHeader> for VideoTagHeaderJson {
    fn from(h: VideoTagHeader) -> Self {
        let (frame_type_name, codec_name) = (h.frame_type_name(), h.codec_name());
        let packet_type_name = h.packet_type_name().map(Cow::Borrowed);
        VideoTagHeaderJson {
            enhanced: h.enhanced,
            frame_type: h.frame_type,
            frame_type_name: Cow::Borrowed(frame_type_name),
            codec_id: h.codec_id,
            codec_name: Cow::Borrowed(codec_name),
            fourcc: h.fourcc,
            packet_type: h.packet_type,
            packet_type_name,
            composition_time: h.composition_time,
            command: h.command,
            keyframe: h.keyframe,
            sequence_header: h.sequence_header,
            config: h.config,
            ex: h.ex,
        }
    }
}

impl From<VideoTagHeaderJson> for VideoTagHeader {
    fn from(j: VideoTagHeaderJson) -> Self {
        VideoTagHeader {
            enhanced: j.enhanced,
            frame_type: j.frame_type,
            codec_id: j.codec_id,
            fourcc: j.fourcc,
            packet_type: j.packet_type,
            composition_time: j.composition_time,
            command: j.command,
            keyframe: j.keyframe,
            sequence_header: j.sequence_header,
            config: j.config,
            ex: present(j.ex),
        }
    }
}

/// A flattened `Option` of a struct whose fields all have defaults comes back `Some(default)`
/// from JSON without any of its keys: that is `None`.
fn present(ex: Option<Box<ExTagFields>>) -> Option<Box<ExTagFields>> {
    ex.filter(|ex| **ex != ExTagFields::default())
}

#[cfg(test)]
#[path = "media_json_tests.rs"]
mod tests;
