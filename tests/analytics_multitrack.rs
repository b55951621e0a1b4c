//! Enhanced RTMP v2 multitrack through the whole pipeline: a generated capture whose publisher
//! sends two AVC video tracks (ManyTracks) and two Opus audio tracks (ManyTracksManyCodecs),
//! with ModEx timestamp offsets on some frames. The report must list every track with its id,
//! codec, decoded configuration and frame count.

#![allow(clippy::unwrap_used)]

mod robust_support;

use rtmpscope::analysis::{AnalyzerOptions, TrackKind};
use rtmpscope::rtmp::MessageBody;
use rtmpscope::{analyze_bytes, Report};

use robust_support::rtmp_capture;

/// ffmpeg's AVCDecoderConfigurationRecord for 640x360 High 3.0 (from nginx-ffmpeg-publish).
const AVC_CONFIG: &str = "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d\
                          9601000468efbcb0fdf8f800";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn opus_head(channels: u8) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.extend([1, channels]);
    h.extend(312u16.to_le_bytes());
    h.extend(48_000u32.to_le_bytes());
    h.extend([0, 0, 0]);
    h
}

fn u24(n: usize) -> [u8; 3] {
    let b = (n as u32).to_be_bytes();
    [b[1], b[2], b[3]]
}

/// One RTMP message as chunks of 128 bytes on `csid`, message stream 1.
fn chunks(out: &mut Vec<u8>, csid: u8, type_id: u8, timestamp: u32, body: &[u8]) {
    out.push(csid);
    out.extend(&timestamp.to_be_bytes()[1..]);
    out.extend(u24(body.len()));
    out.push(type_id);
    out.extend(1u32.to_le_bytes());
    for (i, piece) in body.chunks(128).enumerate() {
        if i > 0 {
            out.push(0xc0 | csid);
        }
        out.extend(piece);
    }
}

fn publish() -> Vec<u8> {
    let mut out = Vec::new();
    let avc = hex(AVC_CONFIG);
    // Video: keyframe | Multitrack, ManyTracks | SequenceStart, avc1, tracks 0 and 1.
    let mut seq = vec![0x96, 0x10];
    seq.extend(b"avc1");
    for track in [0u8, 1] {
        seq.push(track);
        seq.extend(u24(avc.len()));
        seq.extend(&avc);
    }
    chunks(&mut out, 6, 9, 0, &seq);
    // Audio: Multitrack, ManyTracksManyCodecs | SequenceStart: Opus stereo (0), Opus mono (1).
    let mut aseq = vec![0x95, 0x20];
    for (track, channels) in [(0u8, 2u8), (1, 1)] {
        let head = opus_head(channels);
        aseq.extend(b"Opus");
        aseq.push(track);
        aseq.extend(u24(head.len()));
        aseq.extend(head);
    }
    chunks(&mut out, 4, 8, 0, &aseq);
    for frame in 0..60u32 {
        let ts = frame * 1000 / 30;
        // Every 30th frame a keyframe; every frame both tracks, CodedFrames with composition
        // time 0; every 10th frame wrapped in a ModEx TimestampOffsetNano of 250 000 ns.
        let keyframe = frame % 30 == 0;
        let mut body = Vec::new();
        let first = if keyframe { 0x90 } else { 0xa0 };
        if frame % 10 == 0 {
            body.extend([first | 7, 0x02, 0x03, 0xd0, 0x90, 0x06]);
        } else {
            body.push(first | 6);
        }
        body.push(0x11);
        body.extend(b"avc1");
        for track in [0u8, 1] {
            let size = if keyframe { 400 } else { 60 };
            body.push(track);
            body.extend(u24(size));
            body.extend([0, 0, 0]);
            body.extend(vec![0x41; size - 3]);
        }
        chunks(&mut out, 6, 9, ts, &body);
        if frame % 3 == 0 {
            // 20 ms Opus packets would be finer; one per 100 ms keeps the capture small.
            let mut audio = vec![0x95, 0x21];
            for track in [0u8, 1] {
                audio.extend(b"Opus");
                audio.push(track);
                audio.extend(u24(20));
                audio.extend([0xfc; 20]);
            }
            chunks(&mut out, 4, 8, ts, &audio);
        }
    }
    out
}

fn report() -> Report {
    let pcap = rtmp_capture(&publish(), 1400, 1000);
    analyze_bytes(&pcap, AnalyzerOptions::default()).unwrap()
}

#[test]
fn every_track_is_listed_with_its_id_codec_and_configuration() {
    let report = report();
    assert_eq!(report.sessions.len(), 1);
    let stream = report.sessions[0]
        .streams
        .iter()
        .find(|s| s.msid == 1)
        .expect("stream 1");
    let tracks: Vec<_> = stream
        .tracks
        .iter()
        .map(|t| {
            (
                t.kind,
                t.track_id,
                t.codec.as_str(),
                t.width,
                t.height,
                t.channels,
                t.frames,
            )
        })
        .collect();
    assert_eq!(
        tracks,
        [
            (TrackKind::Video, 0, "AVC", Some(640), Some(360), None, 60),
            (TrackKind::Video, 1, "AVC", Some(640), Some(360), None, 60),
            (TrackKind::Audio, 0, "Opus", None, None, Some(2), 20),
            (TrackKind::Audio, 1, "Opus", None, None, Some(1), 20),
        ]
    );
    // Track sizes add up: 2 keyframes of 400 bytes and 58 frames of 60, per track.
    assert_eq!(stream.tracks[0].bytes, 2 * 400 + 58 * 60);
    // The stream-level video and audio describe the first track of each kind.
    let video = stream.video.as_ref().expect("video");
    assert_eq!((video.codec.as_str(), video.width), ("AVC", Some(640)));
    assert_eq!(video.stats.frames, 60);
    assert_eq!(video.stats.keyframes, 2);
    let audio = stream.audio.as_ref().expect("audio");
    assert_eq!((audio.codec.as_str(), audio.channels), ("Opus", Some(2)));
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| !d.code.contains("config")),
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn messages_show_their_tracks_and_modex_offsets() {
    let report = report();
    let video: Vec<_> = report
        .messages
        .iter()
        .filter_map(|r| match &r.message.body {
            MessageBody::Video(v) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(video.len(), 61);
    assert!(video[0].sequence_header);
    let ids: Vec<_> = video[0].tracks().iter().map(|t| t.track_id).collect();
    assert_eq!(ids, [0, 1]);
    // Multitrack bodies are kept whole (up to the configuration cap), so every track of every
    // frame is seen, not only the first one within the usual 32-byte prefix.
    assert!(video[1..].iter().all(|v| v.tracks().len() == 2));
    let nano: Vec<_> = video
        .iter()
        .filter_map(|v| v.ex.as_ref()?.timestamp_offset_nano)
        .collect();
    assert_eq!(nano, [250_000; 6]);
    let line = rtmpscope::analysis::describe(&report.messages[0].message, 80);
    assert!(
        line.starts_with("Video avc1 tracks 0,1 sequence header"),
        "{line}"
    );
    let audio_line = report
        .messages
        .iter()
        .find(|r| matches!(&r.message.body, MessageBody::Audio(a) if !a.sequence_header))
        .map(|r| rtmpscope::analysis::describe(&r.message, 80))
        .unwrap();
    assert!(
        audio_line.starts_with("Audio multitrack tracks 0,1"),
        "{audio_line}"
    );
}
