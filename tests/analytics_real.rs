//! Stream analytics on the shared captures.
//!
//! The expectations are not rtmpscope's output. They come from the command lines that made the
//! captures (tests/data/README.md: 640x360 testsrc2 at 30 fps, `-g 60`, AAC from a 44.1 kHz
//! sine, 5 s; x264 `veryfast` = High profile with B-frames; gst `tune=zerolatency` = no
//! B-frames), and from ffprobe on an FLV rebuilt from tshark's own reassembly of each capture
//! (`python3 tests/analytics_support/make_expect.py CAPTURE`), which gave the exact frame and
//! keyframe counts, profiles and pixel formats below. ffprobe packet sizes leave out the 5-byte
//! FLV AVC tag header that RTMP video messages carry.

mod common;

use rtmpscope::analysis::{AnalyticsOptions, StreamInfo, StreamRole};
use rtmpscope::codec::CodecConfig;
use rtmpscope::{analyze_bytes, AnalyzerOptions, Report};

fn report(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("report")
}

fn stream(report: &Report) -> &StreamInfo {
    let session = report.sessions.first().expect("a session");
    session
        .streams
        .iter()
        .find(|s| s.video.is_some() || s.audio.is_some())
        .expect("a stream with media")
}

/// What ffprobe said about a capture's rebuilt FLV.
struct Probe {
    profile: &'static str,
    chroma: &'static str,
    bit_depth: u8,
    video_frames: u64,
    keyframes: u64,
    keyframe_frames: (u64, u64),
    reordered: bool,
    largest_packet: u32,
    audio_frames: u64,
}

const FFMPEG_PUBLISH: Probe = Probe {
    profile: "High",
    chroma: "4:2:0",
    bit_depth: 8,
    video_frames: 150,
    keyframes: 3,
    keyframe_frames: (60, 60),
    reordered: true,
    largest_packet: 10286,
    audio_frames: 217,
};

const GST_PUBLISH: Probe = Probe {
    // ffprobe: pix_fmt yuv444p10le: x264enc negotiated 4:4:4 10-bit with videotestsrc.
    profile: "High 4:4:4 Predictive",
    chroma: "4:4:4",
    bit_depth: 10,
    video_frames: 150,
    keyframes: 7,
    // key-int-max=60 is only a maximum: x264 put keyframes 22 to 24 frames apart.
    keyframe_frames: (22, 24),
    reordered: false,
    largest_packet: 8746,
    audio_frames: 216,
};

fn check_media(name: &str, s: &StreamInfo, p: &Probe) {
    let video = s.video.as_ref().expect("video");
    assert_eq!(video.codec, "AVC", "{name}");
    let Some(CodecConfig::Avc(avc)) = &video.config.config else {
        panic!(
            "{name}: no decoded AVC configuration: {:?}",
            video.config.config_error
        );
    };
    let sps = avc.sps.as_ref().expect("SPS");
    assert_eq!(sps.profile, p.profile, "{name}");
    assert_eq!(sps.level, "3.0", "{name}");
    assert_eq!(sps.chroma_format.as_str(), p.chroma, "{name}");
    assert_eq!(sps.bit_depth_luma, p.bit_depth, "{name}");
    assert_eq!(
        (video.width, video.height),
        (Some(640), Some(360)),
        "{name}"
    );
    let v = &video.stats;
    assert_eq!(v.frames, p.video_frames, "{name}");
    assert!((v.frame_rate.expect("fps") - 30.0).abs() < 0.1, "{name}");
    assert_eq!(v.keyframes, p.keyframes, "{name}");
    let k = v.keyframe_interval.as_ref().expect("keyframe interval");
    assert_eq!(k.intervals, p.keyframes - 1, "{name}");
    assert_eq!((k.min_frames, k.max_frames), p.keyframe_frames, "{name}");
    assert_eq!(v.b_frames, p.reordered, "{name}");
    assert_eq!(
        v.largest_frame.expect("largest").bytes,
        p.largest_packet + 5,
        "{name}"
    );
    let audio = s.audio.as_ref().expect("audio");
    assert_eq!(audio.codec, "AAC", "{name}");
    let Some(CodecConfig::Aac(aac)) = &audio.config.config else {
        panic!("{name}: no decoded AAC configuration");
    };
    assert_eq!(aac.name, "AAC LC", "{name}");
    assert_eq!(
        (audio.sample_rate, audio.channels),
        (Some(44_100), Some(1)),
        "{name}"
    );
    assert_eq!(audio.stats.frames, p.audio_frames, "{name}");
    // 1024 samples at 44.1 kHz: 23.22 ms, in whole-ms timestamps.
    let step = audio.stats.frame_interval_ms.expect("audio step");
    assert!((step - 1024.0 / 44.1).abs() < 0.02, "{name}: {step}");
}

