//! Which message streams can be downloaded as FLV, and why not: the checks of
//! `rtmpscope export` ([`ExportPlan::new`]), made by the worker once per analysis so the page
//! can disable a button with the reason as its tooltip.

use std::collections::BTreeMap;

use rtmpscope::analysis::MessageRecord;
use rtmpscope::export::{ExportOptions, ExportPlan};
use rtmpscope::Report;
use serde::{Deserialize, Serialize};

/// One stream of a session and whether `rtmpscope export` would write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlvCheck {
    pub conn: u32,
    pub msid: u32,
    /// Why the stream cannot be exported; `None` when it can.
    pub error: Option<String>,
}

/// Up to this many streams are each checked against the whole message list (a scan of every
/// message per stream, a few milliseconds for 100,000 messages); beyond it the messages are split
/// by connection first, so the time stays linear however many sessions there are.
const STREAMS_CHECKED_IN_PLACE: usize = 64;

/// The check of every stream of every session.
pub fn export_checks(report: &mut Report) -> Vec<FlvCheck> {
    let streams: Vec<(u32, u32)> = report
        .sessions
        .iter()
        .flat_map(|s| s.streams.iter().map(move |st| (s.conn, st.msid)))
        .collect();
    if streams.len() <= STREAMS_CHECKED_IN_PLACE {
        // No copy of the list: moving the messages out by connection and back took as much
        // memory again as the list (100 MiB more wasm memory in the worker for 138,560 messages).
        return streams
            .into_iter()
            .map(|(conn, msid)| check(report, conn, msid))
            .collect();
    }
    checks_by_connection(report, streams)
}

fn check(report: &Report, conn: u32, msid: u32) -> FlvCheck {
    let error = ExportPlan::new(report, conn, msid, ExportOptions::default())
        .err()
        .map(|e| e.to_string());
    FlvCheck { conn, msid, error }
}

/// The plan reads all messages of the report, so each connection is checked on its own
/// messages only (moved out and back, not copied). Public for tests: it gives what checking in
/// place gives.
pub fn checks_by_connection(report: &mut Report, streams: Vec<(u32, u32)>) -> Vec<FlvCheck> {
    let mut by_conn: BTreeMap<u32, Vec<MessageRecord>> = BTreeMap::new();
    for record in std::mem::take(&mut report.messages) {
        by_conn.entry(record.conn).or_default().push(record);
    }
    let mut checks = Vec::with_capacity(streams.len());
    for (conn, msid) in streams {
        report.messages = by_conn.remove(&conn).unwrap_or_default();
        checks.push(check(report, conn, msid));
        by_conn.insert(conn, std::mem::take(&mut report.messages));
    }
    let mut messages: Vec<MessageRecord> = by_conn.into_values().flatten().collect();
    // Back in report order (messages are listed by index; indices are unique).
    messages.sort_unstable_by_key(|m| m.index);
    report.messages = messages;
    checks
}
