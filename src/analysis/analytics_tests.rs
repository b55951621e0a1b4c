//! The analytics pass on synthetic sessions: each problem it should find, and a clean publish
//! where it should find nothing.

#![allow(clippy::unwrap_used)]

use crate::amf::AmfValue;
use crate::codec::CodecConfig;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rtmp::control::ProtocolControl;
use crate::rtmp::Dir;

use super::acks::AckVerdict;
use super::closing::Closer;
use super::test_support::{hex, obj, text, Script};

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn find<'a>(diagnostics: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(diagnostics)))
}

#[test]
fn clean_publish_has_media_facts_and_no_findings() {
    let mut s = Script::default();
    s.publish_start(obj(&[("app", text("live"))]));
    s.metadata(
        Dir::C2S,
        1,
        0.1,
        &[
            ("width", AmfValue::Number(640.0)),
            ("framerate", AmfValue::Number(30.0)),
            ("videocodecid", AmfValue::Number(1_635_148_593.0)),
        ],
    );
    s.media(6.0, 60, 1.0);
    s.command(
        Dir::C2S,
        1,
        6.3,
        "deleteStream",
        vec![AmfValue::Number(1.0)],
    );
    let (session, diagnostics) = s.analyze(true);
    assert!(diagnostics.is_empty(), "{:?}", codes(&diagnostics));
    let stream = session.stream(1).unwrap();
    let video = stream.video.as_ref().unwrap();
    assert!(matches!(video.config.config, Some(CodecConfig::Avc(_))));
    assert_eq!((video.width, video.height), (Some(640), Some(360)));
    assert_eq!(video.stats.frames, 180);
    let k = video.stats.keyframe_interval.as_ref().unwrap();
    assert_eq!((k.min_s, k.max_s, k.max_frames), (2.0, 2.0, 60));
    let audio = stream.audio.as_ref().unwrap();
    assert_eq!(audio.sample_rate, Some(44_100));
    assert_eq!(audio.channels, Some(1));
    assert!((audio.stats.frame_interval_ms.unwrap() - 23.22).abs() < 0.05);
    let meta = stream.metadata.as_ref().unwrap();
    assert_eq!(meta.video_codec.as_ref().unwrap().name, "avc1");
    let timing = stream.timing.as_ref().unwrap();
    assert!((timing.pacing.speed.unwrap() - 1.0).abs() < 0.02);
    assert!(timing.pacing.av_drift_ms.unwrap().abs() < 30.0);
    let startup = session.startup.as_ref().unwrap();
    assert_eq!(startup.stream_start.as_ref().unwrap().ms, 90.0);
    assert_eq!(startup.connect_result.as_ref().unwrap().ms, 50.0);
    assert_eq!(startup.first_keyframe.as_ref().unwrap().ms, 200.0);
    let end = session.end.as_ref().unwrap();
    assert_eq!((end.closed_by, end.graceful), (Closer::Client, true));
}

#[test]
fn timestamp_regression_points_at_the_message() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(3.0, 30, 1.0);
    // Video frame 60 (2.0 s) goes back half a second.
    let i = s
        .records
        .iter()
        .position(|r| r.message.timestamp == 2000 && r.message.length == 3000)
        .unwrap();
    s.records[i].message.timestamp = 1500;
    let (_, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.timestamp_regression");
    assert_eq!(d.at.message, Some(i as u64));
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.text.contains("video timestamps went backwards 1 time"),
        "{}",
        d.text
    );
    assert!(d.text.contains("1966 → 1500 ms"), "{}", d.text);
}

