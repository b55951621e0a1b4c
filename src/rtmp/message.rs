//! RTMP messages: [`RtmpMessage`] (header facts, where it came from) and its decoded
//! [`MessageBody`].

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;

use super::aggregate::{split_aggregate_with, Aggregate};
use super::body_spans::BodySpans;
use super::command::{
    parse_command_with, parse_data_with, parse_shared_object_with, Command, DataMessage,
    SharedObjectMessage,
};
use super::control::{
    decode_protocol_control, decode_user_control, protocol_control_length, ProtocolControl,
    UserControlEvent,
};
use super::hex::HexBytes;
use super::media::{decode_audio, decode_video, AudioTagHeader, VideoTagHeader};
use super::stream::RawMessage;
use super::{Dir, RtmpConfig};
use crate::amf::AmfLimits;

pub const TYPE_USER_CONTROL: u8 = 4;
pub const TYPE_DATA_AMF3: u8 = 15;
pub const TYPE_SHARED_OBJECT_AMF3: u8 = 16;
pub const TYPE_COMMAND_AMF3: u8 = 17;
pub const TYPE_DATA_AMF0: u8 = 18;
pub const TYPE_SHARED_OBJECT_AMF0: u8 = 19;
pub const TYPE_COMMAND_AMF0: u8 = 20;
pub const TYPE_AGGREGATE: u8 = 22;

/// The spec's name for a message type id.
pub fn type_name(type_id: u8) -> &'static str {
    match type_id {
        1 => "Set Chunk Size",
        2 => "Abort Message",
        3 => "Acknowledgement",
        4 => "User Control",
        5 => "Window Acknowledgement Size",
        6 => "Set Peer Bandwidth",
        8 => "Audio",
        9 => "Video",
        15 => "AMF3 Data",
        16 => "AMF3 Shared Object",
        17 => "AMF3 Command",
        18 => "AMF0 Data",
        19 => "AMF0 Shared Object",
        20 => "AMF0 Command",
        22 => "Aggregate",
        _ => "Unknown",
    }
}

/// Message types the spec defines.
pub fn is_known_type(type_id: u8) -> bool {
    matches!(type_id, 1..=6 | 8 | 9 | 15..=20 | 22)
}

/// Why a header's type and length cannot be real, if they cannot. Unused type ids 7, 10-14 and
/// 21 pass (reported later as unknown); 0 and ids above 22 do not. Bounds: protocol control
/// bodies are 4-5 bytes (16 allowed), User Control at most 1024 (the longest real event, the SWF
/// verification response, is 44), commands/data/shared objects and unknown types at most
/// [`RtmpConfig::max_nonmedia_length`]; audio, video and aggregates may use all 24 bits.
pub fn header_problem(type_id: u8, length: u32, config: &RtmpConfig) -> Option<String> {
    let limit = match type_id {
        0 => return Some("message type 0 does not exist".into()),
        23.. => return Some(format!("message type {type_id} does not exist")),
        1..=3 | 5 | 6 => 16,
        4 => 1024,
        8 | 9 | 22 => return None,
        _ => config.max_nonmedia_length,
    };
    (length > limit).then(|| {
        format!(
            "{} message of {length} bytes (at most {limit} is plausible)",
            type_name(type_id)
        )
    })
}

/// A decoded message body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum MessageBody {
    Control(ProtocolControl),
    UserControl(UserControlEvent),
    // The rare, large bodies are boxed: the enum stays the size of a media tag header.
    Command(Box<Command>),
    Data(Box<DataMessage>),
    SharedObject(Box<SharedObjectMessage>),
    Audio(AudioTagHeader),
    Video(VideoTagHeader),
    Aggregate(Box<Aggregate>),
    /// A message type the spec does not define: the first bytes.
    Unknown {
        prefix: HexBytes,
    },
    /// The body could not be decoded (boxed too: rare, and two heap fields).
    Invalid(Box<InvalidBody>),
}

/// Why a body could not be decoded, and its first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidBody {
    pub reason: String,
    pub prefix: HexBytes,
}

fn invalid(reason: String, body: &[u8]) -> MessageBody {
    MessageBody::Invalid(Box::new(InvalidBody {
        reason,
        prefix: body.get(..body.len().min(32)).unwrap_or_default().into(),
    }))
}

/// Decodes a body (or the kept prefix of one). Returns the body and a note about bytes left
/// over after the decoded fields, if any.
pub fn decode_body(type_id: u8, body: &[u8], timestamp: u32) -> (MessageBody, Option<String>) {
    decode_body_with(type_id, body, timestamp, AmfLimits::default())
}

