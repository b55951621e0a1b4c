//! Protocol control messages (types 1, 2, 3, 5, 6) and User Control events (type 4).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;

/// Why a control message body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("{what} needs {needed} bytes, body has {have}")]
    Short {
        what: &'static str,
        needed: usize,
        have: usize,
    },
}

/// A decoded protocol control message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "control", rename_all = "snake_case")]
pub enum ProtocolControl {
    /// The raw 32-bit value; the top bit must be 0.
    SetChunkSize {
        chunk_size: u32,
    },
    Abort {
        csid: u32,
    },
    Acknowledgement {
        sequence_number: u32,
    },
    WindowAckSize {
        size: u32,
    },
    SetPeerBandwidth {
        size: u32,
        limit_type: u8,
        limit: Cow<'static, str>,
    },
}

/// A User Control event (RTMP spec 7.1.7, plus the SWF verification and buffer events Flash
/// servers use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum UserControlEvent {
    StreamBegin { stream_id: u32 },
    StreamEof { stream_id: u32 },
    StreamDry { stream_id: u32 },
    SetBufferLength { stream_id: u32, buffer_ms: u32 },
    StreamIsRecorded { stream_id: u32 },
    PingRequest { timestamp: u32 },
    PingResponse { timestamp: u32 },
    SwfVerifyRequest { data: HexBytes },
    SwfVerifyResponse { data: HexBytes },
    BufferEmpty { stream_id: u32 },
    BufferReady { stream_id: u32 },
    Unknown { event_type: u16, data: HexBytes },
}

impl UserControlEvent {
    pub fn name(&self) -> &'static str {
        match self {
            UserControlEvent::StreamBegin { .. } => "Stream Begin",
            UserControlEvent::StreamEof { .. } => "Stream EOF",
            UserControlEvent::StreamDry { .. } => "Stream Dry",
            UserControlEvent::SetBufferLength { .. } => "Set Buffer Length",
            UserControlEvent::StreamIsRecorded { .. } => "Stream Is Recorded",
            UserControlEvent::PingRequest { .. } => "Ping Request",
            UserControlEvent::PingResponse { .. } => "Ping Response",
            UserControlEvent::SwfVerifyRequest { .. } => "SWF Verification Request",
            UserControlEvent::SwfVerifyResponse { .. } => "SWF Verification Response",
            UserControlEvent::BufferEmpty { .. } => "Buffer Empty",
            UserControlEvent::BufferReady { .. } => "Buffer Ready",
            UserControlEvent::Unknown { .. } => "Unknown",
        }
    }
}

fn be32(body: &[u8], at: usize, what: &'static str) -> Result<u32, ControlError> {
    match body
        .get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
    {
        Some(b) => Ok(u32::from_be_bytes(b)),
        None => Err(ControlError::Short {
            what,
            needed: at + 4,
            have: body.len(),
        }),
    }
}

pub fn limit_type_name(limit_type: u8) -> &'static str {
    match limit_type {
        0 => "hard",
        1 => "soft",
        2 => "dynamic",
        _ => "unknown",
    }
}

/// Decodes a protocol control message (types 1, 2, 3, 5, 6). `None` for other types. Bytes
/// past the fields are ignored (the caller notes them).
pub fn decode_protocol_control(
    type_id: u8,
    body: &[u8],
) -> Option<Result<ProtocolControl, ControlError>> {
    let decoded = match type_id {
        1 => be32(body, 0, "Set Chunk Size")
            .map(|chunk_size| ProtocolControl::SetChunkSize { chunk_size }),
        2 => be32(body, 0, "Abort Message").map(|csid| ProtocolControl::Abort { csid }),
        3 => be32(body, 0, "Acknowledgement")
            .map(|sequence_number| ProtocolControl::Acknowledgement { sequence_number }),
        5 => be32(body, 0, "Window Acknowledgement Size")
            .map(|size| ProtocolControl::WindowAckSize { size }),
        6 => be32(body, 0, "Set Peer Bandwidth").and_then(|size| {
            let limit_type = *body.get(4).ok_or(ControlError::Short {
                what: "Set Peer Bandwidth",
                needed: 5,
                have: body.len(),
            })?;
            Ok(ProtocolControl::SetPeerBandwidth {
                size,
                limit_type,
                limit: Cow::Borrowed(limit_type_name(limit_type)),
            })
        }),
        _ => return None,
    };
    Some(decoded)
}

/// The body length a protocol control message should have.
pub fn protocol_control_length(type_id: u8) -> Option<usize> {
    match type_id {
        1 | 2 | 3 | 5 => Some(4),
        6 => Some(5),
        _ => None,
    }
}