#[test]
fn two_second_jump_is_a_discontinuity() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(4.0, 30, 1.0);
    for r in &mut s.records {
        if r.message.length == 3000 && r.message.timestamp >= 2000 {
            r.message.timestamp += 2000;
        }
    }
    let (session, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.timestamp_jump");
    assert!(d.text.contains("discontinuous"), "{}", d.text);
    assert!(d.text.contains("+2.0 s"), "{}", d.text);
    let timing = session.stream(1).unwrap().timing.as_ref().unwrap();
    assert_eq!((timing.video_jumps, timing.audio_jumps), (1, 0));
    // Video now runs 2 s ahead of audio: that is drift too.
    assert!(codes(&diagnostics).contains(&"stream.av_drift"));
}

#[test]
fn publisher_at_twice_real_time() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(10.0, 60, 2.0);
    let (session, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.faster_than_realtime");
    assert!(d.text.contains("2.00x real time"), "{}", d.text);
    let pacing = &session.stream(1).unwrap().timing.as_ref().unwrap().pacing;
    assert!((pacing.buffer_ms.unwrap() - 5000.0).abs() < 100.0);
    assert!(!codes(&diagnostics).contains(&"stream.av_drift"));
}

#[test]
fn publisher_at_two_thirds_real_time() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(6.0, 60, 2.0 / 3.0);
    let (_, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.slower_than_realtime");
    assert!(d.text.contains("0.67x real time"), "{}", d.text);
}

#[test]
fn eight_second_keyframe_interval() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(17.0, 240, 1.0);
    let (_, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.keyframe_interval");
    assert!(
        d.text
            .contains("keyframe interval 8.0 s (240 frames) exceeds 4 s"),
        "{}",
        d.text
    );
    assert!(d.text.contains("wait up to 8.0 s"));
}

#[test]
fn audio_running_fast_drifts_from_video() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.media(6.0, 60, 1.0);
    // Audio timestamps advance 10% faster than video's.
    for r in &mut s.records {
        if r.message.length == 370 {
            r.message.timestamp = r.message.timestamp * 11 / 10;
        }
    }
    let (session, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.av_drift");
    assert!(d.text.contains("(audio runs ahead)"), "{}", d.text);
    let drift = session
        .stream(1)
        .unwrap()
        .timing
        .as_ref()
        .unwrap()
        .pacing
        .av_drift_ms;
    assert!((400.0..600.0).contains(&drift.unwrap()), "{drift:?}");
    // And the AAC cadence no longer matches 1024 samples at 44.1 kHz.
    assert!(codes(&diagnostics).contains(&"stream.audio_cadence"));
}

/// A play session where the server sends `mib` MiB of media after setting a 2.5 MB window,
/// and the client acknowledges every `ack_every` bytes (0: never).
fn play_with_acks(mib: u64, ack_every: u64) -> (super::session::Session, Vec<Diagnostic>) {
    let mut s = Script::default();
    s.control(
        Dir::S2C,
        0.0,
        ProtocolControl::WindowAckSize { size: 2_500_000 },
    );
    s.command(Dir::C2S, 1, 0.01, "play", vec![text("live")]);
    s.status(1, 0.02, "status", "NetStream.Play.Start");
    let (mut sent, mut acked) = (0u64, 0u64);
    for i in 0..(mib * 1_048_576 / 50_000) {
        let t = i as f64 * 0.033;
        s.video(Dir::S2C, 1, (t * 1000.0) as u32, t, i % 60 == 0, 50_000);
        sent += 50_012;
        if ack_every > 0 && sent - acked >= ack_every {
            acked = sent;
            s.control(
                Dir::C2S,
                t,
                ProtocolControl::Acknowledgement {
                    sequence_number: sent as u32,
                },
            );
        }
    }
    s.analyze(true)
}