/// [`decode_body`] with the AMF decoder's limits given (for commands, data, shared objects and
/// the data tags of aggregates).
pub fn decode_body_with(
    type_id: u8,
    body: &[u8],
    timestamp: u32,
    limits: AmfLimits,
) -> (MessageBody, Option<String>) {
    if let Some(decoded) = decode_protocol_control(type_id, body) {
        let note = protocol_control_length(type_id)
            .filter(|&n| body.len() > n)
            .map(|n| format!("{} extra bytes after the {n}-byte body", body.len() - n));
        return match decoded {
            Ok(c) => (MessageBody::Control(c), note),
            Err(e) => (invalid(e.to_string(), body), None),
        };
    }
    let decoded = match type_id {
        TYPE_USER_CONTROL => {
            return match decode_user_control(body) {
                Ok((ev, used)) => {
                    let note = (body.len() > used)
                        .then(|| format!("{} extra bytes after the event data", body.len() - used));
                    (MessageBody::UserControl(ev), note)
                }
                Err(e) => (invalid(e.to_string(), body), None),
            }
        }
        8 => decode_audio(body).map_or_else(|e| invalid(e.to_string(), body), MessageBody::Audio),
        9 => decode_video(body).map_or_else(|e| invalid(e.to_string(), body), MessageBody::Video),
        TYPE_COMMAND_AMF0 => {
            MessageBody::Command(Box::new(parse_command_with(body, false, limits)))
        }
        TYPE_COMMAND_AMF3 => MessageBody::Command(Box::new(parse_command_with(body, true, limits))),
        TYPE_DATA_AMF0 => MessageBody::Data(Box::new(parse_data_with(body, false, limits))),
        TYPE_DATA_AMF3 => MessageBody::Data(Box::new(parse_data_with(body, true, limits))),
        TYPE_SHARED_OBJECT_AMF0 => {
            MessageBody::SharedObject(Box::new(parse_shared_object_with(body, false, limits)))
        }
        TYPE_SHARED_OBJECT_AMF3 => {
            MessageBody::SharedObject(Box::new(parse_shared_object_with(body, true, limits)))
        }
        TYPE_AGGREGATE => MessageBody::Aggregate(Box::new(split_aggregate_with(
            body,
            body.len() as u32,
            timestamp,
            limits,
        ))),
        _ => MessageBody::Unknown {
            prefix: body.get(..body.len().min(32)).unwrap_or_default().into(),
        },
    };
    (decoded, None)
}

/// One RTMP message of a connection.
///
/// The JSON has a `type_name` after `type_id` (see [`RtmpMessage::type_name`]); the struct
/// derives it from the id rather than holding it, so that a media message's record stays small.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RtmpMessage {
    /// The RTMP role that sent it (C2S = from the client).
    pub dir: Dir,
    pub csid: u32,
    pub msid: u32,
    pub type_id: u8,
    /// Absolute timestamp, ms.
    pub timestamp: u32,
    /// The delta the first chunk header gave (fmt 1, 2, 3).
    #[serde(default)]
    pub timestamp_delta: Option<u32>,
    /// Declared body length.
    pub length: u32,
    /// fmt of the first chunk header.
    pub fmt: u8,
    pub extended_timestamp: bool,
    pub chunks: u32,
    /// Frame of the first chunk's first byte.
    pub first_frame: u64,
    /// Frame that completed the message, and its time.
    pub frame: u64,
    pub time: Timestamp,
    /// Stream offset of the first chunk header.
    pub stream_offset: u64,
    #[serde(default)]
    pub file_offset: Option<u64>,
    /// Header fields inherited across a resynchronisation (timestamp may be off).
    #[serde(default)]
    pub inferred: bool,
    /// First message decoded after a resynchronisation.
    #[serde(default)]
    pub resync_point: bool,
    /// Bytes of the body are missing (gap, or the stream ended or lost sync inside it).
    #[serde(default)]
    pub damaged: bool,
    /// Body bytes lost (u32: they are part of the body, whose length has 24 bits).
    #[serde(default)]
    pub missing_bytes: u32,
    /// A memory cap kept only a prefix of a body that is decoded whole (commands, data).
    #[serde(default)]
    pub truncated: bool,
    pub body: MessageBody,
    /// The body bytes and where they lie in the file, when asked for (never serialized; see
    /// [`RtmpMessage::payload`] and [`RtmpMessage::body_spans`]).
    #[serde(skip)]
    pub kept: Option<Box<KeptBody>>,
}

