//! Rules evaluated once per media stream: codecs, resolution, frame rate, bitrate, keyframe
//! interval, A/V drift, timestamp regressions, startup latency.

use crate::analysis::{StreamRole, TimestampEventKind};

use super::codec::same_codec;
use super::evaluate::{Finding, StreamView};
use super::facts::Track;
use super::rules::Rule;

pub(crate) fn evaluate(rule: &Rule, v: &StreamView<'_>) -> Finding {
    let f = v.facts;
    match rule {
        Rule::VideoCodec(allowed) => codec(allowed, &f.video, "video"),
        Rule::AudioCodec(allowed) => codec(allowed, &f.audio, "audio"),
        Rule::MinWidth(n) => dimension(v, "width", |w| w >= f64::from(*n)),
        Rule::MaxWidth(n) => dimension(v, "width", |w| w <= f64::from(*n)),
        Rule::MinHeight(n) => dimension(v, "height", |h| h >= f64::from(*n)),
        Rule::MaxHeight(n) => dimension(v, "height", |h| h <= f64::from(*n)),
        Rule::MinFps(x) => frame_rate(v, |r| r >= *x),
        Rule::MaxFps(x) => frame_rate(v, |r| r <= *x),
        Rule::MinVideoKbps(x) => bitrate(v, true, |r| r >= *x),
        Rule::MaxVideoKbps(x) => bitrate(v, true, |r| r <= *x),
        Rule::MinAudioKbps(x) => bitrate(v, false, |r| r >= *x),
        Rule::MaxAudioKbps(x) => bitrate(v, false, |r| r <= *x),
        Rule::MaxKeyframeIntervalS(max) => keyframe_interval(v, *max),
        Rule::MaxAvDriftMs(max) => av_drift(v, *max),
        Rule::NoTimestampRegressions => regressions(v),
        Rule::MaxStartupLatencyMs(max) => startup_latency(v, *max),
        _ => Finding::fail("not a stream rule"),
    }
}

fn no_track(kind: &str) -> Finding {
    Finding::fail(format!("no {kind} in this stream"))
}

fn codec(allowed: &[String], track: &Track, kind: &str) -> Finding {
    if track.messages == 0 {
        return no_track(kind);
    }
    if track.codecs.is_empty() {
        return Finding::not_measured(format!(
            "{} {kind} message(s), none with a readable tag header",
            track.messages
        ));
    }
    let ok = track
        .codecs
        .iter()
        .all(|c| allowed.iter().any(|a| same_codec(a, c)));
    Finding::new(ok, track.codecs.join(", "))
}

/// The decoded codec configuration's size (measured), else what `onMetaData` declared.
fn dimension(v: &StreamView<'_>, which: &str, ok: impl Fn(f64) -> bool) -> Finding {
    let f = v.facts;
    if f.video.messages == 0 {
        return no_track("video");
    }
    let pick = |w: Option<u32>, h: Option<u32>| if which == "width" { w } else { h };
    let decoded = v
        .stream
        .video
        .as_ref()
        .and_then(|t| pick(t.width, t.height).map(|px| (f64::from(px), t)));
    let declared = v.stream.metadata.as_ref().and_then(|m| {
        let px = if which == "width" { m.width } else { m.height };
        px.filter(|&px| px > 0.0).map(|px| (px, m.message))
    });
    match (decoded, declared) {
        (Some((px, track)), declared) => {
            let from = track
                .config
                .config_message
                .map(|m| format!("{} configuration, message {m}", track.codec))
                .unwrap_or_else(|| format!("{} configuration", track.codec));
            let mut detail = format!("{which} from the {from}");
            if let Some((meta, _)) = declared.filter(|(meta, _)| *meta != px) {
                detail += &format!("; onMetaData declares {meta}");
            }
            Finding::new(ok(px), format!("{px} px"))
                .value(px)
                .detail(detail)
        }
        (None, Some((px, message))) => {
            Finding::new(ok(px), format!("{px} px (declared in onMetaData)"))
                .value(px)
                .detail(format!(
                    "onMetaData {which} (message {message}); the codec configuration gives none"
                ))
        }
        (None, None) => Finding::not_measured(format!(
            "no {which}: the codec configuration is missing or undecoded and onMetaData declares none"
        )),
    }
}

