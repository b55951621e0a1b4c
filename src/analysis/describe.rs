//! One-line descriptions of messages, for tables and timelines: `connect(1, {app: "live"})`,
//! `Set Chunk Size 4096`, `Video AVC keyframe 14.2 KB`.

use crate::amf::AmfValue;
use crate::rtmp::control::{ProtocolControl, UserControlEvent};
use crate::rtmp::media_ex::MediaTrack;
use crate::rtmp::{MessageBody, RtmpMessage};

fn size(bytes: u32) -> String {
    if bytes >= 1024 {
        format!("{:.1} KB", f64::from(bytes) / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn control(c: &ProtocolControl) -> String {
    match c {
        ProtocolControl::SetChunkSize { chunk_size } => format!("Set Chunk Size {chunk_size}"),
        ProtocolControl::Abort { csid } => format!("Abort Message csid {csid}"),
        ProtocolControl::Acknowledgement { sequence_number } => {
            format!("Acknowledgement {sequence_number}")
        }
        ProtocolControl::WindowAckSize { size } => format!("Window Acknowledgement Size {size}"),
        ProtocolControl::SetPeerBandwidth { size, limit, .. } => {
            format!("Set Peer Bandwidth {size} {limit}")
        }
    }
}

fn user_control(e: &UserControlEvent) -> String {
    let name = e.name();
    match e {
        UserControlEvent::StreamBegin { stream_id }
        | UserControlEvent::StreamEof { stream_id }
        | UserControlEvent::StreamDry { stream_id }
        | UserControlEvent::StreamIsRecorded { stream_id }
        | UserControlEvent::BufferEmpty { stream_id }
        | UserControlEvent::BufferReady { stream_id } => format!("{name} {stream_id}"),
        UserControlEvent::SetBufferLength {
            stream_id,
            buffer_ms,
        } => format!("{name} {stream_id}, {buffer_ms} ms"),
        UserControlEvent::PingRequest { timestamp }
        | UserControlEvent::PingResponse { timestamp } => {
            format!("{name} {timestamp}")
        }
        UserControlEvent::SwfVerifyRequest { .. } | UserControlEvent::SwfVerifyResponse { .. } => {
            name.to_string()
        }
        UserControlEvent::Unknown { event_type, .. } => format!("User Control event {event_type}"),
    }
}

/// " tracks 0,1" for a multitrack message: which tracks it carries (FourCCs when they differ).
fn push_tracks(s: &mut String, tracks: &[MediaTrack]) {
    let Some(first) = tracks.first() else {
        return;
    };
    let mixed = tracks.iter().any(|t| t.fourcc != first.fourcc);
    let list: Vec<String> = tracks
        .iter()
        .map(|t| {
            if mixed {
                format!("{}:{}", t.track_id, t.fourcc)
            } else {
                t.track_id.to_string()
            }
        })
        .collect();
    let noun = if tracks.len() == 1 { "track" } else { "tracks" };
    s.push_str(&format!(" {noun} {}", list.join(",")));
}

/// Describes a decoded body of a message of `length` bytes.
pub fn describe_body(body: &MessageBody, length: u32, max_width: usize) -> String {
    match body {
        MessageBody::Control(c) => control(c),
        MessageBody::UserControl(e) => user_control(e),
        MessageBody::Command(c) => c.summary(max_width),
        MessageBody::Data(d) => d.summary(max_width),
        MessageBody::SharedObject(so) => {
            format!(
                "Shared Object '{}' v{}, {} events",
                so.name,
                so.version,
                so.events.len()
            )
        }
        MessageBody::Audio(a) => {
            let name = match (a.fourcc, a.tracks().is_empty()) {
                (Some(fourcc), _) => fourcc.to_string(),
                (None, false) => "multitrack".to_string(),
                (None, true) => a.format_name().to_string(),
            };
            let mut s = format!("Audio {name}");
            push_tracks(&mut s, a.tracks());
            if a.sequence_header {
                s.push_str(" sequence header");
            } else if let Some(name) = a.packet_type_name() {
                s.push(' ');
                s.push_str(name);
            }
            format!("{s} {}", size(length))
        }
        MessageBody::Video(v) => {
            let mut s = match v.fourcc {
                Some(fourcc) => format!("Video {fourcc}"),
                None => format!("Video {}", v.codec_name()),
            };
            push_tracks(&mut s, v.tracks());
            if v.sequence_header {
                s.push_str(" sequence header");
            } else if v.enhanced && v.effective_packet_type() == Some(4) {
                s.push_str(" metadata");
                if let Some(AmfValue::String(name)) =
                    v.ex.as_ref().and_then(|ex| ex.metadata.first())
                {
                    s.push(' ');
                    s.push_str(name);
                }
            } else if v.keyframe {
                s.push_str(" keyframe");
            } else if v.command.is_some() {
                s.push_str(" command frame");
            } else {
                s.push_str(" frame");
            }
            format!("{s} {}", size(length))
        }
        MessageBody::Aggregate(a) => {
            format!("Aggregate of {} messages {}", a.parts.len(), size(length))
        }
        MessageBody::Unknown { .. } => format!("Unknown message {}", size(length)),
        MessageBody::Invalid(invalid) => format!("invalid: {}", invalid.reason),
    }
}

/// Describes a message in one line of roughly `max_width` characters.
pub fn describe(msg: &RtmpMessage, max_width: usize) -> String {
    let mut s = describe_body(&msg.body, msg.length, max_width);
    if msg.damaged {
        s.push_str(&format!(" [damaged: {} bytes missing]", msg.missing_bytes));
    }
    if msg.inferred {
        s.push_str(" [inferred header]");
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::describe_body;
    use crate::rtmp::media::{decode_audio, decode_video};
    use crate::rtmp::MessageBody;

    #[test]
    fn video_metadata_names_its_object() {
        let body = crate::rtmp::media::tests::color_info_metadata_body();
        let video = MessageBody::Video(decode_video(&body).unwrap());
        let line = describe_body(&video, body.len() as u32, 80);
        assert!(line.starts_with("Video hvc1 metadata colorInfo"), "{line}");
    }

    #[test]
    fn enhanced_headers_are_named_by_their_fourcc() {
        let audio = MessageBody::Audio(decode_audio(&[0x90, b'O', b'p', b'u', b's', 1]).unwrap());
        let line = describe_body(&audio, 6, 80);
        assert!(line.starts_with("Audio Opus sequence header"), "{line}");
        let video = MessageBody::Video(decode_video(&[0x93, b'a', b'v', b'0', b'1']).unwrap());
        let line = describe_body(&video, 5, 80);
        assert!(line.starts_with("Video av01 keyframe"), "{line}");
    }
}
