//! `rtmpscope show`: one message decoded in full.

use std::path::Path;
use std::process::ExitCode;

use rtmpscope::analysis::{describe, MessageRecord};
use rtmpscope::rtmp::{MessageBody, RtmpConfig};
use rtmpscope::{Analyzer, AnalyzerOptions, Report};

use crate::analyze;
use crate::body_hex::body_hex;

fn body_text(body: &MessageBody) -> String {
    match body {
        MessageBody::Command(c) => c.render_tree(),
        MessageBody::Data(d) => d.render_tree(),
        MessageBody::SharedObject(so) => so.render_tree(),
        MessageBody::Aggregate(a) => {
            let mut out = String::new();
            for (i, part) in a.parts.iter().enumerate() {
                out += &format!(
                    "part {i}: {} ts {} len {} msid {}: {}\n",
                    part.type_name,
                    part.timestamp,
                    part.length,
                    part.stream_id,
                    rtmpscope::analysis::describe_body(&part.body, part.length, 100)
                );
            }
            if let Some(e) = &a.error {
                out += &format!("error: {e}\n");
            }
            out
        }
        // Control values and tag headers: their fields, one per line.
        other => match serde_json::to_value(other) {
            Ok(serde_json::Value::Object(map)) => {
                let mut out = String::new();
                let value = map.get("value").cloned().unwrap_or(serde_json::Value::Null);
                if let serde_json::Value::Object(fields) = value {
                    for (k, v) in fields {
                        out += &format!("{k}: {v}\n");
                    }
                }
                out
            }
            _ => String::new(),
        },
    }
}

fn render(report: &Report, record: &MessageRecord) -> String {
    let m = &record.message;
    let (src, dst) = report
        .sessions
        .iter()
        .find(|s| s.conn == record.conn)
        .map(|s| s.endpoints(m.dir))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap_or_default();
    let mut out = format!("message {}: {}\n", record.index, describe(m, 120));
    out += &format!(
        "  connection {} {} {} → {}\n",
        record.conn,
        m.dir.as_str(),
        src,
        dst
    );
    out += &format!(
        "  frames {}..{} at {:.6}, stream offset {}{}\n",
        m.first_frame,
        m.frame,
        m.time.as_f64(),
        m.stream_offset,
        m.file_offset
            .map(|o| format!(", file offset {o}"))
            .unwrap_or_default()
    );
    out += &format!(
        "  chunk stream {} (fmt {}, {} chunk(s){}), message stream {}\n",
        m.csid,
        m.fmt,
        m.chunks,
        if m.extended_timestamp {
            ", extended timestamp"
        } else {
            ""
        },
        m.msid
    );
    out += &format!(
        "  type {} ({}), timestamp {} ms{}, length {}\n",
        m.type_id,
        m.type_name(),
        m.timestamp,
        m.timestamp_delta
            .map(|d| format!(" (delta {d})"))
            .unwrap_or_default(),
        m.length
    );
    if m.damaged {
        out += &format!("  DAMAGED: {} bytes missing\n", m.missing_bytes);
    }
    if m.inferred {
        out += "  header fields inferred after a resynchronisation\n";
    }
    if m.truncated {
        out += "  body kept only in part (memory cap)\n";
    }
    if let Some(req) = record.request() {
        out += &format!(
            "  answers message {req} after {:.1} ms\n",
            record.latency().unwrap_or(0.0) * 1000.0
        );
    }
    if let Some(resp) = record.response() {
        out += &format!(
            "  answered by message {resp} after {:.1} ms\n",
            record.latency().unwrap_or(0.0) * 1000.0
        );
    }
    out += "\n";
    for line in body_text(&m.body).lines() {
        out += "  ";
        out += line;
        out += "\n";
    }
    out
}

/// The analysis with each body's place in the file recorded (for `--hex`).
fn analyze_with_spans(path: &Path) -> anyhow::Result<Report> {
    let mut analyzer = Analyzer::new(AnalyzerOptions {
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        rtmp: RtmpConfig {
            record_body_spans: true,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    });
    rtmpscope::capture::for_each_piece(path, |piece| analyzer.feed(piece).is_ok())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    analyzer
        .finish()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn run(
    file: &Path,
    frame: Option<u64>,
    message: Option<u64>,
    hex: bool,
) -> anyhow::Result<ExitCode> {
    let report = if hex {
        analyze_with_spans(file)?
    } else {
        analyze(file)?
    };
    let selected: Vec<&MessageRecord> = report
        .messages
        .iter()
        .filter(|r| frame.is_none_or(|f| r.message.frame == f))
        .filter(|r| message.is_none_or(|k| r.index == k))
        .collect();
    if selected.is_empty() {
        anyhow::bail!(
            "no RTMP message {} in {}",
            match (frame, message) {
                (Some(f), _) => format!("completes in frame {f}"),
                (_, Some(k)) => format!("has index {k}"),
                _ => "found".to_string(),
            },
            file.display()
        );
    }
    let mut texts = Vec::new();
    for record in selected {
        let mut text = render(&report, record);
        if hex {
            text += "\n";
            text += &body_hex(file, record)?;
        }
        texts.push(text);
    }
    print!("{}", texts.join("\n"));
    Ok(ExitCode::SUCCESS)
}
