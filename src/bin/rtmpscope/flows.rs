//! `rtmpscope flows`: the TCP connections of a capture.

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use rtmpscope::analysis::ConnectionReport;

use crate::table::Table;
use crate::{analyze, print_json, Format};

/// One connection in `--format json`. Scripts rely on these keys: keep them stable.
#[derive(Serialize)]
struct FlowJson<'a> {
    conn: u32,
    client: String,
    server: String,
    syn_seen: bool,
    frames_c2s: u64,
    frames_s2c: u64,
    /// Stream bytes delivered, each byte once however often it was retransmitted.
    bytes_c2s: u64,
    bytes_s2c: u64,
    /// Bytes that never appeared in the capture.
    gaps_c2s: u64,
    gaps_s2c: u64,
    start: f64,
    end: f64,
    first_frame: u64,
    last_frame: u64,
    close_c2s: Option<&'a str>,
    close_s2c: Option<&'a str>,
}

impl<'a> FlowJson<'a> {
    fn new(c: &'a ConnectionReport) -> Self {
        let t = &c.tcp;
        FlowJson {
            conn: t.conn.0,
            client: t.client.to_string(),
            server: t.server.to_string(),
            syn_seen: t.syn_seen,
            frames_c2s: t.c2s.frames,
            frames_s2c: t.s2c.frames,
            bytes_c2s: t.c2s.stream_bytes,
            bytes_s2c: t.s2c.stream_bytes,
            gaps_c2s: t.c2s.gap_bytes,
            gaps_s2c: t.s2c.gap_bytes,
            start: t.first_time.as_f64(),
            end: t.last_time.as_f64(),
            first_frame: t.first_frame,
            last_frame: t.last_frame,
            close_c2s: t.c2s.closed.map(|c| c.as_str()),
            close_s2c: t.s2c.closed.map(|c| c.as_str()),
        }
    }
}

pub fn run(file: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let report = analyze(file)?;
    match format {
        Format::Json => {
            let flows: Vec<FlowJson> = report.connections.iter().map(FlowJson::new).collect();
            print_json(&flows)?;
        }
        Format::Table => {
            let start = report.capture.summary.start_time.unwrap_or_default();
            let mut table = Table::new(&[
                ">conn",
                "client",
                "server",
                ">pkts c2s",
                ">pkts s2c",
                ">bytes c2s",
                ">bytes s2c",
                ">gaps c2s",
                ">gaps s2c",
                ">start s",
                ">end s",
            ]);
            for c in &report.connections {
                let t = &c.tcp;
                table.row(vec![
                    t.conn.0.to_string(),
                    t.client.to_string(),
                    t.server.to_string(),
                    t.c2s.frames.to_string(),
                    t.s2c.frames.to_string(),
                    t.c2s.stream_bytes.to_string(),
                    t.s2c.stream_bytes.to_string(),
                    t.c2s.gap_bytes.to_string(),
                    t.s2c.gap_bytes.to_string(),
                    format!("{:.3}", t.first_time.seconds_since(start)),
                    format!("{:.3}", t.last_time.seconds_since(start)),
                ]);
            }
            print!("{}", table.render());
            if report.connections.is_empty() {
                println!("(no TCP connections)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
