//! Rules evaluated once per media stream: codecs, resolution, frame rate, bitrate, keyframe
//! interval, A/V drift, timestamp regressions, startup latency.

use crate::analysis::StreamRole;

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
        Rule::MinFps(x) => frame_rate(&f.video, |r| r >= *x),
        Rule::MaxFps(x) => frame_rate(&f.video, |r| r <= *x),
        Rule::MinVideoKbps(x) => bitrate(&f.video, "video", |r| r >= *x),
        Rule::MaxVideoKbps(x) => bitrate(&f.video, "video", |r| r <= *x),
        Rule::MinAudioKbps(x) => bitrate(&f.audio, "audio", |r| r >= *x),
        Rule::MaxAudioKbps(x) => bitrate(&f.audio, "audio", |r| r <= *x),
        Rule::MaxKeyframeIntervalS(max) => keyframe_interval(v, *max),
        Rule::MaxAvDriftMs(_) => {
            Finding::not_measured("A/V drift is not measured by this version of the analysis")
        }
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

fn dimension(v: &StreamView<'_>, which: &str, ok: impl Fn(f64) -> bool) -> Finding {
    let f = v.facts;
    if f.video.messages == 0 {
        return no_track("video");
    }
    let declared = match which {
        "width" => f.metadata.width,
        _ => f.metadata.height,
    };
    match (declared, f.metadata.at) {
        (Some(px), Some(at)) if px > 0.0 => {
            Finding::new(ok(px), format!("{px} px (declared in onMetaData)"))
                .value(px)
                .detail(format!("onMetaData {which} at {at}"))
        }
        _ => Finding::not_measured(format!(
            "the stream declares no {which} (no onMetaData {which}) and the codec \
             configuration is not decoded"
        )),
    }
}

fn frame_rate(track: &Track, ok: impl Fn(f64) -> bool) -> Finding {
    if track.messages == 0 {
        return no_track("video");
    }
    match track.rate() {
        Some(fps) => Finding::new(ok(fps), format!("{fps:.2} fps"))
            .value(fps)
            .detail(format!(
                "{} frames over {:.3} s of timestamps",
                track.frames,
                track.span_ms().unwrap_or(0) as f64 / 1000.0
            )),
        None => Finding::not_measured(format!("{} video frame(s): too few to time", track.frames)),
    }
}

fn bitrate(track: &Track, kind: &str, ok: impl Fn(f64) -> bool) -> Finding {
    if track.messages == 0 {
        return no_track(kind);
    }
    match track.kbps() {
        Some(kbps) => Finding::new(ok(kbps), format!("{kbps:.1} kbit/s"))
            .value(kbps)
            .detail(format!(
                "{} {kind} bytes in {} messages over {:.3} s of timestamps",
                track.bytes,
                track.messages,
                track.span_ms().unwrap_or(0) as f64 / 1000.0
            )),
        None => Finding::not_measured(format!("{} {kind} frame(s): too few to time", track.frames)),
    }
}

fn keyframe_interval(v: &StreamView<'_>, max_s: f64) -> Finding {
    let f = v.facts;
    if f.video.messages == 0 {
        return no_track("video");
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