#[test]
fn acknowledgements_missing_late_and_in_time() {
    let (session, diagnostics) = play_with_acks(8, 0);
    let ack = session
        .acknowledgements
        .iter()
        .find(|a| a.data_dir == Dir::S2C)
        .unwrap();
    assert_eq!(ack.verdict, AckVerdict::Missing);
    let d = find(&diagnostics, "session.ack_missing");
    assert!(
        d.text.contains("never sent an Acknowledgement"),
        "{}",
        d.text
    );

    let (session, diagnostics) = play_with_acks(8, 6_000_000);
    assert_eq!(session.acknowledgements[0].verdict, AckVerdict::Late);
    assert_eq!(session.acknowledgements[0].acks, 1);
    find(&diagnostics, "session.ack_late");

    let (session, diagnostics) = play_with_acks(8, 2_500_000);
    assert_eq!(session.acknowledgements[0].verdict, AckVerdict::Ok);
    assert!(!codes(&diagnostics)
        .iter()
        .any(|c| c.starts_with("session.ack")));

    let (session, _) = play_with_acks(1, 0);
    assert_eq!(session.acknowledgements[0].verdict, AckVerdict::NotDue);
}

#[test]
fn enhanced_rtmp_caps_and_reconnect_request() {
    let connect = obj(&[
        ("app", text("live")),
        (
            "fourCcList",
            AmfValue::StrictArray(vec![text("hvc1"), text("av01")]),
        ),
        ("capsEx", AmfValue::Number(1.0)),
    ]);
    let mut s = Script::default();
    s.publish_start(connect);
    let info = obj(&[
        ("level", text("status")),
        ("code", text("NetConnection.Connect.ReconnectRequest")),
        ("tcUrl", text("rtmp://other.example/live")),
    ]);
    let r = s.command(Dir::S2C, 0, 1.0, "onStatus", vec![info]);
    let (session, diagnostics) = s.analyze(true);
    let caps = session.enhanced_rtmp.as_ref().unwrap();
    assert_eq!(caps.fourcc_list, ["hvc1", "av01"]);
    assert_eq!(caps.caps_ex_flags, ["Reconnect"]);
    let d = find(&diagnostics, "session.reconnect_request");
    assert_eq!((d.severity, d.at.message), (Severity::Info, Some(r)));
    assert!(
        d.text.contains("to rtmp://other.example/live"),
        "{}",
        d.text
    );

    // Without Reconnect in capsEx the request is likely ignored.
    let mut s = Script::default();
    s.publish_start(obj(&[("app", text("live"))]));
    s.status(0, 1.0, "status", "NetConnection.Connect.ReconnectRequest");
    let (session, diagnostics) = s.analyze(true);
    assert!(session.enhanced_rtmp.is_none());
    assert_eq!(
        find(&diagnostics, "session.reconnect_request").severity,
        Severity::Warning
    );
}

#[test]
fn server_errors_and_abrupt_ends() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.status(1, 0.2, "error", "NetStream.Publish.BadName");
    let (session, diagnostics) = s.analyze(true);
    let d = find(&diagnostics, "stream.status_error");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.text.contains("NetStream.Publish.BadName"));
    // No goodbye and no TCP close: the capture ended with the session open.
    assert_eq!(session.end.as_ref().unwrap().closed_by, Closer::Nobody);
}

#[test]
fn missing_sequence_header_and_keyframe() {
    let mut s = Script::default();
    let c = s.command(Dir::C2S, 0, 0.0, "connect", vec![]);
    s.result(c, 0.01, vec![]);
    s.command(Dir::C2S, 1, 0.02, "publish", vec![text("x")]);
    // Five seconds of inter frames and no sequence header.
    for i in 0..150u32 {
        let t = f64::from(i) / 30.0;
        s.video(Dir::C2S, 1, i * 1000 / 30, 0.1 + t, false, 2000);
    }
    let (_, diagnostics) = s.analyze(false);
    let found = codes(&diagnostics);
    assert!(found.contains(&"stream.no_sequence_header"), "{found:?}");
    assert!(found.contains(&"stream.no_keyframe"), "{found:?}");
}