fn frame_rate(v: &StreamView<'_>, ok: impl Fn(f64) -> bool) -> Finding {
    let track = &v.facts.video;
    if track.messages == 0 {
        return no_track("video");
    }
    // The analysis' figure, else ours.
    let (fps, frames, span_s) = match v.stream.video.as_ref().map(|t| &t.stats) {
        Some(stats) => (stats.frame_rate, stats.frames, stats.duration_s),
        None => (track.rate(), track.frames, track.span_s()),
    };
    match fps {
        Some(fps) => Finding::new(ok(fps), format!("{fps:.2} fps"))
            .value(fps)
            .detail(format!("{frames} frames over {span_s:.3} s of timestamps")),
        None => untimed(frames, "video", span_s),
    }
}

/// Frames whose timestamps do not allow a rate: too few, or too little usable time (the
/// analysis leaves out timestamps it cannot trust, such as those inferred after a mid-stream
/// start).
fn untimed(frames: u64, kind: &str, span_s: f64) -> Finding {
    Finding::not_measured(format!(
        "{frames} {kind} frame(s) with {span_s:.3} s of usable timestamps: too little to time"
    ))
}

fn bitrate(v: &StreamView<'_>, video: bool, ok: impl Fn(f64) -> bool) -> Finding {
    let (track, kind) = if video {
        (&v.facts.video, "video")
    } else {
        (&v.facts.audio, "audio")
    };
    if track.messages == 0 {
        return no_track(kind);
    }
    // The analysis' figure (frame bytes over the frames' duration), else ours.
    let analysed = if video {
        v.stream.video.as_ref().map(|t| {
            (
                t.stats.kbps,
                t.stats.bytes,
                t.stats.frames,
                t.stats.duration_s,
            )
        })
    } else {
        v.stream.audio.as_ref().map(|t| {
            (
                t.stats.kbps,
                t.stats.bytes,
                t.stats.frames,
                t.stats.duration_s,
            )
        })
    };
    let (kbps, bytes, frames, span_s) = match analysed {
        Some(a) => a,
        None => (track.kbps(), track.bytes, track.frames, track.span_s()),
    };
    match kbps {
        Some(kbps) => Finding::new(ok(kbps), format!("{kbps:.1} kbit/s"))
            .value(kbps)
            .detail(format!(
                "{bytes} {kind} bytes in {frames} frames over {span_s:.3} s of timestamps"
            )),
        None => untimed(frames, kind, span_s),
    }
}

fn keyframe_interval(v: &StreamView<'_>, max_s: f64) -> Finding {
    let f = v.facts;
    if f.video.messages == 0 {
        return no_track("video");
    }
    let analysed = v.stream.video.as_ref().map(|t| &t.stats);
    if let Some((stats, ki)) = analysed.and_then(|s| s.keyframe_interval.as_ref().map(|k| (s, k))) {
        return Finding::new(ki.max_s <= max_s, format!("{:.3} s", ki.max_s))
            .value(ki.max_s)
            .detail(format!(
                "longest interval ends at the keyframe of message {}; {} keyframes, mean {:.3} s",
                ki.max_at_message, stats.keyframes, ki.mean_s
            ));
    }
    let k = &f.keyframes;
    if let Some((gap_ms, at)) = k.max_gap {
        let s = gap_ms as f64 / 1000.0;
        return Finding::new(s <= max_s, format!("{s:.3} s"))
            .value(s)
            .detail(format!(
                "longest gap ends at the keyframe of {at}; {} keyframes",
                k.count
            ));
    }
    // Fewer than two keyframes: the video after the last one (or all of it) is a lower bound.
    let since = match k.last_ts {
        Some(last) => f.video.last_ts - last,
        None => f.video.span_ms().unwrap_or(0),
    };
    let s = since as f64 / 1000.0;
    let what = if k.count == 0 {
        format!("no keyframe in {s:.3} s of video")
    } else {
        format!("one keyframe, then {s:.3} s of video without another")
    };
    if s > max_s {
        Finding::fail(format!("≥ {s:.3} s ({what})")).value(s)
    } else {
        Finding::not_measured(what)
    }
}

