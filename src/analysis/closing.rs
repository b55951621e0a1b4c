//! How a session ended: the RTMP goodbyes (`FCUnpublish`, `deleteStream`, `closeStream`, the
//! server's `Unpublish.Success` / `Play.Stop`) and the TCP close (FIN or RST, by which side).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::rtmp::{Dir, MessageBody};
use crate::tcp::CloseReason;

use super::message_log::SessionMessages;

/// One direction of the TCP connection ending, as the TCP stage reported it. `dir` is the RTMP
/// role whose bytes ended (C2S: the client's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcpClose {
    pub dir: Dir,
    pub reason: CloseReason,
    pub frame: u64,
    pub time: Timestamp,
}

/// An RTMP message that belongs to the end of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndMessage {
    pub message: u64,
    pub dir: Dir,
    /// The command name, or for `onStatus` the status code.
    pub what: String,
    pub time: Timestamp,
}

/// Who ended a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closer {
    Client,
    Server,
    /// The capture ended with the connection still open.
    Nobody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEnd {
    /// The goodbye messages, in order.
    pub messages: Vec<EndMessage>,
    /// The TCP closes, in order.
    pub tcp: Vec<TcpClose>,
    /// The side that ended the session first: the first goodbye message's sender, else the
    /// first TCP close's.
    pub closed_by: Closer,
    /// The client said goodbye in RTMP (`deleteStream`, `closeStream` or `FCUnpublish`) before
    /// the connection closed.
    pub graceful: bool,
    /// A side reset the connection (after the goodbyes, some clients always do: they close the
    /// socket with unread data).
    pub reset: bool,
    /// "client: FCUnpublish, deleteStream; server FIN; client FIN".
    pub summary: String,
}

const CLIENT_GOODBYES: [&str; 3] = ["FCUnpublish", "deleteStream", "closeStream"];
const SERVER_GOODBYES: [&str; 5] = [
    "NetStream.Unpublish.Success",
    "NetStream.Play.Stop",
    "NetStream.Play.UnpublishNotify",
    "NetStream.Play.Complete",
    "NetConnection.Connect.Closed",
];

fn side(dir: Dir) -> &'static str {
    match dir {
        Dir::C2S => "client",
        Dir::S2C => "server",
    }
}

/// The goodbyes among a session's messages and its TCP closes.
pub fn session_end(messages: SessionMessages<'_>, tcp: &[TcpClose]) -> SessionEnd {
    let mut goodbyes = Vec::new();
    messages.for_each(|r| {
        let MessageBody::Command(cmd) = &r.message.body else {
            return;
        };
        let what = match r.message.dir {
            Dir::C2S => CLIENT_GOODBYES
                .contains(&cmd.name.as_str())
                .then(|| cmd.name.clone()),
            Dir::S2C if cmd.name == "onStatus" => cmd
                .arguments
                .first()
                .and_then(|info| info.get("code"))
                .and_then(|c| c.as_str())
                .filter(|c| SERVER_GOODBYES.contains(c))
                .map(str::to_string),
            Dir::S2C => None,
        };
        if let Some(what) = what {
            goodbyes.push(EndMessage {
                message: r.index,
                dir: r.message.dir,
                what,
                time: r.message.time,
            });
        }
    });
    let closed_by = match (goodbyes.first(), tcp.first()) {
        (Some(g), _) => g.dir,
        (None, Some(c)) => c.dir,
        (None, None) => {
            return SessionEnd {
                messages: goodbyes,
                tcp: Vec::new(),
                closed_by: Closer::Nobody,
                graceful: false,
                reset: false,
                summary: "still open when the capture ended".to_string(),
            }
        }
    };
    let graceful = goodbyes.iter().any(|g| g.dir == Dir::C2S)
        || goodbyes
            .iter()
            .any(|g| g.what == "NetConnection.Connect.Closed");
    let reset = tcp
        .iter()
        .any(|c| matches!(c.reason, CloseReason::Rst | CloseReason::PeerRst));
    let mut parts: Vec<String> = Vec::new();
    let mut last_side: Option<Dir> = None;
    for g in &goodbyes {
        if last_side == Some(g.dir) {
            if let Some(p) = parts.last_mut() {
                p.push_str(&format!(", {}", g.what));
                continue;
            }
        }
        parts.push(format!("{}: {}", side(g.dir), g.what));
        last_side = Some(g.dir);
    }
    for c in tcp {
        // An RST ends both directions: the other direction reports it as the peer's.
        let (who, how) = match c.reason {
            CloseReason::Fin => (c.dir, "FIN"),
            CloseReason::Rst => (c.dir, "RST"),
            CloseReason::PeerRst => (c.dir.reverse(), "RST"),
            CloseReason::Reused => (c.dir, "connection reused by a new SYN"),
        };
        let text = format!("{} {how}", side(who));
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    if tcp.is_empty() {
        parts.push("connection still open when the capture ended".to_string());
    }
    SessionEnd {
        messages: goodbyes,
        tcp: tcp.to_vec(),
        closed_by: match closed_by {
            Dir::C2S => Closer::Client,
            Dir::S2C => Closer::Server,
        },
        graceful,
        reset,
        summary: parts.join("; "),
    }
}
