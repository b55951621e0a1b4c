//! A capture that starts mid-stream: no TCP or RTMP handshake, no Set Chunk Size, no fmt 0
//! header on the client's chunk streams (tests/data/nginx-ffmpeg-publish-midstream.pcap:
//! ffmpeg publishing to nginx-rtmp, tcpdump started ~4 s in; Wireshark decodes garbage).
//!
//! The expectation does not come from rtmpscope. `robust-midstream-recut.tsv` is Wireshark's
//! decode of a re-cut of the same capture (`tests/data/robust-README.md`): the captured bytes
//! unchanged, behind a synthetic TCP handshake, RTMP handshake, Set Chunk Size 4096 and one
//! fmt 0 message per chunk stream (3: command on stream 0, 4: audio and 6: video on stream 1,
//! timestamp 0). Given that state, Wireshark reads every chunk header of the real bytes, so its
//! rows give each message's type, length, chunk stream, header fmt, the frame that completes it
//! and its timestamp counted from 0. The state itself is checked against evidence in the
//! captured bytes: the stream id is the one `deleteStream` names and the server's `onStatus`
//! comes on, the deltas are ffmpeg's 30 fps video and 1024-sample AAC at 44.1 kHz, and the
//! message shapes are those of the same publish captured whole.
#![allow(clippy::unwrap_used)]

mod common;

use rtmpscope::amf::AmfValue;
use rtmpscope::analysis::Protocol;
use rtmpscope::rtmp::{Dir, MessageBody, RtmpMessage};
use rtmpscope::Report;

fn analyze(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("capture analyzes")
}

#[derive(Debug, PartialEq)]
struct Row {
    frame: u64,
    dir: String,
    fmt: u8,
    csid: u32,
    timestamp: u32,
    type_id: u8,
    length: u32,
    command: String,
}

fn reference() -> Vec<Row> {
    let text = std::fs::read_to_string(common::data("robust-midstream-recut.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                frame: f[0].parse().unwrap(),
                dir: f[1].to_string(),
                fmt: f[2].parse().unwrap(),
                csid: f[3].parse().unwrap(),
                timestamp: f[4].parse().unwrap(),
                type_id: f[5].parse().unwrap(),
                length: f[6].parse().unwrap(),
                command: f.get(7).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

fn row(m: &RtmpMessage) -> Row {
    Row {
        frame: m.frame,
        dir: m.dir.as_str().to_string(),
        fmt: m.fmt,
        csid: m.csid,
        timestamp: m.timestamp,
        type_id: m.type_id,
        length: m.length,
        command: m.command().map(|c| c.name.clone()).unwrap_or_default(),
    }
}

#[test]
fn every_message_as_wireshark_reads_the_recut() {
    let report = analyze("nginx-ffmpeg-publish-midstream.pcap");
    assert_eq!(report.connections[0].protocol, Protocol::Rtmp);
    let reference = reference();
    let ours: Vec<Row> = report.messages.iter().map(|r| row(&r.message)).collect();
    // Directions complete independently: compare each in its own order.
    for dir in ["c2s", "s2c"] {
        let a: Vec<_> = ours.iter().filter(|r| r.dir == dir).collect();
        let b: Vec<_> = reference.iter().filter(|r| r.dir == dir).collect();
        assert_eq!(a.len(), b.len(), "{dir}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y);
        }
    }
    let count = |t: u8| ours.iter().filter(|r| r.type_id == t).count();
    assert_eq!((count(8), count(9), count(20)), (297, 205, 3));
    // Nothing before the first chunk boundary was guessed at: the capture starts at one.
    assert_eq!(report.messages[0].message.stream_offset, 0);
}

#[test]
fn stream_ids_and_timestamps_follow_the_evidence() {
    let report = analyze("nginx-ffmpeg-publish-midstream.pcap");
    let msgs: Vec<&RtmpMessage> = report.messages.iter().map(|r| &r.message).collect();
    let command = |name: &str| {
        msgs.iter()
            .copied()
            .find(|m| m.command().is_some_and(|c| c.name == name))
            .unwrap()
    };
    // deleteStream names the stream; the server's last onStatus (a fmt 0 header, so its stream
    // id is on the wire) is on it too.
    let delete = command("deleteStream");
    let stream = match delete.command().unwrap().arguments.first() {
        Some(AmfValue::Number(n)) => *n as u32,
        other => panic!("{other:?}"),
    };
    assert_eq!(stream, 1);
    let status = command("onStatus");
    assert_eq!((status.dir, status.fmt, status.msid), (Dir::S2C, 0, stream));
    assert!(!status.inferred);
    // NetConnection commands go on stream 0 (as in the whole capture), media on the stream.
    assert_eq!((delete.msid, command("FCUnpublish").msid), (0, 0));
    let media: Vec<_> = msgs.iter().filter(|m| matches!(m.type_id, 8 | 9)).collect();
    assert!(media.iter().all(|m| m.msid == stream && m.inferred));
    // ffmpeg's timing: video at 30 fps (33/34 ms steps; the end-of-sequence tag repeats the
    // last timestamp), AAC frames of 1024 samples at 44.1 kHz (23/24 ms).
    let steps = |t: u8| -> Vec<u32> {
        let ts: Vec<u32> = media
            .iter()
            .filter(|m| m.type_id == t)
            .map(|m| m.timestamp)
            .collect();
        ts.windows(2).map(|w| w[1] - w[0]).collect()
    };
    let video = steps(9);
    assert!(video[..video.len() - 1]
        .iter()
        .all(|d| matches!(d, 33 | 34)));
    assert_eq!(video.last(), Some(&0));
    assert!(steps(8).iter().all(|d| matches!(d, 23 | 24)));
    let session = &report.sessions[0];
    assert!(session.handshake.is_none());
    let s = session.streams.iter().find(|s| s.msid == stream).unwrap();
    assert_eq!(s.status_codes, ["NetStream.Unpublish.Success"]);
    assert_eq!((s.audio_messages, s.video_messages), (297, 205));
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code == "rtmp.midstream"));
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.severity != rtmpscope::diagnostic::Severity::Error));
}

