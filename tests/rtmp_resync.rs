//! Gaps, decode errors and resynchronisation; memory bounds on hostile input.
#![allow(clippy::unwrap_used)]

mod rtmp_support;

use rtmp_support::{body, demux, demux_with, origin_at, ChunkWriter, Collected};
use rtmpscope::rtmp::{ChunkStreamDemuxer, Dir, RtmpConfig};

/// A publish-like stream: metadata on csid 4 (fmt 0), then audio (csid 4) and video (csid 6)
/// messages with fmt 1 headers. Returns the bytes and each message's start offset.
fn media_stream(n: usize) -> (Vec<u8>, Vec<usize>) {
    let mut w = ChunkWriter::new();
    let mut starts = Vec::new();
    starts.push(w.out.len());
    w.message(0, 4, 0, 8, 1, &[0xaf, 0, 0x12, 0x10], None);
    starts.push(w.out.len());
    w.message(0, 6, 0, 9, 1, &[0x17, 0, 0, 0, 0, 1, 2, 3], None);
    for i in 0..n {
        starts.push(w.out.len());
        if i % 2 == 0 {
            let mut b = vec![0xaf, 1];
            b.extend(body(300 + i, i as u8));
            w.message(1, 4, 23, 8, 0, &b, None);
        } else {
            let mut b = vec![0x27, 1, 0, 0, 0x21];
            b.extend(body(500 + i, i as u8));
            w.message(1, 6, 33, 9, 0, &b, None);
        }
    }
    (w.out, starts)
}

fn feed_with_gap(bytes: &[u8], gap_from: usize, gap_len: usize, piece: usize) -> Collected {
    let mut d = ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default());
    let mut c = Collected::default();
    let mut frame = 1;
    for (i, p) in bytes[..gap_from].chunks(piece).enumerate() {
        d.feed(p, origin_at(i * piece, frame), &mut |e| c.push(e));
        frame += 1;
    }
    d.gap(origin_at(gap_from, frame), gap_len as u64, &mut |e| {
        c.push(e)
    });
    let after = gap_from + gap_len;
    for (i, p) in bytes[after..].chunks(piece).enumerate() {
        d.feed(p, origin_at(after + i * piece, frame), &mut |e| c.push(e));
        frame += 1;
    }
    d.finish(origin_at(bytes.len(), frame), &mut |e| c.push(e));
    c
}

#[test]
fn gap_inside_a_payload_keeps_sync() {
    let (bytes, starts) = media_stream(10);
    // Message 5 (video, index 5 in starts) spans several chunks; lose 50 bytes of its first
    // chunk's payload.
    let gap_from = starts[5] + 8 + 20;
    let c = feed_with_gap(&bytes, gap_from, 50, 64);
    assert_eq!(c.codes(), vec!["rtmp.gap"]);
    assert_eq!(c.messages.len(), 12);
    let damaged: Vec<_> = c.messages.iter().filter(|m| m.damaged()).collect();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].missing, 50);
    assert!(damaged[0].complete);
    // Nothing was inferred: sync never broke.
    assert!(c.messages.iter().all(|m| !m.inferred));
    let whole = demux(&bytes, 4096);
    let ts: Vec<_> = c.messages.iter().map(|m| m.timestamp).collect();
    let ts_whole: Vec<_> = whole.messages.iter().map(|m| m.timestamp).collect();
    assert_eq!(ts, ts_whole);
}

