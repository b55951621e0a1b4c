//! `rtmpscope summary`: sessions, streams, counts and diagnostics.

use std::path::Path;
use std::process::ExitCode;

use rtmpscope::analysis::{
    AckVerdict, AckWindow, AudioTrack, Milestone, Protocol, Session, StreamInfo, StreamRole,
    TrackKind, VideoTrack,
};
use rtmpscope::diagnostic::Severity;
use rtmpscope::rtmp::Dir;
use rtmpscope::Report;

use rtmpscope::rtmp::RtmpConfig;

use crate::{analyze_with, print_json, Format};

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
        listed_messages(report)
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
        out += &session_analytics(session);
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
            out += &stream_analytics(stream);
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
        if let Some(m) = d.at.message {
            at.push(format!("message {m}"));
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

fn ms(m: &Option<Milestone>) -> Option<String> {
    m.as_ref().map(|m| format!("{:.1}", m.ms))
}

/// Enhanced RTMP, start-up milestones, acknowledgement windows and the ending of a session.
fn session_analytics(session: &Session) -> String {
    let mut out = String::new();
    for (who, caps) in [
        ("client", &session.enhanced_rtmp),
        ("server", &session.server_enhanced_rtmp),
    ] {
        if let Some(caps) = caps {
            out += &format!("  Enhanced RTMP ({who}): {}\n", caps.summary());
        }
    }
    if let Some(s) = &session.startup {
        let steps: Vec<String> = [
            ("handshake", ms(&s.handshake_done)),
            ("connect", ms(&s.connect)),
            ("_result", ms(&s.connect_result)),
            ("createStream", ms(&s.create_stream_result)),
            (
                s.stream_request_name.as_deref().unwrap_or("publish/play"),
                ms(&s.stream_request),
            ),
            (
                s.stream_start_code
                    .as_deref()
                    .map_or("start", |c| c.trim_start_matches("NetStream.")),
                ms(&s.stream_start),
            ),
            ("first media", ms(&s.first_media)),
            ("first keyframe", ms(&s.first_keyframe)),
        ]
        .into_iter()
        .filter_map(|(name, at)| at.map(|at| format!("{name} {at}")))
        .collect();
        if !steps.is_empty() {
            out += &format!(
                "  start-up, ms from {}: {}\n",
                if s.syn_seen {
                    "SYN"
                } else {
                    "first packet (no SYN captured)"
                },
                steps.join(", ")
            );
        }
    }
    for ack in &session.acknowledgements {
        if ack.verdict != AckVerdict::NotDue {
            out += &format!("  {}\n", ack_line(ack));
        }
    }
    if let Some(end) = &session.end {
        out += &format!("  end: {}\n", end.summary);
    }
    out
}

fn ack_line(ack: &AckWindow) -> String {
    let (from, to) = match ack.data_dir {
        Dir::C2S => ("client", "server"),
        Dir::S2C => ("server", "client"),
    };
    let verdict = match ack.verdict {
        AckVerdict::NotDue => "no acknowledgement due yet",
        AckVerdict::Ok => "acknowledged in time",
        AckVerdict::Late => "acknowledgements LATE",
        AckVerdict::Missing => "acknowledgements MISSING",
    };
    format!(
        "ack window {from} → {to}: {} bytes; {} bytes sent, {} acks, longest unacknowledged {} bytes: {verdict}",
        ack.window, ack.bytes_after_window, ack.acks, ack.max_unacked_bytes
    )
}

fn kbps(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |k| format!("{k:.0} kbit/s"))
}

fn video_lines(v: &VideoTrack) -> String {
    let s = &v.stats;
    let codec = match &v.fourcc {
        Some(f) => format!("{} ({f})", v.codec),
        None => v.codec.clone(),
    };
    let config = v
        .config
        .config_summary
        .clone()
        .or_else(|| {
            v.config
                .config_error
                .as_ref()
                .map(|e| format!("config: {e}"))
        })
        .unwrap_or_else(|| "no sequence header".to_string());
    let mut out = format!("    video  {codec}: {config}\n");
    let mut facts = vec![format!("{} frames", s.frames)];
    if let Some(fps) = s.frame_rate {
        facts.push(format!("{fps:.2} fps"));
    }
    facts.push(kbps(s.kbps));
    match &s.keyframe_interval {
        Some(k) => facts.push(format!(
            "{} keyframes every {:.2} s / {:.0} frames (min {:.2} s, max {:.2} s)",
            s.keyframes, k.mean_s, k.mean_frames, k.min_s, k.max_s
        )),
        None => facts.push(format!("{} keyframe(s)", s.keyframes)),
    }
    facts.push(match (s.b_frames, s.max_composition_time_ms) {
        (true, Some(c)) => format!("B-frames (composition time up to {c} ms)"),
        _ => "no B-frames".to_string(),
    });
    if let Some(f) = s.largest_frame {
        facts.push(format!("largest {} bytes (message {})", f.bytes, f.message));
    }
    out += &format!("           {}\n", facts.join(", "));
    out
}

