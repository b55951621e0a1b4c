//! The JSON shape of audio and video tag headers: the ids and flags of
//! [`AudioTagHeader`]/[`VideoTagHeader`] (and of their boxed [`ExTagFields`] and
//! [`MultichannelConfig`]) plus the names derived from them, in the order the report has always
//! written them. Names in the input are ignored (they follow from the ids).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media::{
    audio_packet_type_name, video_packet_type_name, AudioTagHeader, ExTagFields, FourCc,
    MultichannelConfig, VideoTagHeader,
};
use super::media_ex::{multitrack_type_name, MediaTrack};
use crate::amf::AmfValue;

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
    fourcc: Option<FourCc>,
    #[serde(default)]
    multitrack: bool,
    sequence_header: bool,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    ex: Option<ExTagFieldsJson>,
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
            ex: h
                .ex
                .map(|ex| ExTagFieldsJson::new(*ex, audio_packet_type_name)),
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
    fourcc: Option<FourCc>,
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
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    ex: Option<ExTagFieldsJson>,
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
            ex: h
                .ex
                .map(|ex| ExTagFieldsJson::new(*ex, video_packet_type_name)),
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
            ex: present(j.ex),
        }
    }
}

/// [`ExTagFields`] with the names of the multitrack layout and of the tracks' packet type.
#[derive(Serialize, Deserialize)]
struct ExTagFieldsJson {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    config: Option<HexBytes>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    mod_ex: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    timestamp_offset_nano: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    multitrack_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    multitrack_type_name: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    track_packet_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    track_packet_type_name: Option<Cow<'static, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    tracks: Vec<MediaTrack>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    metadata: Vec<AmfValue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    multichannel: Option<MultichannelConfig>,
}

impl ExTagFieldsJson {
    /// `packet_type_name` names the tracks' packet type (audio and video differ).
    fn new(ex: ExTagFields, packet_type_name: fn(u8) -> &'static str) -> Self {
        let ExTagFields {
            config,
            mod_ex,
            timestamp_offset_nano,
            multitrack_type,
            track_packet_type,
            tracks,
            metadata,
            multichannel,
        } = ex;
        ExTagFieldsJson {
            config,
            mod_ex,
            timestamp_offset_nano,
            multitrack_type,
            multitrack_type_name: multitrack_type.map(|t| Cow::Borrowed(multitrack_type_name(t))),
            track_packet_type,
            track_packet_type_name: track_packet_type.map(|t| Cow::Borrowed(packet_type_name(t))),
            tracks,
            metadata,
            multichannel,
        }
    }
}

/// A flattened `Option` of a struct whose fields all have defaults comes back `Some(default)`
/// from JSON without any of its keys: that is `None`.
fn present(ex: Option<ExTagFieldsJson>) -> Option<Box<ExTagFields>> {
    let j = ex?;
    let ex = ExTagFields {
        config: j.config,
        mod_ex: j.mod_ex,
        timestamp_offset_nano: j.timestamp_offset_nano,
        multitrack_type: j.multitrack_type,
        track_packet_type: j.track_packet_type,
        tracks: j.tracks,
        metadata: j.metadata,
        multichannel: j.multichannel,
    };
    (ex != ExTagFields::default()).then(|| Box::new(ex))
}

/// [`MultichannelConfig`] with the channel order's name.
#[derive(Serialize, Deserialize)]
pub(super) struct MultichannelConfigJson {
    channel_order: u8,
    #[serde(default)]
    channel_order_name: Cow<'static, str>,
    channel_count: u8,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    channel_mapping: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    channel_flags: Option<u32>,
}

impl From<MultichannelConfig> for MultichannelConfigJson {
    fn from(m: MultichannelConfig) -> Self {
        MultichannelConfigJson {
            channel_order: m.channel_order,
            channel_order_name: Cow::Borrowed(m.channel_order_name()),
            channel_count: m.channel_count,
            channel_mapping: m.channel_mapping,
            channel_flags: m.channel_flags,
        }
    }
}

impl From<MultichannelConfigJson> for MultichannelConfig {
    fn from(j: MultichannelConfigJson) -> Self {
        MultichannelConfig {
            channel_order: j.channel_order,
            channel_count: j.channel_count,
            channel_mapping: j.channel_mapping,
            channel_flags: j.channel_flags,
        }
    }
}

#[cfg(test)]
#[path = "media_json_tests.rs"]
mod tests;