/// FFmpeg's hvcC for 426x240 Main at 29.97 fps, and an OpusHead for stereo (as the codec
/// module's tests have them).
const HVCC: &str = concat!(
    "0101600000009000000000003cf000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300000300",
    "3c959809210001002942010101600000030090000003000003003ca00d880f1c9e5959a4932bc05a02000007d20000ea",
    "601022000100074401c172b46240",
);
const OPUS_HEAD: &str = "4f707573486561640102380180bb0000000000";

#[test]
fn enhanced_rtmp_hevc_and_opus() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    // Drop the AVC/AAC sequence headers publish_start added: this stream is HEVC + Opus.
    s.records.truncate(s.records.len() - 2);
    // Keyframe + SequenceStart, "hvc1", then the record.
    let mut seq = vec![0x90];
    seq.extend(b"hvc1");
    seq.extend(hex(HVCC));
    s.video_body(1, 0, 0.1, &seq);
    let mut opus = vec![0x90];
    opus.extend(b"Opus");
    opus.extend(hex(OPUS_HEAD));
    s.audio_body(1, 0, 0.1, &opus);
    for i in 0..90u32 {
        let ts = i * 1001 / 30;
        // CodedFrames (1) with a composition time of 33 ms on non-keyframes.
        let (first, cts) = if i % 30 == 0 { (0x91, 0) } else { (0xa1, 33) };
        let mut frame = vec![first];
        frame.extend(b"hvc1");
        frame.extend([0, 0, cts, 0, 0, 0, 1]);
        s.video_body(1, ts, 0.2 + f64::from(ts) / 1000.0, &frame);
        let mut a = vec![0x91];
        a.extend(b"Opus");
        a.extend([0xfc, 0xff]);
        s.audio_body(1, i * 20, 0.2 + f64::from(i * 20) / 1000.0, &a);
    }
    // A new, different configuration mid-stream.
    let mut changed = seq.clone();
    if let Some(last) = changed.last_mut() {
        *last ^= 1;
    }
    let change = s.video_body(1, 3000, 3.2, &changed);
    let (session, diagnostics) = s.analyze(true);
    let stream = session.stream(1).unwrap();
    let video = stream.video.as_ref().unwrap();
    assert_eq!(
        (video.codec.as_str(), video.fourcc.as_deref()),
        ("HEVC", Some("hvc1"))
    );
    assert!(matches!(video.config.config, Some(CodecConfig::Hevc(_))));
    assert_eq!((video.width, video.height), (Some(426), Some(240)));
    assert_eq!(video.stats.frames, 90);
    assert!(video.stats.b_frames);
    assert_eq!(video.config.sequence_headers, 2);
    assert_eq!(video.config.first_change_message, Some(change));
    let audio = stream.audio.as_ref().unwrap();
    assert_eq!(
        (audio.codec.as_str(), audio.fourcc.as_deref()),
        ("Opus", Some("Opus"))
    );
    assert_eq!((audio.sample_rate, audio.channels), (Some(48_000), Some(2)));
    assert_eq!(audio.stats.frame_interval_ms, Some(20.0));
    assert_eq!(
        find(&diagnostics, "stream.config_changed").at.message,
        Some(change)
    );
}

#[test]
fn multichannel_config_declares_the_channel_count() {
    let mut s = Script::default();
    s.publish_start(AmfValue::Null);
    s.records.truncate(s.records.len() - 2);
    // FLAC without a STREAMINFO record: only the MultichannelConfig says 6 channels.
    s.audio_body(
        1,
        0,
        0.1,
        &[0x94, b'f', b'L', b'a', b'C', 1, 6, 0, 0, 0, 0x3f],
    );
    for i in 0..10u32 {
        s.audio_body(1, i * 20, 0.2, &[0x91, b'f', b'L', b'a', b'C', 0xff]);
    }
    let (session, _) = s.analyze(true);
    let audio = session.stream(1).unwrap().audio.as_ref().unwrap();
    assert_eq!((audio.codec.as_str(), audio.channels), ("FLAC", Some(6)));
    assert_eq!(audio.config.sequence_headers, 0);
}
