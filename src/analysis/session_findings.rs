//! Session findings: start-up latency, acknowledgement windows, refused commands and error
//! statuses, reconnect requests, and how the connection ended.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::amf::AmfValue;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rtmp::{Dir, MessageBody};

use super::acks::{AckVerdict, ACK_LATE_WINDOWS};
use super::message_log::SessionMessages;
use super::report::MessageRecord;
use super::session::{Session, StreamRole};

/// A stream that takes longer than this from the TCP connection attempt to starting makes
/// viewers (or a go-live button) wait noticeably.
pub const STARTUP_SLOW_MS: f64 = 3000.0;

pub const RECONNECT_REQUEST: &str = "NetConnection.Connect.ReconnectRequest";

fn location(conn: u32, r: Option<&MessageRecord>) -> Location {
    Location {
        conn: Some(conn),
        message: r.map(|r| r.index),
        frame: r.map(|r| r.message.frame),
        dir: r.map(|r| r.message.dir.as_str().to_string()),
        ..Location::default()
    }
}

fn info_text(info: Option<&AmfValue>, key: &str) -> Option<String> {
    info.and_then(|i| i.get(key))
        .and_then(AmfValue::as_str)
        .map(str::to_string)
}

/// Diagnostics about a session as a whole. `messages` are its own, in capture order.
pub fn session_findings(session: &Session, messages: SessionMessages<'_>) -> Vec<Diagnostic> {
    let conn = session.conn;
    let mut out = Vec::new();
    messages.for_each(|r| {
        let MessageBody::Command(cmd) = &r.message.body else {
            return;
        };
        let info = cmd.arguments.first();
        let code = info_text(info, "code");
        let description = info_text(info, "description")
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        if r.message.dir == Dir::S2C && cmd.name == "_error" {
            let request = r
                .request()
                .and_then(|i| {
                    messages.with_index(i, |m| m.message.command().map(|c| c.name.clone()))
                })
                .flatten();
            let request = request.as_deref().unwrap_or("a command");
            out.push(Diagnostic::new(
                Severity::Error,
                "session.command_error",
                format!(
                    "the server refused {request}: {}{description}",
                    code.as_deref().unwrap_or("_error")
                ),
                location(conn, Some(r)),
            ));
        } else if r.message.dir == Dir::S2C && cmd.name == "onStatus" {
            let level = info_text(info, "level");
            if code.as_deref() == Some(RECONNECT_REQUEST) {
                let target = info_text(info, "tcUrl")
                    .map(|u| format!(" to {u}"))
                    .unwrap_or_default();
                let supported = session
                    .enhanced_rtmp
                    .as_ref()
                    .is_some_and(|c| c.supports_reconnect());
                let (severity, tail) = if supported {
                    (
                        Severity::Info,
                        "the client declared Reconnect support (capsEx) and should reconnect",
                    )
                } else {
                    (
                        Severity::Warning,
                        "the client did not declare Reconnect support (capsEx): it will likely ignore it \
                         and be disconnected",
                    )
                };
                out.push(Diagnostic::new(
                    severity,
                    "session.reconnect_request",
                    format!(
                        "the server asked the client to reconnect{target}{description}: {tail}"
                    ),
                    location(conn, Some(r)),
                ));
            } else if level.as_deref() == Some("error") {
                out.push(Diagnostic::new(
                    Severity::Error,
                    "stream.status_error",
                    format!(
                        "the server reported an error on stream {}: {}{description}",
                        r.message.msid,
                        code.as_deref().unwrap_or("(no code)")
                    ),
                    location(conn, Some(r)),
                ));
            }
        }
    });
    if let Some(startup) = &session.startup {
        if let Some(ready) = startup
            .ready_ms()
            .filter(|&ms| startup.syn_seen && ms > STARTUP_SLOW_MS)
        {
            out.push(Diagnostic::new(
                Severity::Warning,
                "session.slow_startup",
                format!(
                    "the stream started {:.1} s after the TCP connection attempt (more than {:.0} s): \
                     see the start-up milestones for the slow step",
                    ready / 1000.0,
                    STARTUP_SLOW_MS / 1000.0
                ),
                location(conn, None),
            ));
        }
    }
    for ack in &session.acknowledgements {
        let (sender, receiver) = match ack.data_dir {
            Dir::C2S => ("client", "server"),
            Dir::S2C => ("server", "client"),
        };
        let at = messages
            .with_index(ack.max_unacked_at, |m| location(conn, Some(m)))
            .unwrap_or_else(|| location(conn, None));
        let mib = |b: u64| b as f64 / 1_048_576.0;
        match ack.verdict {
            AckVerdict::Missing => out.push(Diagnostic::new(
                Severity::Warning,
                "session.ack_missing",
                format!(
                    "the {sender} set a {} byte acknowledgement window and sent {:.1} MiB, but the \
                     {receiver} never sent an Acknowledgement: servers that enforce the window stop \
                     sending and playback stalls",
                    ack.window,
                    mib(ack.bytes_after_window)
                ),
                at,
            )),
            AckVerdict::Late => out.push(Diagnostic::new(
                Severity::Warning,
                "session.ack_late",
                format!(
                    "the {receiver} let {:.1} MiB of the {sender}'s data go unacknowledged (window {} \
                     bytes, more than {ACK_LATE_WINDOWS} windows): senders that enforce the window \
                     pause until the Acknowledgement comes",
                    mib(ack.max_unacked_bytes),
                    ack.window
                ),
                at,
            )),
            AckVerdict::Ok | AckVerdict::NotDue => {}
        }
    }
    if let Some(end) = &session.end {
        let publishing = session
            .streams
            .iter()
            .any(|s| s.role == Some(StreamRole::Publish));
        if end.reset && !end.graceful {
            out.push(Diagnostic::new(
                Severity::Warning,
                "session.reset",
                format!(
                    "the connection was reset without an RTMP goodbye ({}): one side aborted it",
                    end.summary
                ),
                location(conn, None),
            ));
        } else if publishing && !end.graceful && !end.tcp.is_empty() {
            out.push(Diagnostic::new(
                Severity::Info,
                "session.no_goodbye",
                format!(
                    "the connection closed without FCUnpublish/deleteStream ({}): the publisher quit \
                     abruptly; servers keep the stream until they notice",
                    end.summary
                ),
                location(conn, None),
            ));
        }
    }
    out
}