fn audio_lines(a: &AudioTrack) -> String {
    let s = &a.stats;
    let config = a.config.config_summary.clone().unwrap_or_else(|| {
        let mut parts = Vec::new();
        if let Some(rate) = a.sample_rate {
            parts.push(format!("{rate} Hz"));
        }
        if let Some(ch) = a.channels {
            parts.push(format!("{ch} ch"));
        }
        parts.join(", ")
    });
    let mut out = format!("    audio  {}: {config}\n", a.codec);
    let mut facts = vec![format!("{} frames", s.frames)];
    if let Some(step) = s.frame_interval_ms {
        let expected = s
            .expected_frame_interval_ms
            .map(|e| format!(" (codec: {e:.2})"))
            .unwrap_or_default();
        facts.push(format!("{step:.2} ms per frame{expected}"));
    }
    facts.push(kbps(s.kbps));
    out += &format!("           {}\n", facts.join(", "));
    out
}

/// The media analytics of one stream.
fn stream_analytics(stream: &StreamInfo) -> String {
    let mut out = String::new();
    if let Some(v) = &stream.video {
        out += &video_lines(v);
    }
    if let Some(a) = &stream.audio {
        out += &audio_lines(a);
    }
    for t in &stream.tracks {
        let kind = match t.kind {
            TrackKind::Video => "video",
            TrackKind::Audio => "audio",
        };
        let config = t
            .config
            .config_summary
            .clone()
            .or_else(|| {
                t.config
                    .config_error
                    .as_ref()
                    .map(|e| format!("config error: {e}"))
            })
            .unwrap_or_else(|| "no configuration".to_string());
        out += &format!(
            "    track {kind} #{} {} ({}): {config}; {} frames\n",
            t.track_id, t.codec, t.fourcc, t.frames
        );
    }
    if let Some(m) = &stream.metadata {
        let mut parts = Vec::new();
        if let (Some(w), Some(h)) = (m.width, m.height) {
            parts.push(format!("{w}x{h}"));
        }
        if let Some(fps) = m.frame_rate {
            parts.push(format!("{fps} fps"));
        }
        for (label, codec, rate) in [
            ("video", &m.video_codec, m.video_kbps),
            ("audio", &m.audio_codec, m.audio_kbps),
        ] {
            let name = codec.as_ref().map(|c| c.name.as_str()).unwrap_or("-");
            parts.push(format!("{label} {name} {}", kbps(rate)));
        }
        if let Some(e) = &m.encoder {
            parts.push(format!("encoder {e}"));
        }
        let repeats = if m.count > 1 {
            format!(" (sent {} times)", m.count)
        } else {
            String::new()
        };
        out += &format!("    onMetaData{repeats}: {}\n", parts.join(", "));
    }
    let b = &stream.bitrate;
    if !b.buckets.is_empty() {
        out += &format!(
            "    bitrate  average {:.0} kbit/s, peak {:.0} kbit/s ({} ms buckets)\n",
            b.average_kbps, b.peak_kbps, b.bucket_ms
        );
    }
    if let Some(t) = &stream.timing {
        let p = &t.pacing;
        let mut parts = Vec::new();
        if let (Some(speed), Some(buffer)) = (p.speed, p.buffer_ms) {
            parts.push(format!(
                "{speed:.2}x real time, ends {:.0} ms {}",
                buffer.abs(),
                if buffer >= 0.0 { "ahead" } else { "behind" }
            ));
        }
        if let Some(drift) = p.av_drift_ms {
            parts.push(format!("A/V drift {drift:+.0} ms"));
        }
        let anomalies = t.video_regressions + t.video_jumps + t.audio_regressions + t.audio_jumps;
        parts.push(if anomalies == 0 {
            "timestamps regular".to_string()
        } else {
            format!(
                "timestamp regressions/jumps: video {}/{}, audio {}/{}",
                t.video_regressions, t.video_jumps, t.audio_regressions, t.audio_jumps
            )
        });
        out += &format!("    timing   {}\n", parts.join("; "));
    }
    out
}

/// The messages the report lists, or would list when it keeps none: every session's, up to
/// the cap on listed messages.
fn listed_messages(report: &Report) -> u64 {
    if !report.messages.is_empty() {
        return report.messages.len() as u64;
    }
    let counted: u64 = report.sessions.iter().map(|s| s.messages).sum();
    counted.min(RtmpConfig::default().max_messages as u64)
}

pub fn run(file: &Path, format: Format) -> anyhow::Result<ExitCode> {
    // The table shows no message one by one: the analysis need not keep them.
    let report = analyze_with(file, format == Format::Json)?;
    match format {
        Format::Json => print_json(&report)?,
        Format::Table => print!("{}", render(&report)),
    }
    Ok(ExitCode::SUCCESS)
}
