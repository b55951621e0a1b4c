//! Body spans (what the web app's hex dump re-reads from the file): the file bytes at a
//! message's spans, in order, are exactly the body the chunk demultiplexer reassembled.
// Tests may panic on what they did not expect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rtmpscope::analysis::MessageRecord;
use rtmpscope::rtmp::RtmpConfig;
use rtmpscope::{analyze_bytes, AnalyzerOptions, Report};

fn analyze(capture: &[u8], record_body_spans: bool) -> Report {
    let options = AnalyzerOptions {
        rtmp: RtmpConfig {
            media_prefix: usize::MAX,
            max_body: 1 << 24,
            keep_payload: true,
            record_body_spans,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    };
    analyze_bytes(capture, options).unwrap()
}

fn read_file(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The file bytes at the message's spans, in body order.
fn bytes_at_spans(capture: &[u8], record: &MessageRecord) -> Vec<u8> {
    let spans = record.message.body_spans().expect("spans recorded");
    let mut body = Vec::new();
    let mut next = 0u32;
    for span in &spans.spans {
        assert!(
            span.body_offset >= next,
            "spans in body order, not overlapping"
        );
        next = span.body_offset + span.len;
        let at = span.file_offset as usize;
        body.extend_from_slice(&capture[at..at + span.len as usize]);
    }
    body
}

/// Checks every message; returns (whole messages checked, damaged messages checked).
fn check_capture(path: &str) -> (usize, usize) {
    let capture = read_file(path);
    let report = analyze(&capture, true);
    let (mut whole, mut damaged) = (0, 0);
    for record in &report.messages {
        let msg = &record.message;
        let spans = msg.body_spans().expect("spans recorded");
        let payload = msg.payload().expect("payload kept");
        let at_spans = bytes_at_spans(&capture, record);
        if !msg.damaged && !msg.truncated {
            assert!(!spans.incomplete, "{path} #{}", record.index);
            assert_eq!(
                payload.len(),
                msg.length as usize,
                "{path} #{}",
                record.index
            );
            assert_eq!(
                at_spans, payload,
                "{path} #{}: file bytes at the spans equal the reassembled body",
                record.index
            );
            assert!(spans.holes(msg.length).is_empty());
            whole += 1;
        } else if msg.damaged {
            // What was captured is located; the kept body is a prefix up to the first hole.
            let located = spans.located_bytes();
            assert!(located + u64::from(msg.missing_bytes) <= u64::from(msg.length));
            let first_hole = spans.holes(msg.length).first().map_or(msg.length, |h| h.0) as usize;
            let prefix = payload.len().min(first_hole);
            assert_eq!(
                at_spans[..prefix],
                payload[..prefix],
                "{path} #{}",
                record.index
            );
            damaged += 1;
        }
    }
    (whole, damaged)
}

#[test]
fn spans_give_back_every_whole_body_of_the_publish_capture() {
    let (whole, damaged) = check_capture("tests/data/nginx-ffmpeg-publish.pcap");
    assert_eq!((whole, damaged), (386, 0));
    // Media bodies included, and bodies cut into many pieces: the largest video frame.
    let capture = read_file("tests/data/nginx-ffmpeg-publish.pcap");
    let report = analyze(&capture, true);
    let largest = report
        .messages
        .iter()
        .filter(|r| r.message.type_id == 9)
        .max_by_key(|r| r.message.length)
        .unwrap();
    assert_eq!(largest.message.length, 10291);
    let spans = largest.message.body_spans().unwrap();
    assert!(spans.spans.len() > 1, "{} spans", spans.spans.len());
}

#[test]
fn spans_follow_reordered_segments_and_chunk_sizes_of_other_captures() {
    for (path, expected) in [
        // Reordered and retransmitted segments, flushed from the reassembly buffer.
        ("tests/data/nginx-ffmpeg-publish-lossy.pcap", 605),
        ("tests/data/nginx-ffmpeg-publish-dumpcap.pcapng", 386),
        ("tests/data/nginx-rtmpdump-play.pcap", 340),
        ("tests/data/nms-ffmpeg-publish.pcap", 385),
        ("tests/data/nginx-gst-rtmpsink-publish.pcap", 414),
        ("tests/data/nginx-ffmpeg-publish-midstream.pcap", 505),
    ] {
        let (whole, _) = check_capture(path);
        assert_eq!(whole, expected, "{path}: whole messages");
    }
}

#[test]
fn damaged_bodies_show_what_exists() {
    let (whole, damaged) = check_capture("tests/data/nginx-ffmpeg-publish-snap200.pcap");
    assert!(
        whole > 0 && damaged > 100,
        "{whole} whole, {damaged} damaged"
    );
}

#[test]
fn off_by_default_and_the_report_is_the_same() {
    let capture = read_file("tests/data/nginx-ffmpeg-publish.pcap");
    let plain = rtmpscope::analyze_bytes(&capture, AnalyzerOptions::default()).unwrap();
    assert!(plain
        .messages
        .iter()
        .all(|r| r.message.body_spans().is_none()));
    let with = analyze(&capture, true);
    let without = analyze(&capture, false);
    assert_eq!(
        serde_json::to_string(&with).unwrap(),
        serde_json::to_string(&without).unwrap()
    );
}