fn check_live_timing(name: &str, r: &Report) {
    let s = stream(r);
    let t = s.timing.as_ref().expect("timing");
    // Captures of unbroken encoders: no timestamp trouble, audio and video in step.
    assert_eq!(
        (
            t.video_regressions,
            t.video_jumps,
            t.audio_regressions,
            t.audio_jumps
        ),
        (0, 0, 0, 0),
        "{name}"
    );
    assert!(t.pacing.av_drift_ms.expect("drift").abs() < 50.0, "{name}");
    // ffmpeg ran with -re and gst with is-live=true: real time.
    let speed = t.pacing.speed.expect("speed");
    assert!((0.95..1.05).contains(&speed), "{name}: {speed}");
    for code in ["stream.faster_than_realtime", "stream.slower_than_realtime"] {
        assert!(
            !r.diagnostics.iter().any(|d| d.code == code),
            "{name}: {code}"
        );
    }
}

#[test]
fn ffmpeg_publishes() {
    for name in [
        "nginx-ffmpeg-publish.pcap",
        "nginx-ffmpeg-publish-dumpcap.pcapng",
        "nginx-ffmpeg-publish-any-sll.pcap",
        "nginx-ffmpeg-publish-any-sll2.pcap",
        "nms-ffmpeg-publish.pcap",
    ] {
        let r = report(name);
        let s = stream(&r);
        assert_eq!(s.role, Some(StreamRole::Publish));
        check_media(name, s, &FFMPEG_PUBLISH);
        check_live_timing(name, &r);
        let k = s
            .video
            .as_ref()
            .and_then(|v| v.stats.keyframe_interval.as_ref());
        // -g 60 at 30 fps.
        assert_eq!(k.map(|k| (k.min_s, k.max_s)), Some((2.0, 2.0)), "{name}");
        let meta = s.metadata.as_ref().expect("onMetaData");
        assert_eq!((meta.width, meta.height), (Some(640.0), Some(360.0)));
        assert_eq!(meta.frame_rate, Some(30.0));
        assert_eq!(
            meta.video_codec.as_ref().map(|c| c.name.as_str()),
            Some("AVC")
        );
        assert_eq!(
            meta.audio_codec.as_ref().map(|c| c.name.as_str()),
            Some("AAC")
        );
        // ffmpeg's FLV muxer declares -b:v in units of 1024 bit/s: 800k / 1024.
        assert_eq!(meta.video_kbps, Some(781.25));
        assert!(meta
            .encoder
            .as_deref()
            .is_some_and(|e| e.starts_with("Lavf")));
        // Nothing wrong with these streams.
        let problems: Vec<&str> = r
            .diagnostics
            .iter()
            .filter(|d| d.code.starts_with("stream.") || d.code.starts_with("session."))
            .map(|d| d.code.as_str())
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

#[test]
fn gstreamer_publishes() {
    for name in [
        "nginx-gst-rtmpsink-publish.pcap",
        "nginx-gst-rtmp2sink-publish.pcap",
    ] {
        let r = report(name);
        let s = stream(&r);
        check_media(name, s, &GST_PUBLISH);
        check_live_timing(name, &r);
        // flvmux re-sends onMetaData: 31 data messages (README).
        assert_eq!(s.metadata.as_ref().map(|m| m.count), Some(31), "{name}");
        // 4:4:4 10-bit H.264 is what browsers cannot play.
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == "stream.codec_compatibility")
            .expect("compatibility warning");
        let config = s.video.as_ref().and_then(|v| v.config.config_message);
        assert_eq!(d.at.message, config, "{name}");
        assert!(
            d.text.contains("High 4:4:4 Predictive 10-bit 4:4:4"),
            "{}",
            d.text
        );
    }
}

#[test]
fn rtmpdump_play() {
    let r = report("nginx-rtmpdump-play.pcap");
    let s = stream(&r);
    assert_eq!(s.role, Some(StreamRole::Play));
    let video = s.video.as_ref().expect("video");
    // ffprobe on the rebuilt FLV: 108 frames, keyframes 60 frames (2 s) apart, 212 AAC frames.
    assert_eq!(video.stats.frames, 108);
    assert_eq!(video.stats.keyframes, 2);
    let k = video.stats.keyframe_interval.as_ref().expect("interval");
    assert_eq!((k.max_frames, k.max_s), (60, 2.0));
    assert!(video.stats.b_frames);
    assert_eq!(s.audio.as_ref().map(|a| a.stats.frames), Some(212));
    let startup = r.sessions[0].startup.as_ref().expect("startup");
    assert_eq!(
        startup.stream_start_code.as_deref(),
        Some("NetStream.Play.Start")
    );
    assert_eq!(startup.stream_request_name.as_deref(), Some("play"));
    check_live_timing("nginx-rtmpdump-play.pcap", &r);
}

#[test]
fn lossy_publish_keeps_its_timestamps() {
    let r = report("nginx-ffmpeg-publish-lossy.pcap");
    let s = stream(&r);
    let v = &s.video.as_ref().expect("video").stats;
    // ffprobe: 240 frames, 4 keyframes 2 s apart, 346 audio frames. TCP loss and reordering
    // do not touch RTMP timestamps.
    assert_eq!((v.frames, v.keyframes), (240, 4));
    assert_eq!(v.keyframe_interval.as_ref().map(|k| k.max_s), Some(2.0));
    assert_eq!(s.audio.as_ref().map(|a| a.stats.frames), Some(346));
    check_live_timing("nginx-ffmpeg-publish-lossy.pcap", &r);
}

#[test]
fn startup_milestones_and_ending() {
    let r = report("nginx-ffmpeg-publish.pcap");
    let session = &r.sessions[0];
    let s = session.startup.as_ref().expect("startup");
    assert!(s.syn_seen);
    assert_eq!(s.start, r.connections[0].tcp.first_time);
    let at = |m: &Option<rtmpscope::analysis::Milestone>| m.as_ref().expect("milestone").ms;
    let order = [
        at(&s.handshake_done),
        at(&s.connect),
        at(&s.connect_result),
        at(&s.create_stream_result),
        at(&s.stream_request),
        at(&s.stream_start),
        at(&s.first_media),
        at(&s.first_keyframe),
    ];
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    assert_eq!(
        s.stream_start_code.as_deref(),
        Some("NetStream.Publish.Start")
    );
    // The Publish.Start onStatus is a message the tshark reference lists too.
    let start = s
        .stream_start
        .as_ref()
        .and_then(|m| m.message)
        .expect("message");
    assert_eq!(
        r.messages[start as usize]
            .message
            .command()
            .map(|c| c.name.as_str()),
        Some("onStatus")
    );
    let end = session.end.as_ref().expect("end");
    assert!(end.graceful);
    let said: Vec<&str> = end.messages.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(
        said,
        ["FCUnpublish", "deleteStream", "NetStream.Unpublish.Success"]
    );
}

#[test]
fn player_error_from_the_server() {
    // nDPI's capture: the server answers play with NetStream.Play.Failed (tshark shows it).
    let r = report("public/ndpi-rtmp.pcap");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "stream.status_error")
        .expect("status error");
    assert!(d.text.contains("NetStream.Play.Failed"), "{}", d.text);
    assert_eq!(d.at.conn, Some(0));
}