#[test]
fn gap_over_headers_resyncs_and_marks_messages() {
    let (bytes, starts) = media_stream(20);
    // Lose from the middle of message 6 to the middle of message 9.
    let gap_from = starts[6] + 40;
    let gap_to = starts[9] + 100;
    let c = feed_with_gap(&bytes, gap_from, gap_to - gap_from, 100);
    let codes = c.codes();
    assert!(codes.contains(&"rtmp.gap"), "{codes:?}");
    assert!(codes.contains(&"chunk.resync"), "{codes:?}");
    // Message 6 is reported damaged and incomplete.
    let m6 = c
        .messages
        .iter()
        .find(|m| m.first.stream_offset == starts[6] as u64)
        .unwrap();
    assert!(!m6.complete && m6.damaged());
    // Everything from message 10 on is decoded again, with inherited headers marked.
    let after: Vec<_> = c
        .messages
        .iter()
        .filter(|m| m.first.stream_offset >= starts[10] as u64)
        .collect();
    assert_eq!(after.len(), 12);
    assert!(after[0].resync_point);
    assert!(after.iter().all(|m| m.inferred && !m.damaged()));
    for (i, m) in after.iter().enumerate() {
        assert_eq!(m.first.stream_offset, starts[10 + i] as u64);
        assert_eq!(m.type_id, if (10 + i) % 2 == 0 { 8 } else { 9 });
    }
    // The resync diagnostic says where.
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == "chunk.resync")
        .unwrap();
    assert_eq!(d.at.stream_offset, Some(starts[10] as u64));
}

#[test]
fn resync_is_the_same_byte_by_byte() {
    let (bytes, starts) = media_stream(20);
    let gap_from = starts[6] + 40;
    let gap_len = starts[9] + 100 - gap_from;
    let a = feed_with_gap(&bytes, gap_from, gap_len, 1);
    let b = feed_with_gap(&bytes, gap_from, gap_len, 4096);
    assert_eq!(a.summary(), b.summary());
    assert_eq!(a.codes(), b.codes());
}

#[test]
fn fmt0_header_clears_the_inferred_mark() {
    let (mut bytes, starts) = media_stream(6);
    let mut w = ChunkWriter::new();
    w.message(0, 4, 5000, 8, 1, &[0xaf, 1, 2], None)
        .message(1, 4, 23, 8, 0, &[0xaf, 1, 3], None);
    bytes.extend(&w.out);
    let gap_from = starts[3] + 30;
    let c = feed_with_gap(&bytes, gap_from, starts[4] + 10 - gap_from, 100);
    let last = &c.messages[c.messages.len() - 2..];
    assert_eq!((last[0].timestamp, last[0].inferred), (5000, false));
    assert_eq!((last[1].timestamp, last[1].inferred), (5023, false));
}

/// An AMF0 command-like body (a string marker first, as every real command has).
fn cmd(len: usize, seed: u8) -> Vec<u8> {
    let mut b = vec![0x02, 0, (len - 3) as u8];
    b.extend(body(len - 3, seed));
    b
}

#[test]
fn unknown_chunk_stream_and_bad_type_lose_and_find_sync() {
    let mut w = ChunkWriter::new();
    // fmt 1 on a chunk stream never introduced by fmt 0.
    w.message(1, 9, 10, 8, 0, &[0xaf, 1], None);
    w.message(0, 3, 0, 20, 0, &cmd(40, 1), None)
        .message(0, 3, 0, 20, 0, &cmd(40, 2), None)
        .message(0, 3, 0, 20, 0, &cmd(40, 3), None);
    let c = demux(&w.out, 7);
    assert_eq!(c.codes()[0], "chunk.unknown_stream");
    assert!(c.codes().contains(&"chunk.resync"));
    assert_eq!(c.messages.len(), 3);
    // Type 0 does not exist.
    let mut w = ChunkWriter::new();
    w.message(0, 3, 0, 20, 0, &cmd(40, 1), None)
        .message(0, 3, 0, 0, 0, &cmd(40, 2), None)
        .message(0, 3, 0, 20, 0, &cmd(40, 3), None)
        .message(0, 3, 0, 20, 0, &cmd(40, 4), None)
        .message(0, 3, 0, 20, 0, &cmd(40, 5), None);
    let c = demux(&w.out, 1000);
    assert_eq!(c.codes()[0], "chunk.bad_header");
    let bodies: Vec<_> = c.messages.iter().map(|m| m.body[3]).collect();
    assert_eq!(
        bodies,
        vec![body(1, 1)[0], body(1, 3)[0], body(1, 4)[0], body(1, 5)[0]]
    );
}

