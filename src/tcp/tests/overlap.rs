//! Retransmissions, duplicates and partial overlaps: only new bytes are delivered, once.

use super::*;

/// Handshake with ISNs 0/0, so client payload byte `n` has sequence number `n + 1`.
fn started() -> Harness {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h
}

#[test]
fn exact_duplicate_is_counted_not_delivered() {
    let mut h = started();
    h.send(Host::Client, 1, 1, "PA", b"abcd");
    h.send(Host::Client, 1, 1, "PA", b"abcd");
    h.send(Host::Client, 5, 1, "PA", b"ef");
    assert_eq!(h.stream(0, C2S), "abcdef");
    let s = &h.stats(0).c2s;
    assert_eq!(
        (s.payload_segments, s.payload_bytes, s.stream_bytes),
        (3, 10, 6)
    );
    assert_eq!((s.retransmitted_segments, s.overlapping_segments), (1, 0));
}

#[test]
fn left_overlap_delivers_only_the_new_tail() {
    let mut h = started();
    h.send(Host::Client, 1, 1, "PA", b"abcd");
    let f = h.send(Host::Client, 3, 1, "PA", b"cdEF");
    let last = h.events.last().unwrap().clone();
    assert_eq!(
        last,
        Ev::Data {
            conn: 0,
            dir: C2S,
            at: 4,
            bytes: b"EF".to_vec(),
            frame: f,
            completed: f,
            file_offset: packet_offset(f) + PAYLOAD_OFFSET as u64 + 2,
        }
    );
    assert_eq!(h.stream(0, C2S), "abcdEF");
    assert_eq!(h.stats(0).c2s.overlapping_segments, 1);
}

#[test]
fn right_overlap_with_a_buffered_piece() {
    let mut h = started();
    h.send(Host::Client, 6, 1, "PA", b"fgh"); // bytes 5..8, ahead of a hole
    h.send(Host::Client, 4, 1, "PA", b"DEFG"); // 3..7 overlaps the buffered piece's start
    assert_eq!(h.stream(0, C2S), "");
    h.send(Host::Client, 1, 1, "PA", b"abc");
    // the first-seen bytes win where they overlap
    assert_eq!(h.stream(0, C2S), "abcDEfgh");
    let s = &h.stats(0).c2s;
    assert_eq!(
        (
            s.out_of_order_segments,
            s.overlapping_segments,
            s.stream_bytes
        ),
        (2, 1, 8)
    );
}

#[test]
fn segment_inside_a_buffered_piece_is_a_duplicate() {
    let mut h = started();
    h.send(Host::Client, 3, 1, "PA", b"cdefgh");
    h.send(Host::Client, 4, 1, "PA", b"def");
    let before = h.table.buffered_bytes();
    h.send(Host::Client, 3, 1, "PA", b"cdefgh");
    assert_eq!(
        h.table.buffered_bytes(),
        before,
        "duplicates are not buffered again"
    );
    h.send(Host::Client, 1, 1, "PA", b"ab");
    assert_eq!(h.stream(0, C2S), "abcdefgh");
    let s = &h.stats(0).c2s;
    assert_eq!((s.retransmitted_segments, s.out_of_order_segments), (2, 1));
}

#[test]
fn covering_segment_fills_only_the_holes_between_pieces() {
    let mut h = started();
    h.send(Host::Client, 4, 1, "PA", b"de"); // 3..5
    h.send(Host::Client, 8, 1, "PA", b"hi"); // 7..9
                                             // covers 2..11: new bytes are 2..3, 5..7 and 9..11
    let f = h.send(Host::Client, 3, 1, "PA", b"CDEFGHIJK");
    h.send(Host::Client, 1, 1, "PA", b"ab");
    assert_eq!(h.stream(0, C2S), "abCdeFGhiJK");
    // each fresh piece keeps the frame it came in and its own file offset
    let from_f: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Ev::Data {
                frame,
                at,
                bytes,
                file_offset,
                ..
            } if *frame == f => Some((*at, bytes.clone(), *file_offset)),
            _ => None,
        })
        .collect();
    let base = packet_offset(f) + PAYLOAD_OFFSET as u64;
    assert_eq!(
        from_f,
        vec![
            (2, b"C".to_vec(), base),
            (5, b"FG".to_vec(), base + 3),
            (9, b"JK".to_vec(), base + 7)
        ]
    );
    assert_eq!(h.stats(0).c2s.stream_bytes, 11);
}

#[test]
fn in_order_segment_that_overruns_buffered_pieces() {
    let mut h = started();
    h.send(Host::Client, 4, 1, "PA", b"de"); // 3..5 buffered
    h.send(Host::Client, 9, 1, "PA", b"ij"); // 8..10 buffered
    h.send(Host::Client, 1, 1, "PA", b"abcDEfg"); // 0..7 in order, swallows the first piece
    assert_eq!(h.stream(0, C2S), "abcDEfg");
    h.send(Host::Client, 8, 1, "PA", b"h");
    assert_eq!(h.stream(0, C2S), "abcDEfghij");
    assert_eq!(h.table.buffered_bytes(), 0);
    assert_eq!(h.stats(0).c2s.stream_bytes, 10);
}

#[test]
fn retransmission_spanning_delivered_and_buffered_bytes() {
    let mut h = started();
    h.send(Host::Client, 1, 1, "PA", b"abc"); // 0..3
    h.send(Host::Client, 6, 1, "PA", b"fg"); // 5..7 buffered
    h.send(Host::Client, 2, 1, "PA", b"bcdefgh"); // 1..8: new are 3..5 and 7..8
    assert_eq!(h.stream(0, C2S), "abcdefgh");
    let s = &h.stats(0).c2s;
    assert_eq!(
        (
            s.stream_bytes,
            s.overlapping_segments,
            s.retransmitted_segments
        ),
        (8, 1, 0)
    );
}

#[test]
fn every_byte_counted_once_under_heavy_repetition() {
    let mut h = started();
    let text = b"the quick brown fox jumps over the lazy dog";
    // send overlapping windows in a scrambled order, each three times
    let windows = [
        (10, 25),
        (0, 8),
        (30, 43),
        (5, 14),
        (20, 35),
        (0, 43),
        (12, 13),
    ];
    for round in 0..3 {
        for &(lo, hi) in windows.iter().skip(round) {
            h.send(Host::Client, lo as u32 + 1, 1, "PA", &text[lo..hi]);
        }
    }
    assert_eq!(h.stream(0, C2S).as_bytes(), text);
    let s = &h.stats(0).c2s;
    assert_eq!(s.stream_bytes, text.len() as u64);
    assert_eq!(s.gap_bytes, 0);
    assert_eq!(h.table.buffered_bytes(), 0);
}
