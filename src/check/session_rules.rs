//! Rules evaluated once per RTMP session: decode errors, diagnostics, clean close, command
//! results.

use std::collections::BTreeMap;

use crate::amf::AmfValue;
use crate::analysis::{Session, StreamInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rtmp::{Dir, MessageBody};
use crate::tcp::CloseReason;
use crate::Report;

use super::evaluate::Finding;
use super::rules::Rule;

pub(crate) fn evaluate(rule: &Rule, report: &Report, session: &Session) -> Finding {
    match rule {
        Rule::NoDecodeErrors => decode_errors(report, session),
        Rule::NoDiagnosticAtOrAbove(severity) => diagnostics_at(report, session, *severity),
        Rule::ClosedCleanly => closed_cleanly(report, session),
        Rule::CommandResult(names) => command_results(report, session, names),
        _ => Finding::fail("not a session rule"),
    }
}

/// Diagnostics about the session's connection, and those about the capture as a whole (a
/// capture that ends early concerns every session in it).
fn session_diagnostics<'a>(
    report: &'a Report,
    session: &Session,
) -> impl Iterator<Item = &'a Diagnostic> {
    let conn = session.conn;
    report
        .diagnostics
        .iter()
        .filter(move |d| d.at.conn.is_none_or(|c| c == conn))
}

fn describe_diagnostic(d: &Diagnostic) -> String {
    let mut at = Vec::new();
    if let Some(f) = d.at.frame {
        at.push(format!("frame {f}"));
    }
    if let Some(dir) = &d.at.dir {
        at.push(dir.clone());
    }
    if let Some(o) = d.at.stream_offset {
        at.push(format!("stream byte {o}"));
    }
    if at.is_empty() {
        format!("[{}] {}", d.code, d.text)
    } else {
        format!("[{}] {} ({})", d.code, d.text, at.join(", "))
    }
}

fn decode_errors(report: &Report, session: &Session) -> Finding {
    let mut damaged = 0u64;
    let mut undecodable = 0u64;
    let mut first = None;
    for r in report.messages.iter().filter(|r| r.conn == session.conn) {
        let invalid = matches!(r.message.body, MessageBody::Invalid { .. });
        damaged += u64::from(r.message.damaged);
        undecodable += u64::from(invalid);
        if (r.message.damaged || invalid) && first.is_none() {
            let what = if r.message.damaged {
                format!("{} bytes missing", r.message.missing_bytes)
            } else {
                "undecodable body".to_string()
            };
            first = Some(format!(
                "first: {} message {} (frame {}): {what}",
                r.message.type_name(),
                r.index,
                r.message.frame
            ));
        }
    }
    let errors: Vec<&Diagnostic> = session_diagnostics(report, session)
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let detail = first.or_else(|| {
        errors
            .first()
            .map(|d| format!("first: {}", describe_diagnostic(d)))
    });
    let total = damaged + undecodable + errors.len() as u64;
    Finding::new(
        total == 0,
        format!(
            "{damaged} damaged, {undecodable} undecodable message(s), {} error diagnostic(s)",
            errors.len()
        ),
    )
    .value(total as f64)
    .maybe_detail(detail)
}

fn diagnostics_at(report: &Report, session: &Session, severity: Severity) -> Finding {
    let found: Vec<&Diagnostic> = session_diagnostics(report, session)
        .filter(|d| d.severity >= severity)
        .collect();
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &found {
        *by_code.entry(d.code.as_str()).or_default() += 1;
    }
    let measured = if found.is_empty() {
        "none".to_string()
    } else {
        let codes: Vec<String> = by_code.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        format!("{} ({})", found.len(), codes.join(", "))
    };
    Finding::new(found.is_empty(), measured)
        .value(found.len() as f64)
        .maybe_detail(
            found
                .first()
                .map(|d| format!("first: {}", describe_diagnostic(d))),
        )
}

fn close_word(reason: Option<CloseReason>) -> &'static str {
    match reason {
        Some(CloseReason::Fin) => "FIN",
        Some(CloseReason::Rst) => "RST",
        Some(CloseReason::PeerRst) => "ended by the other side's RST",
        Some(CloseReason::Reused) => "port reused while open",
        None => "open",
    }
}