#[test]
fn bucket_width_is_an_option() {
    let bytes = std::fs::read(common::data("nginx-ffmpeg-publish.pcap")).expect("read");
    let with = |bucket_ms| {
        analyze_bytes(
            &bytes,
            AnalyzerOptions {
                analytics: AnalyticsOptions { bucket_ms },
                ..AnalyzerOptions::default()
            },
        )
        .expect("report")
    };
    let (fine, coarse) = (with(250), with(1000));
    let (a, b) = (&stream(&fine).bitrate, &stream(&coarse).bitrate);
    assert_eq!((a.bucket_ms, b.bucket_ms), (250, 1000));
    assert!(a.buckets.len() >= 4 * b.buckets.len() - 4);
    let total = |s: &rtmpscope::analysis::BitrateSeries| {
        s.buckets.iter().map(|b| b.total_bytes()).sum::<u64>()
    };
    assert_eq!(total(a), total(b));
    let timing = stream(&fine).timing.as_ref().expect("timing");
    assert_eq!(timing.bucket_ms, 250);
    assert!(a.peak_kbps >= b.peak_kbps);
}

#[test]
fn analytics_round_trip_through_json() {
    let r = report("nginx-gst-rtmpsink-publish.pcap");
    let json = serde_json::to_string(&r).expect("json");
    let back: Report = serde_json::from_str(&json).expect("parse");
    // The analytics come back as they were (the whole report does not: AMF ECMA arrays come
    // back as objects, and the capture summary leaves a field out).
    assert_eq!(back.sessions, r.sessions);
    assert_eq!(back.diagnostics, r.diagnostics);
    let value: serde_json::Value = serde_json::from_str(&json).expect("value");
    assert_eq!(value["schema_version"], 1);
    let s = &value["sessions"][0]["streams"][0];
    // Series for charts are plain arrays of numbers.
    assert!(s["timing"]["ahead_ms"]["values"]
        .as_array()
        .expect("array")
        .iter()
        .all(serde_json::Value::is_number));
    assert!(s["video"]["stats"]["frame_rate"].is_number());
    assert_eq!(s["video"]["config"]["codec"], "avc");
}
