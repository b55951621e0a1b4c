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
use super::message_log::{AllMessages, MessageLog, SessionMessages};
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
fn server_caps(messages: SessionMessages<'_>, connect: Option<u64>) -> Option<EnhancedCaps> {
    let connect = connect?;
    messages
        .find_map(|r| {
            if r.request() != Some(connect) || r.message.dir != Dir::S2C {
                return None;
            }
            let MessageBody::Command(cmd) = &r.message.body else {
                return Some(None);
            };
            Some(
                cmd.arguments
                    .first()
                    .and_then(EnhancedCaps::from_object)
                    .or_else(|| EnhancedCaps::from_object(&cmd.command_object)),
            )
        })
        .flatten()
}

/// The messages the analytics read: the report's list, or the compact log of an analysis that
/// keeps none.
#[derive(Clone, Copy)]
pub(crate) enum AnalyticsInput<'a> {
    Records(&'a [MessageRecord]),
    Logged(&'a MessageLog),
}

/// Fills the analytics of every session and returns the diagnostics they gave.
pub(crate) fn analyze_sessions(
    sessions: &mut [Session],
    input: AnalyticsInput<'_>,
    connections: &[&ConnectionStats],
    options: &AnalyticsOptions,
) -> Vec<Diagnostic> {
    let mut records_by_conn: HashMap<u32, Vec<&MessageRecord>> = HashMap::new();
    let mut positions_by_conn: HashMap<u32, Vec<u32>> = HashMap::new();
    let all = match input {
        AnalyticsInput::Records(records) => {
            for r in records {
                records_by_conn.entry(r.conn).or_default().push(r);
            }
            AllMessages::Records(records)
        }
        AnalyticsInput::Logged(log) => {
            // Positions per connection only when there are several (4 bytes a message).
            let first = log.messages.first().map(|m| m.conn);
            if log.messages.iter().any(|m| Some(m.conn) != first) {
                for (position, m) in log.messages.iter().enumerate() {
                    let Ok(position) = u32::try_from(position) else {
                        break;
                    };
                    positions_by_conn.entry(m.conn).or_default().push(position);
                }
            }
            AllMessages::Logged(&log.messages)
        }
    };
    let mut diagnostics = Vec::new();
    for session in sessions {
        let mine = match input {
            AnalyticsInput::Records(_) => SessionMessages::Records(
                records_by_conn
                    .get(&session.conn)
                    .map_or(&[][..], Vec::as_slice),
            ),
            AnalyticsInput::Logged(log) => SessionMessages::Logged {
                log,
                conn: session.conn,
                positions: if positions_by_conn.is_empty() {
                    None
                } else {
                    Some(
                        positions_by_conn
                            .get(&session.conn)
                            .map_or(&[][..], Vec::as_slice),
                    )
                },
            },
        };
        let tcp = connections.iter().find(|c| c.conn.0 == session.conn);
        analyze_session(session, mine, tcp.copied(), options);
        diagnostics.extend(session_findings(session, mine));
        let mut findings = StreamFindings {
            conn: session.conn,
            messages: all,
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
    messages: SessionMessages<'_>,
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