#[test]
fn garbage_is_dropped_and_the_end_reported() {
    let mut bytes = Vec::new();
    let mut w = ChunkWriter::new();
    w.message(0, 3, 0, 20, 0, &body(20, 1), None);
    bytes.extend(&w.out);
    bytes.extend([0x7f; 500]);
    let c = demux(&bytes, 33);
    assert_eq!(c.messages.len(), 1);
    let codes = c.codes();
    assert!(codes.contains(&"chunk.bad_header") || codes.contains(&"chunk.unknown_stream"));
    assert_eq!(*codes.last().unwrap(), "chunk.undecodable");
}

#[test]
fn snaplen_cut_segments_stay_in_sync() {
    // A sender that writes each message in its own TCP segments (up to 1448 bytes each),
    // captured with a 200-byte snap length: every segment keeps only its first 134 bytes and
    // the rest is a gap. The gaps fall inside chunk payloads, so every header is still found.
    let mut w = ChunkWriter::new();
    w.set_chunk_size(4096);
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut push = |w: &mut ChunkWriter, start: usize| {
        let mut at = start;
        while at < w.out.len() {
            let end = (at + 1448).min(w.out.len());
            segments.push((at, end));
            at = end;
        }
    };
    w.message(0, 4, 0, 8, 1, &[0xaf, 0, 0x12, 0x10], None);
    w.message(0, 6, 0, 9, 1, &[0x17, 0, 0, 0, 0, 1], None);
    push(&mut w, 0);
    for i in 0..40 {
        let mut b = vec![0x27, 1, 0, 0, 0];
        b.extend(body(2000 + 37 * i, i as u8));
        let start = w.out.len();
        w.message(1, 6, 33, 9, 0, &b, None);
        push(&mut w, start);
    }
    let bytes = w.out;
    let mut d = ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default());
    let mut c = Collected::default();
    for (i, &(from, to)) in segments.iter().enumerate() {
        let kept = (to - from).min(134);
        let frame = i as u64 + 1;
        d.feed(
            &bytes[from..from + kept],
            origin_at(from, frame),
            &mut |e| c.push(e),
        );
        if from + kept < to {
            d.gap(
                origin_at(from + kept, frame),
                (to - from - kept) as u64,
                &mut |e| c.push(e),
            );
        }
    }
    d.finish(origin_at(bytes.len(), 0), &mut |e| c.push(e));
    assert!(!c.codes().contains(&"chunk.resync"), "{:?}", c.codes());
    let video: Vec<_> = c.messages.iter().filter(|m| m.type_id == 9).collect();
    assert_eq!(video.len(), 41);
    assert!(video[1..]
        .iter()
        .all(|m| m.damaged() && m.complete && m.body.len() == 32));
    assert_eq!(video[40].timestamp, 40 * 33);
    // One diagnostic per gap for the first 20, then a count.
    let gaps: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == "rtmp.gap")
        .collect();
    assert_eq!(gaps.len(), 21);
    assert!(
        gaps[20].text.contains("more `rtmp.gap` diagnostics"),
        "{}",
        gaps[20].text
    );
}

#[test]
fn hostile_lengths_on_many_chunk_streams_stay_bounded() {
    let mut w = ChunkWriter::new();
    for csid in 64..10_064u32 {
        // Media may declare the whole 24-bit range; data messages up to the 4 MiB bound.
        let (type_id, len) = if csid % 2 == 0 {
            (9, 0xff_ffff)
        } else {
            (18, 4 << 20)
        };
        rtmpscope::rtmp::header::encode_chunk_header(0, csid, 0, len, type_id, 1, None, &mut w.out);
        w.raw(&[0x17; 128]);
    }
    let config = RtmpConfig {
        max_buffered: 256 << 10,
        ..RtmpConfig::default()
    };
    let mut d = ChunkStreamDemuxer::new(Dir::C2S, config);
    let mut c = Collected::default();
    d.feed(&w.out, origin_at(0, 1), &mut |e| c.push(e));
    assert_eq!(d.chunk_stream_count(), 10_000);
    assert!(d.buffered_bytes() <= 256 << 10, "{}", d.buffered_bytes());
    assert!(c.messages.is_empty());
    d.finish(origin_at(w.out.len(), 2), &mut |e| c.push(e));
    assert_eq!(c.messages.len(), 10_000);
    assert!(c.messages.iter().all(|m| m.damaged()));
    assert!(c.messages.iter().any(|m| m.truncated));
    assert_eq!(d.buffered_bytes(), 0);
}