/// What a message keeps of its body only on request: boxed, since an analysis usually asks
/// for neither and there is one per message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptBody {
    /// The body bytes as kept, with [`RtmpConfig::keep_payload`].
    pub payload: Option<Vec<u8>>,
    /// Where the body lies in the capture file, with [`RtmpConfig::record_body_spans`].
    pub body_spans: Option<BodySpans>,
}

/// [`RtmpMessage`]'s JSON, borrowed: its fields in order, with the type's name.
#[derive(Serialize)]
struct RtmpMessageJson<'a> {
    dir: Dir,
    csid: u32,
    msid: u32,
    type_id: u8,
    type_name: &'static str,
    timestamp: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp_delta: Option<u32>,
    length: u32,
    fmt: u8,
    extended_timestamp: bool,
    chunks: u32,
    first_frame: u64,
    frame: u64,
    time: Timestamp,
    stream_offset: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_offset: Option<u64>,
    inferred: bool,
    resync_point: bool,
    damaged: bool,
    missing_bytes: u32,
    truncated: bool,
    body: &'a MessageBody,
}

impl Serialize for RtmpMessage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Destructured in full, so that a new field cannot be forgotten here.
        let RtmpMessage {
            dir,
            csid,
            msid,
            type_id,
            timestamp,
            timestamp_delta,
            length,
            fmt,
            extended_timestamp,
            chunks,
            first_frame,
            frame,
            time,
            stream_offset,
            file_offset,
            inferred,
            resync_point,
            damaged,
            missing_bytes,
            truncated,
            body,
            kept: _,
        } = self;
        RtmpMessageJson {
            dir: *dir,
            csid: *csid,
            msid: *msid,
            type_id: *type_id,
            type_name: type_name(*type_id),
            timestamp: *timestamp,
            timestamp_delta: *timestamp_delta,
            length: *length,
            fmt: *fmt,
            extended_timestamp: *extended_timestamp,
            chunks: *chunks,
            first_frame: *first_frame,
            frame: *frame,
            time: *time,
            stream_offset: *stream_offset,
            file_offset: *file_offset,
            inferred: *inferred,
            resync_point: *resync_point,
            damaged: *damaged,
            missing_bytes: *missing_bytes,
            truncated: *truncated,
            body,
        }
        .serialize(s)
    }
}

impl RtmpMessage {
    /// Decodes a reassembled message. Returns it with a note on leftover body bytes, if any.
    pub fn from_raw(raw: RawMessage, dir: Dir) -> (RtmpMessage, Option<String>) {
        RtmpMessage::from_raw_with(raw, dir, AmfLimits::default(), false)
    }

    /// [`RtmpMessage::from_raw`] with the AMF decoder's limits given, moving the body bytes
    /// to `payload` when `keep_payload`.
    pub fn from_raw_with(
        raw: RawMessage,
        dir: Dir,
        limits: AmfLimits,
        keep_payload: bool,
    ) -> (RtmpMessage, Option<String>) {
        let (body, note) = decode_body_with(raw.type_id, &raw.body, raw.timestamp, limits);
        let damaged = raw.damaged();
        let mut msg = RtmpMessage {
            dir,
            csid: raw.csid,
            msid: raw.msid,
            type_id: raw.type_id,
            timestamp: raw.timestamp,
            timestamp_delta: raw.timestamp_delta,
            length: raw.length,
            fmt: raw.first_fmt,
            extended_timestamp: raw.extended_timestamp,
            chunks: raw.chunks,
            first_frame: raw.first.frame,
            frame: raw.last.frame,
            time: raw.last.time,
            stream_offset: raw.first.stream_offset,
            file_offset: raw.first.file_offset,
            inferred: raw.inferred,
            resync_point: raw.resync_point,
            damaged,
            missing_bytes: u32::try_from(raw.missing).unwrap_or(u32::MAX),
            truncated: raw.truncated,
            body,
            kept: None,
        };
        let payload = keep_payload.then_some(raw.body);
        let body_spans = raw.body_spans.map(|spans| *spans);
        if payload.is_some() || body_spans.is_some() {
            msg.kept = Some(Box::new(KeptBody {
                payload,
                body_spans,
            }));
        }
        (msg, note)
    }

    /// The body bytes as kept, with [`RtmpConfig::keep_payload`].
    pub fn payload(&self) -> Option<&[u8]> {
        self.kept.as_ref()?.payload.as_deref()
    }

