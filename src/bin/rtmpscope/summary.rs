//! `rtmpscope summary`: sessions, streams, counts and diagnostics.

use std::path::Path;
use std::process::ExitCode;

use rtmpscope::analysis::{Protocol, StreamRole};
use rtmpscope::diagnostic::Severity;
use rtmpscope::Report;

use crate::{analyze, print_json, Format};

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let cap = &report.capture;
    let s = &cap.summary;
    out += &format!(
        "capture {}: {} packets, {:.3} s, {}\n",
        cap.file.as_deref().unwrap_or("(bytes)"),
        s.packets,
        s.duration_secs().unwrap_or(0.0),
        s.interfaces
            .iter()
            .map(|i| i.link.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(why) = &cap.ended_early {
        out += &format!("  ended early: {why}\n");
    }
    let rtmp = report
        .connections
        .iter()
        .filter(|c| c.protocol == Protocol::Rtmp)
        .count();
    out += &format!(
        "{} TCP connection(s), {} RTMP session(s), {} RTMP message(s)\n",
        report.connections.len(),
        rtmp,
        report.messages.len()
    );
    for c in &report.connections {
        if c.protocol != Protocol::Rtmp {
            out += &format!(
                "  conn {} {} → {}: {:?}\n",
                c.tcp.conn.0, c.tcp.client, c.tcp.server, c.protocol
            );
        }
    }
    for session in &report.sessions {
        out += &format!(
            "\nsession conn {}: {} → {}, {:.3} s, {} messages\n",
            session.conn,
            session.client,
            session.server,
            session.duration(),
            session.messages
        );
        out += &format!(
            "  app {}  tcUrl {}\n",
            opt(&session.app),
            opt(&session.tc_url)
        );
        out += &format!("  flashVer {}\n", opt(&session.flash_ver));
        if let Some(h) = &session.handshake {
            let kind = match (&h.client_digest, &h.server_digest) {
                (None, None) => "simple".to_string(),
                (c, s) => format!("digest (client {c:?}, server {s:?})"),
            };
            out += &format!(
                "  handshake: {kind}, complete {}{}\n",
                h.complete,
                if h.roles_swapped {
                    ", roles swapped"
                } else {
                    ""
                }
            );
        }
        for stream in &session.streams {
            let role = match stream.role {
                Some(StreamRole::Publish) => "publish",
                Some(StreamRole::Play) => "play",
                None => "-",
            };
            out += &format!(
                "  stream {}: {} '{}'  audio {}  video {}  data {}  status {}\n",
                stream.msid,
                role,
                opt(&stream.name),
                stream.audio_messages,
                stream.video_messages,
                stream.data_messages,
                if stream.status_codes.is_empty() {
                    "-".to_string()
                } else {
                    stream.status_codes.join(", ")
                }
            );
        }
        let counts: Vec<String> = session
            .message_counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out += &format!("  messages by type: {}\n", counts.join(", "));
        for pair in &session.command_pairs {
            out += &format!(
                "  {} → {} in {:.1} ms\n",
                pair.request,
                pair.response,
                pair.latency * 1000.0
            );
        }
    }
    let by_severity = |sev: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .count()
    };
    out += &format!(
        "\ndiagnostics: {} error(s), {} warning(s), {} info\n",
        by_severity(Severity::Error),
        by_severity(Severity::Warning),
        by_severity(Severity::Info)
    );
    for d in &report.diagnostics {
        let mut at = Vec::new();
        if let Some(c) = d.at.conn {
            at.push(format!("conn {c}"));
        }
        if let Some(f) = d.at.frame {
            at.push(format!("frame {f}"));
        }
        if let Some(dir) = &d.at.dir {
            at.push(dir.clone());
        }
        if let Some(o) = d.at.stream_offset {
            at.push(format!("stream byte {o}"));
        }
        out += &format!(
            "  {:?} [{}] {}{}\n",
            d.severity,
            d.code,
            d.text,
            if at.is_empty() {
                String::new()
            } else {
                format!(" ({})", at.join(", "))
            }
        );
    }
    out
}

pub fn run(file: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let report = analyze(file)?;
    match format {
        Format::Json => print_json(&report)?,
        Format::Table => print!("{}", render(&report)),
    }
    Ok(ExitCode::SUCCESS)
}