#[test]
fn message_shapes_match_the_same_publish_captured_whole() {
    let cut = analyze("nginx-ffmpeg-publish-midstream.pcap");
    let whole = analyze("nginx-ffmpeg-publish.pcap");
    // (type, csid, msid, first tag fields) of the media and closing commands.
    let shape = |m: &RtmpMessage| match &m.body {
        MessageBody::Audio(a) => Some((8, m.csid, m.msid, a.sound_format, a.aac_packet_type)),
        MessageBody::Video(v) if !v.sequence_header && v.packet_type == Some(1) => {
            Some((9, m.csid, m.msid, v.codec_id.unwrap_or(0), v.packet_type))
        }
        MessageBody::Command(c) if c.name == "FCUnpublish" || c.name == "deleteStream" => {
            Some((20, m.csid, m.msid, 0, None))
        }
        _ => None,
    };
    let shapes = |r: &Report| {
        let mut v: Vec<_> = r
            .messages
            .iter()
            .filter_map(|m| shape(&m.message))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let whole_shapes = shapes(&whole);
    let cut_shapes = shapes(&cut);
    // The whole capture also has the AAC sequence header (packet type 0) the cut one lacks.
    assert!(cut_shapes.iter().all(|s| whole_shapes.contains(s)));
    assert_eq!(cut_shapes.len(), 3, "{cut_shapes:?}");
}

#[test]
fn cut_at_any_packet_boundary_still_decodes() {
    // Start the same capture later, from packet k on: the first chunk boundary is found after
    // the bytes that belong to a message whose start is not there.
    let bytes = std::fs::read(common::data("nginx-ffmpeg-publish-midstream.pcap")).unwrap();
    let whole = analyze("nginx-ffmpeg-publish-midstream.pcap");
    for skip in [1usize, 2, 5, 40, 333] {
        let cut = drop_packets(&bytes, skip);
        let report = rtmpscope::analyze_bytes(&cut, rtmpscope::AnalyzerOptions::default()).unwrap();
        assert_eq!(
            report.connections[0].protocol,
            Protocol::Rtmp,
            "skip {skip}"
        );
        let n = report.messages.len();
        assert!(n > 350, "skip {skip}: {n} messages");
        // Every message decoded agrees in type and length with the whole decode of those bytes.
        let tail: Vec<_> = whole
            .messages
            .iter()
            .map(|r| (r.message.type_id, r.message.length, r.message.csid))
            .collect();
        let mine: Vec<_> = report
            .messages
            .iter()
            .filter(|r| r.message.dir == Dir::C2S)
            .map(|r| (r.message.type_id, r.message.length, r.message.csid))
            .collect();
        let offset = tail.len() - 1 - mine.len();
        assert_eq!(&tail[offset..offset + mine.len()], &mine[..], "skip {skip}");
    }
}

/// The pcap without its first `n` packets.
fn drop_packets(pcap: &[u8], n: usize) -> Vec<u8> {
    let mut out = pcap[..24].to_vec();
    let mut pos = 24;
    let mut i = 0;
    while pos + 16 <= pcap.len() {
        let incl = u32::from_le_bytes(pcap[pos + 8..pos + 12].try_into().unwrap()) as usize;
        let end = pos + 16 + incl;
        if i >= n {
            out.extend_from_slice(&pcap[pos..end]);
        }
        pos = end;
        i += 1;
    }
    out
}
