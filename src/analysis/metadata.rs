//! `onMetaData` (also inside `@setDataFrame`): what the publisher declares about its stream.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::amf::AmfValue;
use crate::rtmp::command::DataMessage;
use crate::rtmp::media::{sound_format_name, video_codec_name};

/// A codec id as `onMetaData` gives it: a legacy FLV number (7 = AVC, 10 = AAC), a FourCC
/// packed into a number (Enhanced RTMP: 1635148593 = "avc1"), or a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredCodec {
    /// The value as sent (a number or a string).
    pub value: AmfValue,
    /// What it means: "AVC", "AAC", "avc1", "hvc1", ...
    pub name: String,
}

/// The declared properties of a stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamMetadata {
    /// The first `onMetaData` message on the stream, and how many there were.
    pub message: u64,
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub width: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub height: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frame_rate: Option<f64>,
    /// `videodatarate` and `audiodatarate`, kbit/s.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub video_kbps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audio_kbps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub video_codec: Option<DeclaredCodec>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audio_codec: Option<DeclaredCodec>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audio_sample_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audio_sample_size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stereo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration: Option<f64>,
    /// `encoder` (ffmpeg's "Lavf59.27.100"), or `metadatacreator`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encoder: Option<String>,
}

/// The FourCC packed into a number, when all four bytes are printable ASCII.
pub fn fourcc_of_number(n: f64) -> Option<String> {
    if !(0.0..=f64::from(u32::MAX)).contains(&n) || n.fract() != 0.0 {
        return None;
    }
    let bytes = (n as u32).to_be_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ')
        .then(|| bytes.iter().map(|&b| char::from(b)).collect())
}

fn declared_codec(value: &AmfValue, legacy_name: fn(u8) -> &'static str) -> DeclaredCodec {
    let name = match value {
        AmfValue::String(s) => s.clone(),
        _ => match value.as_f64() {
            Some(n) if (0.0..16.0).contains(&n) && n.fract() == 0.0 => {
                legacy_name(n as u8).to_string()
            }
            Some(n) => fourcc_of_number(n).unwrap_or_else(|| format!("unknown ({n})")),
            None => format!("unknown ({})", value.type_name()),
        },
    };
    DeclaredCodec {
        value: value.clone(),
        name,
    }
}

/// The metadata object of a data message, when it is `onMetaData` or
/// `@setDataFrame("onMetaData", {...})`.
pub fn metadata_object(data: &DataMessage) -> Option<&AmfValue> {
    let mut values = data.values.iter();
    let mut handler = values.next()?.as_str()?;
    if handler == "@setDataFrame" {
        handler = values.next()?.as_str()?;
    }
    (handler == "onMetaData").then(|| values.next()).flatten()
}

impl StreamMetadata {
    /// Reads the properties of an `onMetaData` object (other keys are ignored).
    pub fn from_object(object: &AmfValue, message: u64) -> Self {
        let number = |key: &str| object.get(key).and_then(AmfValue::as_f64);
        let text = |key: &str| {
            object
                .get(key)
                .and_then(AmfValue::as_str)
                .map(str::to_string)
        };
        StreamMetadata {
            message,
            count: 1,
            width: number("width"),
            height: number("height"),
            frame_rate: number("framerate").or_else(|| number("videoframerate")),
            video_kbps: number("videodatarate"),
            audio_kbps: number("audiodatarate"),
            video_codec: object
                .get("videocodecid")
                .map(|v| declared_codec(v, video_codec_name)),
            audio_codec: object
                .get("audiocodecid")
                .map(|v| declared_codec(v, sound_format_name)),
            audio_sample_rate: number("audiosamplerate"),
            audio_sample_size: number("audiosamplesize"),
            stereo: object.get("stereo").and_then(AmfValue::as_bool),
            duration: number("duration"),
            encoder: text("encoder").or_else(|| text("metadatacreator")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn object(props: &[(&str, AmfValue)]) -> AmfValue {
        AmfValue::EcmaArray(
            props
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn ffmpeg_metadata_inside_set_data_frame() {
        let meta = object(&[
            ("width", AmfValue::Number(640.0)),
            ("height", AmfValue::Number(360.0)),
            ("videodatarate", AmfValue::Number(781.25)),
            ("framerate", AmfValue::Number(30.0)),
            ("videocodecid", AmfValue::Number(7.0)),
            ("audiocodecid", AmfValue::Number(10.0)),
            ("encoder", AmfValue::String("Lavf59.27.100".into())),
        ]);
        let data = DataMessage {
            amf3: false,
            values: vec![
                AmfValue::String("@setDataFrame".into()),
                AmfValue::String("onMetaData".into()),
                meta,
            ],
            error: None,
        };
        let m = StreamMetadata::from_object(metadata_object(&data).unwrap(), 12);
        assert_eq!(
            (m.width, m.height, m.frame_rate),
            (Some(640.0), Some(360.0), Some(30.0))
        );
        assert_eq!(m.video_codec.unwrap().name, "AVC");
        assert_eq!(m.audio_codec.unwrap().name, "AAC");
        assert_eq!(m.encoder.as_deref(), Some("Lavf59.27.100"));
        assert_eq!(m.video_kbps, Some(781.25));
    }

    #[test]
    fn fourcc_codec_ids() {
        let meta = object(&[
            ("videocodecid", AmfValue::Number(1_635_148_593.0)),
            ("audiocodecid", AmfValue::String("Opus".into())),
        ]);
        let m = StreamMetadata::from_object(&meta, 0);
        assert_eq!(m.video_codec.unwrap().name, "avc1");
        assert_eq!(m.audio_codec.unwrap().name, "Opus");
        assert_eq!(
            fourcc_of_number(f64::from(u32::from_be_bytes(*b"hvc1"))).as_deref(),
            Some("hvc1")
        );
        assert_eq!(fourcc_of_number(5.5), None);
        assert_eq!(fourcc_of_number(20.0), None);
    }

    #[test]
    fn other_data_messages_are_not_metadata() {
        let data = DataMessage {
            amf3: false,
            values: vec![AmfValue::String("|RtmpSampleAccess".into())],
            error: None,
        };
        assert!(metadata_object(&data).is_none());
    }
}
