//! The analytics pass: once every message is numbered and in capture order, each session gets
//! its Enhanced RTMP capabilities, start-up milestones, acknowledgement windows, ending, and
//! per-stream media analytics, and everything that signals a problem becomes a diagnostic.
//!
//! It runs after the RTMP stage rather than alongside it because message indices are final
//! only then (a decoder may hold messages back), and the TCP facts (SYN, closes) are complete.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::rtmp::{Dir, MessageBody};
use crate::tcp::ConnectionStats;

use super::acks::ack_windows;
use super::closing::session_end;
use super::enhanced::EnhancedCaps;
use super::findings::StreamFindings;
use super::report::MessageRecord;
use super::series::DEFAULT_BUCKET_MS;
use super::session::Session;
use super::session_findings::session_findings;
use super::startup::startup;
use super::streams::analyze_streams;

/// Knobs of the analytics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsOptions {
    /// Width of the buckets of every per-stream series (bitrate, pacing, A/V offset), ms.
    pub bucket_ms: u32,
}

impl Default for AnalyticsOptions {
    fn default() -> Self {
        AnalyticsOptions {
            bucket_ms: DEFAULT_BUCKET_MS,
        }
    }
}

/// The server's capabilities: in the `_result` to `connect`, in its information object (the
/// first argument) or, with some servers, its properties object.
fn server_caps(messages: &[&MessageRecord], connect: Option<u64>) -> Option<EnhancedCaps> {
    let connect = connect?;
    let result = messages
        .iter()
        .find(|r| r.request == Some(connect) && r.message.dir == Dir::S2C)?;
    let MessageBody::Command(cmd) = &result.message.body else {
        return None;
    };
    cmd.arguments
        .first()
        .and_then(EnhancedCaps::from_object)
        .or_else(|| EnhancedCaps::from_object(&cmd.command_object))
}

/// Fills the analytics of every session and returns the diagnostics they gave.
pub(crate) fn analyze_sessions(
    sessions: &mut [Session],
    messages: &[MessageRecord],
    connections: &[&ConnectionStats],
    options: &AnalyticsOptions,
) -> Vec<Diagnostic> {
    let mut by_conn: HashMap<u32, Vec<&MessageRecord>> = HashMap::new();
    for r in messages {
        by_conn.entry(r.conn).or_default().push(r);
    }
    let mut diagnostics = Vec::new();
    for session in sessions {
        let mine = by_conn.get(&session.conn).map_or(&[][..], Vec::as_slice);
        let tcp = connections.iter().find(|c| c.conn.0 == session.conn);
        analyze_session(session, mine, tcp.copied(), options);
        diagnostics.extend(session_findings(session, mine));
        let mut findings = StreamFindings {
            conn: session.conn,
            messages,
            out: Vec::new(),
        };
        for stream in &session.streams {
            let started = stream.role.is_some();
            findings.check(stream, started);
        }
        diagnostics.append(&mut findings.out);
    }
    diagnostics
}

fn analyze_session(
    session: &mut Session,
    messages: &[&MessageRecord],
    tcp: Option<&ConnectionStats>,
    options: &AnalyticsOptions,
) {
    session.enhanced_rtmp = session.connect.as_ref().and_then(EnhancedCaps::from_object);
    session.server_enhanced_rtmp = server_caps(messages, session.connect_message);
    let start = tcp
        .map(|t| t.first_time)
        .or(session.first_time)
        .unwrap_or_default();
    session.startup = Some(startup(
        start,
        tcp.is_some_and(|t| t.syn_seen),
        session.handshake_time,
        messages,
    ));
    session.acknowledgements = ack_windows(messages);
    session.end = Some(session_end(messages, &session.tcp_closes));
    let series_start = session.first_time.unwrap_or(start);
    analyze_streams(
        &mut session.streams,
        messages,
        series_start,
        options.bucket_ms.max(1),
    );
}