/// A stream was ended properly: the client sent deleteStream, closeStream or FCUnpublish for
/// it (by id or by name: senders differ), or the server said the publish or play stopped.
fn stream_ended(report: &Report, conn: u32, stream: &StreamInfo) -> bool {
    const ENDS: [&str; 4] = [
        "NetStream.Unpublish.Success",
        "NetStream.Play.Stop",
        "NetStream.Play.Complete",
        "NetStream.Play.UnpublishNotify",
    ];
    if stream
        .status_codes
        .iter()
        .any(|c| ENDS.contains(&c.as_str()))
    {
        return true;
    }
    report.messages.iter().any(|r| {
        let Some(cmd) = r.message.command() else {
            return false;
        };
        if r.conn != conn || r.message.dir != Dir::C2S {
            return false;
        }
        let arg = cmd.arguments.first();
        let names_it = arg.and_then(AmfValue::as_f64) == Some(f64::from(stream.msid))
            || (arg.and_then(AmfValue::as_str).is_some()
                && arg.and_then(AmfValue::as_str) == stream.name.as_deref());
        match cmd.name.as_str() {
            "deleteStream" | "FCUnpublish" => names_it,
            "closeStream" => r.message.msid == stream.msid,
            _ => false,
        }
    })
}

/// Clean means every stream that was published, played or carried media was ended before the
/// connection closed, and the connection did close. How TCP closed is reported but is no
/// failure after the streams ended: encoders such as ffmpeg reset the connection once done.
fn closed_cleanly(report: &Report, session: &Session) -> Finding {
    let Some(conn) = report
        .connections
        .iter()
        .find(|c| c.tcp.conn.0 == session.conn)
    else {
        return Finding::not_measured("the session's TCP connection is not in the report");
    };
    let tcp = &conn.tcp;
    let (c2s, s2c) = (tcp.c2s.closed, tcp.s2c.closed);
    let tcp_text = format!(
        "TCP: client {}, server {}",
        close_word(c2s),
        close_word(s2c)
    );
    let detail = format!(
        "TCP connection {}: {} → {}, last frame {}",
        session.conn, tcp.client, tcp.server, tcp.last_frame
    );
    let open: Vec<String> = session
        .streams
        .iter()
        .filter(|s| s.role.is_some() || s.audio_messages + s.video_messages > 0)
        .filter(|s| !stream_ended(report, session.conn, s))
        .map(|s| format!("stream {} '{}'", s.msid, s.name.as_deref().unwrap_or("")))
        .collect();
    if c2s.is_none() && s2c.is_none() {
        let why = if open.is_empty() {
            "the capture ends before the TCP connection closed".to_string()
        } else {
            format!("the capture ends while {} is live", open.join(", "))
        };
        return Finding::not_measured(why).detail(detail);
    }
    if !open.is_empty() {
        return Finding::fail(format!(
            "{} not ended (no deleteStream, FCUnpublish or end status) before the close; {tcp_text}",
            open.join(", ")
        ))
        .detail(detail);
    }
    if c2s == Some(CloseReason::Reused) || s2c == Some(CloseReason::Reused) {
        return Finding::fail(tcp_text).detail(detail);
    }
    let streams = if session
        .streams
        .iter()
        .any(|s| s.role.is_some() || s.audio_messages + s.video_messages > 0)
    {
        "every stream ended"
    } else {
        "no stream"
    };
    Finding::new(true, format!("{streams}; {tcp_text}"))
}

fn command_results(report: &Report, session: &Session, names: &[String]) -> Finding {
    let mut parts = Vec::new();
    let mut ok = true;
    for name in names {
        let requests = report.messages.iter().filter(|r| {
            r.conn == session.conn
                && r.message.dir == Dir::C2S
                && r.message.command().is_some_and(|c| &c.name == name)
        });
        let mut answers = Vec::new();
        for request in requests {
            let response = request
                .response()
                .and_then(|i| report.messages.get(i as usize))
                .and_then(|r| r.message.command());
            match (response, request.latency()) {
                (Some(c), Some(latency)) if c.name == "_result" => {
                    answers.push(format!("_result in {:.1} ms", latency * 1000.0))
                }
                (Some(c), _) => {
                    ok = false;
                    answers.push(format!("{} (message {})", c.name, request.index));
                }
                (None, _) => {
                    ok = false;
                    answers.push(format!("no answer (message {})", request.index));
                }
            }
        }
        if answers.is_empty() {
            ok = false;
            parts.push(format!("{name}: never sent"));
        } else {
            parts.push(format!("{name}: {}", answers.join(", ")));
        }
    }
    Finding::new(ok, parts.join("; "))
}