#[test]
fn huge_chunk_size_and_body_cap() {
    // Chunk size 2^31-1: a 5 MB data message arrives in one chunk; only max_body is kept.
    let mut w = ChunkWriter::new();
    w.set_chunk_size(0x7fff_ffff);
    let big = vec![2u8; 5 << 20];
    w.message(0, 3, 0, 9, 1, &big, None);
    w.message(0, 3, 0, 15, 0, &big[..3 << 20], None);
    let config = RtmpConfig {
        max_body: 1 << 20,
        ..RtmpConfig::default()
    };
    let (c, d) = demux_with(&w.out, 64 << 10, config);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.messages[1].body.len(), 32);
    assert!(!c.messages[1].truncated);
    assert_eq!(c.messages[2].body.len(), 1 << 20);
    assert!(c.messages[2].truncated);
    assert_eq!(d.chunk_size(), 0x7fff_ffff);
}

#[test]
fn nonmedia_length_above_the_bound_is_a_broken_header() {
    let mut w = ChunkWriter::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 3, 0, 5 << 20, 20, 0, None, &mut w.out);
    w.raw(&[0; 64]);
    let c = demux(&w.out, 64);
    assert_eq!(c.codes()[0], "chunk.bad_header");
    assert!(c.messages.is_empty());
}

#[test]
fn unsynced_start_finds_the_first_message() {
    let (bytes, starts) = media_stream(10);
    let mut d = ChunkStreamDemuxer::new_unsynced(Dir::C2S, RtmpConfig::default(), 128);
    let mut c = Collected::default();
    // Starting inside message 1, only fmt 1 headers follow: their chunk streams are introduced
    // by them, with a guessed message stream id and timestamps counted from 0.
    d.feed(
        &bytes[starts[1] + 3..],
        origin_at(starts[1] + 3, 1),
        &mut |e| c.push(e),
    );
    d.finish(origin_at(bytes.len(), 2), &mut |e| c.push(e));
    assert_eq!(c.messages.len(), 10, "{:?}", c.codes());
    assert_eq!(c.messages[0].first.stream_offset, starts[2] as u64);
    assert!(c.messages[0].resync_point);
    assert!(c.messages.iter().all(|m| m.inferred && m.msid == 1));
    let audio: Vec<_> = c.messages.iter().filter(|m| m.type_id == 8).collect();
    let video: Vec<_> = c.messages.iter().filter(|m| m.type_id == 9).collect();
    assert_eq!(audio[0].timestamp, 23);
    assert_eq!(audio[4].timestamp, 5 * 23);
    assert_eq!(video[4].timestamp, 5 * 33);
    assert_eq!(c.codes()[0], "chunk.midstream_start");
    // With the fmt 0 headers in view, everything after the garbage decodes.
    let mut d = ChunkStreamDemuxer::new_unsynced(Dir::C2S, RtmpConfig::default(), 128);
    let mut c = Collected::default();
    let mut input = vec![0x55, 0x66];
    input.extend(&bytes);
    for (i, p) in input.chunks(10).enumerate() {
        d.feed(p, origin_at(i * 10, i as u64 + 1), &mut |e| c.push(e));
    }
    d.finish(origin_at(input.len(), 0), &mut |e| c.push(e));
    assert_eq!(c.messages.len(), 12, "{:?}", c.codes());
    assert!(c.messages[0].resync_point);
    assert_eq!(c.messages[0].first.stream_offset, 2);
    assert!(c.messages.iter().all(|m| !m.inferred));
}