/// Decodes a User Control message body: a 2-byte event type and the event data. Returns the
/// event and how many body bytes it used.
pub fn decode_user_control(body: &[u8]) -> Result<(UserControlEvent, usize), ControlError> {
    let event_type = match body.get(..2) {
        Some(&[b0, b1]) => u16::from_be_bytes([b0, b1]),
        _ => {
            return Err(ControlError::Short {
                what: "User Control event type",
                needed: 2,
                have: body.len(),
            })
        }
    };
    let stream_id = |what| be32(body, 2, what);
    let rest = || HexBytes(body.get(2..).unwrap_or_default().to_vec());
    let event = match event_type {
        0 => UserControlEvent::StreamBegin {
            stream_id: stream_id("Stream Begin")?,
        },
        1 => UserControlEvent::StreamEof {
            stream_id: stream_id("Stream EOF")?,
        },
        2 => UserControlEvent::StreamDry {
            stream_id: stream_id("Stream Dry")?,
        },
        3 => UserControlEvent::SetBufferLength {
            stream_id: stream_id("Set Buffer Length")?,
            buffer_ms: be32(body, 6, "Set Buffer Length")?,
        },
        4 => UserControlEvent::StreamIsRecorded {
            stream_id: stream_id("Stream Is Recorded")?,
        },
        6 => UserControlEvent::PingRequest {
            timestamp: be32(body, 2, "Ping Request")?,
        },
        7 => UserControlEvent::PingResponse {
            timestamp: be32(body, 2, "Ping Response")?,
        },
        26 => UserControlEvent::SwfVerifyRequest { data: rest() },
        27 => UserControlEvent::SwfVerifyResponse { data: rest() },
        31 => UserControlEvent::BufferEmpty {
            stream_id: stream_id("Buffer Empty")?,
        },
        32 => UserControlEvent::BufferReady {
            stream_id: stream_id("Buffer Ready")?,
        },
        _ => UserControlEvent::Unknown {
            event_type,
            data: rest(),
        },
    };
    let used = match event_type {
        3 => 10,
        0..=2 | 4 | 6 | 7 | 31 | 32 => 6,
        _ => body.len(),
    };
    Ok((event, used))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn protocol_control_messages() {
        assert_eq!(
            decode_protocol_control(1, &[0, 0, 0x10, 0]),
            Some(Ok(ProtocolControl::SetChunkSize { chunk_size: 4096 }))
        );
        assert_eq!(
            decode_protocol_control(2, &[0, 0, 0, 4]),
            Some(Ok(ProtocolControl::Abort { csid: 4 }))
        );
        assert_eq!(
            decode_protocol_control(3, &[0, 0x2d, 0xc6, 0xc0]),
            Some(Ok(ProtocolControl::Acknowledgement {
                sequence_number: 3_000_000
            }))
        );
        assert_eq!(
            decode_protocol_control(5, &[0x00, 0x4c, 0x4b, 0x40]),
            Some(Ok(ProtocolControl::WindowAckSize { size: 5_000_000 }))
        );
        assert_eq!(
            decode_protocol_control(6, &[0x00, 0x4c, 0x4b, 0x40, 0x02]),
            Some(Ok(ProtocolControl::SetPeerBandwidth {
                size: 5_000_000,
                limit_type: 2,
                limit: Cow::Borrowed("dynamic")
            }))
        );
        assert_eq!(limit_type_name(0), "hard");
        assert_eq!(limit_type_name(1), "soft");
        assert!(matches!(
            decode_protocol_control(6, &[0, 0, 0, 1]),
            Some(Err(ControlError::Short { needed: 5, .. }))
        ));
        assert!(decode_protocol_control(1, &[0, 0]).unwrap().is_err());
        assert_eq!(decode_protocol_control(8, &[]), None);
        assert_eq!(protocol_control_length(6), Some(5));
    }

    #[test]
    fn user_control_events() {
        let ev = |b: &[u8]| decode_user_control(b).unwrap().0;
        assert_eq!(
            ev(&[0, 0, 0, 0, 0, 1]),
            UserControlEvent::StreamBegin { stream_id: 1 }
        );
        assert_eq!(
            ev(&[0, 1, 0, 0, 0, 1]),
            UserControlEvent::StreamEof { stream_id: 1 }
        );
        assert_eq!(
            ev(&[0, 2, 0, 0, 0, 2]),
            UserControlEvent::StreamDry { stream_id: 2 }
        );
        // rtmpdump's Set Buffer Length: stream 1, 36 000 000 ms (-m 15 ... --live uses 10 h).
        assert_eq!(
            decode_user_control(&[0, 3, 0, 0, 0, 1, 0x02, 0x25, 0x51, 0x00]).unwrap(),
            (
                UserControlEvent::SetBufferLength {
                    stream_id: 1,
                    buffer_ms: 0x0225_5100
                },
                10
            )
        );
        assert_eq!(
            ev(&[0, 4, 0, 0, 0, 1]),
            UserControlEvent::StreamIsRecorded { stream_id: 1 }
        );
        assert_eq!(
            ev(&[0, 6, 0, 0, 0x30, 0x39]),
            UserControlEvent::PingRequest { timestamp: 12345 }
        );
        assert_eq!(
            ev(&[0, 7, 0, 0, 0x30, 0x39]),
            UserControlEvent::PingResponse { timestamp: 12345 }
        );
        assert_eq!(
            ev(&[0, 26, 0]),
            UserControlEvent::SwfVerifyRequest {
                data: HexBytes(vec![0])
            }
        );
        let mut resp = vec![0, 27, 1, 1];
        resp.extend([0xab; 40]);
        match ev(&resp) {
            UserControlEvent::SwfVerifyResponse { data } => assert_eq!(data.0.len(), 42),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ev(&[0, 31, 0, 0, 0, 1]),
            UserControlEvent::BufferEmpty { stream_id: 1 }
        );
        assert_eq!(
            ev(&[0, 32, 0, 0, 0, 1]),
            UserControlEvent::BufferReady { stream_id: 1 }
        );
        assert_eq!(
            ev(&[0, 99, 1, 2]),
            UserControlEvent::Unknown {
                event_type: 99,
                data: HexBytes(vec![1, 2])
            }
        );
        assert!(decode_user_control(&[0, 3, 0, 0, 0, 1]).is_err());
        assert!(decode_user_control(&[0]).is_err());
        assert_eq!(ev(&[0, 0, 0, 0, 0, 1]).name(), "Stream Begin");
    }

    #[test]
    fn user_control_serializes_with_event_name() {
        let json = serde_json::to_string(&UserControlEvent::SetBufferLength {
            stream_id: 1,
            buffer_ms: 3000,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"event":"set_buffer_length","stream_id":1,"buffer_ms":3000}"#
        );
    }
}
