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

/// The check of every stream of every session. The plan reads all messages of the report, so
/// each connection is checked on its own messages only (moved out and back, not copied):
/// linear in the messages however many sessions there are.
pub fn export_checks(report: &mut Report) -> Vec<FlvCheck> {
    let mut by_conn: BTreeMap<u32, Vec<MessageRecord>> = BTreeMap::new();
    for record in std::mem::take(&mut report.messages) {
        by_conn.entry(record.conn).or_default().push(record);
    }
    let streams: Vec<(u32, u32)> = report
        .sessions
        .iter()
        .flat_map(|s| s.streams.iter().map(move |st| (s.conn, st.msid)))
        .collect();
    let mut checks = Vec::with_capacity(streams.len());
    for (conn, msid) in streams {
        let messages = by_conn.remove(&conn).unwrap_or_default();
        report.messages = messages;
        let error = ExportPlan::new(report, conn, msid, ExportOptions::default())
            .err()
            .map(|e| e.to_string());
        checks.push(FlvCheck { conn, msid, error });
        by_conn.insert(conn, std::mem::take(&mut report.messages));
    }
    let mut messages: Vec<MessageRecord> = by_conn.into_values().flatten().collect();
    // Back in report order (messages are listed by index).
    messages.sort_by_key(|m| m.index);
    report.messages = messages;
    checks
}
