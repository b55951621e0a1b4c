//! Start-up latency of a session: from the TCP connection's first packet to the stream
//! actually starting, milestone by milestone.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::rtmp::{Dir, MessageBody};

use super::message_log::SessionMessages;
use super::pacing::round1;

/// One milestone: when (ms after the connection's first packet) and which message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub ms: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<u64>,
}

/// The session's start, step by step. Every time is in ms after `start`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Startup {
    /// The capture has the connection's SYN: `start` is the TCP connection attempt. Without it
    /// the capture began mid-connection and `start` is its first captured packet.
    pub syn_seen: bool,
    pub start: Timestamp,
    /// Both sides' handshake bytes (C0-C2, S0-S2) were in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub handshake_done: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connect: Option<Milestone>,
    /// The server's answer to `connect` (`_result` or `_error`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connect_result: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub create_stream_result: Option<Milestone>,
    /// `publish` or `play` sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream_request: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream_request_name: Option<String>,
    /// `NetStream.Publish.Start` / `NetStream.Play.Start`: the server accepted the stream.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream_start: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stream_start_code: Option<String>,
    /// The first audio or video message, and the first video keyframe (for a player, the
    /// first picture it can show).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_media: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_keyframe: Option<Milestone>,
}

fn is_keyframe(body: &MessageBody) -> bool {
    match body {
        MessageBody::Video(v) => v.keyframe && !v.sequence_header && v.frame_type != 5,
        MessageBody::Aggregate(a) => a.parts.iter().any(|p| is_keyframe(&p.body)),
        _ => false,
    }
}

fn is_media(body: &MessageBody) -> bool {
    match body {
        MessageBody::Audio(_) | MessageBody::Video(_) => true,
        MessageBody::Aggregate(a) => a.parts.iter().any(|p| is_media(&p.body)),
        _ => false,
    }
}

/// Status codes that mean a stream started.
const START_CODES: [&str; 2] = ["NetStream.Publish.Start", "NetStream.Play.Start"];

/// The milestones in a session's messages (capture order). `start` is the connection's first
/// packet; `handshake_time` when both sides' handshake was complete.
pub fn startup(
    start: Timestamp,
    syn_seen: bool,
    handshake_time: Option<Timestamp>,
    messages: SessionMessages<'_>,
) -> Startup {
    let at = |time: Timestamp, message: Option<u64>| {
        Some(Milestone {
            ms: round1(time.seconds_since(start) * 1000.0),
            message,
        })
    };
    let mut s = Startup {
        syn_seen,
        start,
        handshake_done: handshake_time.and_then(|t| at(t, None)),
        ..Startup::default()
    };
    let mut connect_index = None;
    let mut create_stream_index = None;
    messages.for_each(|r| {
        let m = &r.message;
        let here = || at(m.time, Some(r.index));
        if s.first_media.is_none() && is_media(&m.body) {
            s.first_media = here();
        }
        if s.first_keyframe.is_none() && is_keyframe(&m.body) {
            s.first_keyframe = here();
        }
        let MessageBody::Command(cmd) = &m.body else {
            return;
        };
        match (m.dir, cmd.name.as_str()) {
            (Dir::C2S, "connect") if s.connect.is_none() => {
                s.connect = here();
                connect_index = Some(r.index);
            }
            (Dir::C2S, "createStream") if create_stream_index.is_none() => {
                create_stream_index = Some(r.index);
            }
            (Dir::C2S, name @ ("publish" | "play")) if s.stream_request.is_none() => {
                s.stream_request = here();
                s.stream_request_name = Some(name.to_string());
            }
            (Dir::S2C, "_result" | "_error") => {
                if r.request().is_some()
                    && r.request() == connect_index
                    && s.connect_result.is_none()
                {
                    s.connect_result = here();
                }
                if r.request().is_some()
                    && r.request() == create_stream_index
                    && s.create_stream_result.is_none()
                {
                    s.create_stream_result = here();
                }
            }
            (Dir::S2C, "onStatus") if s.stream_start.is_none() => {
                let code = cmd
                    .arguments
                    .first()
                    .and_then(|info| info.get("code"))
                    .and_then(|c| c.as_str());
                if let Some(code) = code.filter(|c| START_CODES.contains(c)) {
                    s.stream_start = here();
                    s.stream_start_code = Some(code.to_string());
                }
            }
            _ => {}
        }
    });
    s
}

impl Startup {
    /// The time the stream started (accepted by the server), or failing that the first media.
    pub fn ready_ms(&self) -> Option<f64> {
        self.stream_start
            .as_ref()
            .or(self.first_media.as_ref())
            .map(|m| m.ms)
    }
}