    /// Takes the kept body bytes out of the message.
    pub fn take_payload(&mut self) -> Option<Vec<u8>> {
        self.kept.as_mut()?.payload.take()
    }

    /// Where the body lies in the capture file, with [`RtmpConfig::record_body_spans`].
    pub fn body_spans(&self) -> Option<&BodySpans> {
        self.kept.as_ref()?.body_spans.as_ref()
    }

    /// The spec's name for the message's type.
    pub fn type_name(&self) -> &'static str {
        type_name(self.type_id)
    }

    pub fn command(&self) -> Option<&Command> {
        match &self.body {
            MessageBody::Command(c) => Some(c.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_problems() {
        let c = RtmpConfig::default();
        assert!(header_problem(0, 4, &c).is_some());
        assert!(header_problem(23, 4, &c).is_some());
        assert!(header_problem(255, 4, &c).is_some());
        assert_eq!(header_problem(1, 4, &c), None);
        assert!(header_problem(1, 4096, &c).is_some());
        assert!(header_problem(6, 17, &c).is_some());
        assert_eq!(header_problem(4, 44, &c), None);
        assert!(header_problem(4, 5000, &c).is_some());
        assert_eq!(header_problem(9, 0xff_ffff, &c), None);
        assert_eq!(header_problem(22, 0xff_ffff, &c), None);
        assert_eq!(header_problem(20, 4 << 20, &c), None);
        assert!(header_problem(20, (4 << 20) + 1, &c).is_some());
        assert_eq!(header_problem(7, 10, &c), None);
        assert!(is_known_type(22) && !is_known_type(7) && !is_known_type(21));
    }

    #[test]
    fn decodes_each_family() {
        let (b, note) = decode_body(1, &[0, 0, 0x10, 0], 0);
        assert_eq!(
            b,
            MessageBody::Control(ProtocolControl::SetChunkSize { chunk_size: 4096 })
        );
        assert_eq!(note, None);
        let (_, note) = decode_body(5, &[0, 0, 0x10, 0, 9], 0);
        assert!(note.is_some());
        let (b, _) = decode_body(4, &[0, 0, 0, 0, 0, 1], 0);
        assert_eq!(
            b,
            MessageBody::UserControl(UserControlEvent::StreamBegin { stream_id: 1 })
        );
        assert!(matches!(
            decode_body(8, &[0xaf, 1], 0).0,
            MessageBody::Audio(_)
        ));
        assert!(matches!(
            decode_body(9, &[0x27, 1, 0, 0, 0], 0).0,
            MessageBody::Video(_)
        ));
        assert!(matches!(
            decode_body(9, &[], 0).0,
            MessageBody::Invalid { .. }
        ));
        assert!(matches!(
            decode_body(3, &[1], 0).0,
            MessageBody::Invalid { .. }
        ));
        assert!(matches!(
            decode_body(20, &[2, 0, 0], 0).0,
            MessageBody::Command(_)
        ));
        assert!(matches!(
            decode_body(17, &[0], 0).0,
            MessageBody::Command(c) if c.amf3
        ));
        assert!(matches!(decode_body(18, &[], 0).0, MessageBody::Data(_)));
        assert!(matches!(
            decode_body(15, &[], 0).0,
            MessageBody::Data(d) if d.amf3
        ));
        assert!(matches!(
            decode_body(19, &[], 0).0,
            MessageBody::SharedObject(_)
        ));
        assert!(matches!(
            decode_body(16, &[], 0).0,
            MessageBody::SharedObject(_)
        ));
        assert!(matches!(
            decode_body(22, &[], 0).0,
            MessageBody::Aggregate(_)
        ));
        assert!(matches!(
            decode_body(7, &[1, 2], 0).0,
            MessageBody::Unknown { .. }
        ));
    }

    #[test]
    fn body_serializes_with_kind() {
        let b = MessageBody::Control(ProtocolControl::WindowAckSize { size: 2_500_000 });
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"control","value":{"control":"window_ack_size","size":2500000}}"#
        );
        assert_eq!(serde_json::from_str::<MessageBody>(&json).unwrap(), b);
        // The boxed undecodable body keeps the shape of the struct variant it was.
        let (b, _) = decode_body(9, &[], 0);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"invalid","value":{"reason":"empty video body","prefix":""}}"#
        );
        assert_eq!(serde_json::from_str::<MessageBody>(&json).unwrap(), b);
    }
}