fn regressions(v: &StreamView<'_>) -> Finding {
    let f = v.facts;
    if f.video.frames + f.audio.frames == 0 {
        return Finding::not_measured("no audio or video frames in this stream");
    }
    if let Some(t) = &v.stream.timing {
        let total = t.video_regressions + t.audio_regressions;
        let first = t
            .events
            .iter()
            .find(|e| e.kind == TimestampEventKind::Regression)
            .map(|e| {
                format!(
                    "first: {:?} timestamp {} → {} ms at message {} (frame {})",
                    e.track, e.previous_timestamp, e.timestamp, e.message, e.frame
                )
                .to_lowercase()
            });
        return Finding::new(
            total == 0,
            format!(
                "{} video, {} audio regression(s)",
                t.video_regressions, t.audio_regressions
            ),
        )
        .value(total as f64)
        .maybe_detail(first);
    }
    let total = f.video.regressions + f.audio.regressions;
    let first = [("video", &f.video), ("audio", &f.audio)]
        .into_iter()
        .filter_map(|(kind, t)| t.first_regression.map(|r| (kind, r)))
        .min_by_key(|(_, (at, ..))| at.message)
        .map(|(kind, (at, prev, now))| {
            format!("first: {kind} timestamp {prev} → {now} ms at {at}")
        });
    Finding::new(
        total == 0,
        format!(
            "{} video, {} audio regression(s)",
            f.video.regressions, f.audio.regressions
        ),
    )
    .value(total as f64)
    .maybe_detail(first)
}

/// The change of the audio/video timestamp offset from the stream's start to its end.
fn av_drift(v: &StreamView<'_>, max_ms: f64) -> Finding {
    let f = v.facts;
    if f.video.messages == 0 || f.audio.messages == 0 {
        return Finding::fail("no drift to measure: the stream lacks audio or video");
    }
    let Some(timing) = &v.stream.timing else {
        return Finding::not_measured("the report has no timing analysis for this stream");
    };
    match timing.pacing.av_drift_ms {
        Some(drift) => Finding::new(drift.abs() <= max_ms, format!("{drift:+.1} ms"))
            .value(drift.abs())
            .detail("change of the audio minus video timestamp offset from the start to the end"),
        None => Finding::not_measured(
            "audio and video overlap too little in media time to measure drift",
        ),
    }
}

fn startup_latency(v: &StreamView<'_>, max_ms: f64) -> Finding {
    let Some(conn) = v
        .report
        .connections
        .iter()
        .find(|c| c.tcp.conn.0 == v.session.conn)
    else {
        return Finding::not_measured("the session's TCP connection is not in the report");
    };
    if !conn.tcp.syn_seen {
        return Finding::not_measured("the capture starts after the TCP handshake (no SYN)");
    }
    let (start, what) = match v.stream.role {
        Some(StreamRole::Publish) => (v.facts.publish_start, "NetStream.Publish.Start"),
        _ => (v.facts.first_media, "first audio/video message"),
    };
    let Some((time, at)) = start else {
        return Finding::fail(format!("never started: no {what}"));
    };
    let ms = time.seconds_since(conn.tcp.first_time) * 1000.0;
    Finding::new(ms <= max_ms, format!("{ms:.1} ms"))
        .value(ms)
        .detail(format!(
            "SYN (frame {}) → {what} ({at})",
            conn.tcp.first_frame
        ))
}
