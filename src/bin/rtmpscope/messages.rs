//! `rtmpscope messages`: every RTMP message, as a table or JSON Lines.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use rtmpscope::analysis::{describe, MessageRecord};
use rtmpscope::rtmp::MessageBody;
use rtmpscope::Report;

use crate::analyze;
use crate::table::Table;

/// One message in `--format jsonl`. Scripts rely on these keys: keep them stable.
#[derive(Serialize)]
struct MessageJson<'a> {
    index: u64,
    conn: u32,
    src: String,
    dst: String,
    dir: &'static str,
    frame: u64,
    time: f64,
    csid: u32,
    msid: u32,
    type_id: u8,
    #[serde(rename = "type")]
    type_name: &'a str,
    ts: u32,
    len: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    txn: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parts: Option<Vec<PartJson<'a>>>,
    summary: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    damaged: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    inferred: bool,
}

#[derive(Serialize)]
struct PartJson<'a> {
    type_id: u8,
    #[serde(rename = "type")]
    type_name: &'a str,
    ts: u32,
    len: u32,
    msid: u32,
}

fn endpoints(report: &Report, record: &MessageRecord) -> (String, String) {
    let session = report.sessions.iter().find(|s| s.conn == record.conn);
    match session {
        Some(s) => {
            let (src, dst) = s.endpoints(record.message.dir);
            (src.to_string(), dst.to_string())
        }
        None => (String::new(), String::new()),
    }
}

fn to_json<'a>(report: &'a Report, record: &'a MessageRecord) -> MessageJson<'a> {
    let m = &record.message;
    let (src, dst) = endpoints(report, record);
    let command = match &m.body {
        MessageBody::Command(c) => Some(c),
        _ => None,
    };
    let parts = match &m.body {
        MessageBody::Aggregate(a) => Some(
            a.parts
                .iter()
                .map(|p| PartJson {
                    type_id: p.type_id,
                    type_name: &p.type_name,
                    ts: p.timestamp,
                    len: p.length,
                    msid: p.stream_id,
                })
                .collect(),
        ),
        _ => None,
    };
    MessageJson {
        index: record.index,
        conn: record.conn,
        src,
        dst,
        dir: m.dir.as_str(),
        frame: m.frame,
        time: m.time.as_f64(),
        csid: m.csid,
        msid: m.msid,
        type_id: m.type_id,
        type_name: m.type_name(),
        ts: m.timestamp,
        len: m.length,
        command: command.map(|c| c.name.as_str()),
        txn: command.map(|c| c.transaction_id),
        parts,
        summary: describe(m, 200),
        damaged: m.damaged,
        inferred: m.inferred,
    }
}

pub fn run(file: &Path, format: MessagesFormat, conn: Option<u32>) -> anyhow::Result<ExitCode> {
    let report = analyze(file)?;
    let selected = report
        .messages
        .iter()
        .filter(|r| conn.is_none_or(|c| r.conn == c));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        MessagesFormat::Jsonl => {
            for record in selected {
                serde_json::to_writer(&mut out, &to_json(&report, record))?;
                out.write_all(b"\n")?;
            }
        }
        MessagesFormat::Table => {
            let start = report.capture.summary.start_time.unwrap_or_default();
            let mut table = Table::new(&[
                ">#", ">frame", ">time", ">conn", "dir", ">csid", ">msid", "type", ">ts", ">len",
                "summary",
            ]);
            for record in selected {
                let m = &record.message;
                table.row(vec![
                    record.index.to_string(),
                    m.frame.to_string(),
                    format!("{:.6}", m.time.seconds_since(start)),
                    record.conn.to_string(),
                    if m.dir == rtmpscope::rtmp::Dir::C2S {
                        "→"
                    } else {
                        "←"
                    }
                    .to_string(),
                    m.csid.to_string(),
                    m.msid.to_string(),
                    m.type_name().to_string(),
                    m.timestamp.to_string(),
                    m.length.to_string(),
                    describe(m, 100),
                ]);
            }
            out.write_all(table.render().as_bytes())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessagesFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON object per message.
    Jsonl,
}
