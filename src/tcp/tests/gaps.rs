//! Holes that never fill: peer ACKs, buffer caps, snap length, end of capture.

use super::*;

#[test]
fn peer_ack_past_a_hole_declares_it_lost() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"ab");
    let buffered = h.send(Host::Client, 5, 1, "PA", b"ef");
    h.send(Host::Server, 1, 3, "A", b""); // acks only what arrived in order: nothing to declare
    assert!(h.gaps().is_empty());
    let ack = h.send(Host::Server, 1, 7, "PA", b"srv");
    assert_eq!(h.stream(0, C2S), "ab??ef");
    assert_eq!(h.gaps(), vec![(2, 2, GapReason::Lost, ack)]);
    let ef = h
        .events
        .iter()
        .find(|e| matches!(e, Ev::Data { at: 4, .. }))
        .unwrap();
    assert!(
        matches!(ef, Ev::Data { frame, completed, .. } if *frame == buffered && *completed == ack)
    );
    // the settled gap comes before the ACK packet's own data
    let gap_pos = h
        .events
        .iter()
        .position(|e| matches!(e, Ev::Gap { .. }))
        .unwrap();
    let srv_pos = h
        .events
        .iter()
        .position(|e| matches!(e, Ev::Data { dir: S2C, .. }))
        .unwrap();
    assert!(gap_pos < srv_pos);
    // the missing segment turning up afterwards is a retransmission
    h.send(Host::Client, 3, 1, "PA", b"cd");
    assert_eq!(h.stream(0, C2S), "ab??ef");
    let s = &h.stats(0).c2s;
    assert_eq!(
        (
            s.gap_bytes,
            s.gaps,
            s.stream_bytes,
            s.retransmitted_segments
        ),
        (2, 1, 4, 1)
    );
}

#[test]
fn ack_past_several_holes_and_beyond_the_data() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 3, 1, "PA", b"c"); // 2
    h.send(Host::Client, 6, 1, "PA", b"fg"); // 5..7
    let ack = h.send(Host::Server, 1, 11, "A", b""); // everything up to 10
    assert_eq!(h.stream(0, C2S), "??c??fg???");
    assert_eq!(
        h.gaps(),
        vec![
            (0, 2, GapReason::Lost, ack),
            (3, 2, GapReason::Lost, ack),
            (7, 3, GapReason::Lost, ack)
        ]
    );
}

#[test]
fn stale_or_wild_acks_do_nothing() {
    let mut h = Harness::new();
    h.handshake(1000, 0);
    h.send(Host::Client, 1001, 1, "PA", b"abcd");
    h.send(Host::Server, 1, 1003, "A", b"");
    h.send(Host::Server, 1, 1001 + (1 << 31) + 5, "A", b""); // 2^31 away: behind, not ahead
    h.send(Host::Server, 1, 0, "", b""); // no ACK flag: ack field is meaningless
    assert!(h.gaps().is_empty());
    assert_eq!(h.stream(0, C2S), "abcd");
}

#[test]
fn buffer_cap_gives_up_the_oldest_hole() {
    let mut h = Harness::with_config(TcpConfig {
        max_buffered_per_direction: 400,
        ..TcpConfig::default()
    });
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"a");
    let p = [b'x'; 100];
    h.send(Host::Client, 11, 1, "PA", &p); // 10..110, hole 1..10
    h.send(Host::Client, 121, 1, "PA", &p); // 120..220, hole 110..120
    assert!(h.gaps().is_empty());
    let over = h.send(Host::Client, 231, 1, "PA", &p); // 230..330: now over the cap
    assert_eq!(h.gaps(), vec![(1, 9, GapReason::BufferLimit, over)]);
    assert!(h.table.buffered_bytes() <= 400);
    assert_eq!(h.stream(0, C2S).len(), 110);
    h.finish();
    assert_eq!(
        h.gaps(),
        vec![
            (1, 9, GapReason::BufferLimit, over),
            (110, 10, GapReason::CaptureEnded, over),
            (220, 10, GapReason::CaptureEnded, over),
        ]
    );
    assert_eq!(h.stream(0, C2S).len(), 330);
}

#[test]
fn total_cap_across_connections() {
    let config = TcpConfig {
        max_buffered_per_direction: 1 << 20,
        max_buffered_total: 1000,
    };
    let mut h = Harness::with_config(config);
    let p = [b'y'; 400];
    for port in 0..5u16 {
        let client: SocketAddr = format!("10.0.0.1:{}", 40000 + port).parse().unwrap();
        let server = addr(Host::Server);
        h.send_between(client, server, 10, 0, "S", b"", 0);
        h.send_between(client, server, 21, 0, "PA", &p, 400); // hole of 10 bytes
        assert!(h.table.buffered_bytes() <= 1000 + 400 + 64);
    }
    assert!(h.gaps().iter().all(|g| g.2 == GapReason::BufferLimit));
    assert!(!h.gaps().is_empty());
    h.finish();
    assert_eq!(h.table.buffered_bytes(), 0);
    for conn in 0..5 {
        assert_eq!(h.stream(conn, C2S).len(), 410);
    }
}

#[test]
fn snap_length_cut_is_a_gap_at_once() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    let f = h.send_cut(Host::Client, 1, 1, "PA", b"abcd", 10);
    assert_eq!(h.stream(0, C2S), "abcd??????");
    assert_eq!(h.gaps(), vec![(4, 6, GapReason::SnapLen, f)]);
    h.send_cut(Host::Client, 11, 1, "PA", b"", 5); // nothing captured at all
    h.send(Host::Client, 16, 1, "PA", b"k");
    assert_eq!(h.stream(0, C2S), "abcd???????????k");
    let s = &h.stats(0).c2s;
    assert_eq!((s.gap_bytes, s.stream_bytes, s.payload_bytes), (11, 5, 16));
}

#[test]
fn snap_length_cut_out_of_order_waits_its_turn() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    let cut = h.send_cut(Host::Client, 5, 1, "PA", b"ef", 6); // 4..10, captured 4..6
    h.send(Host::Client, 11, 1, "PA", b"k");
    assert!(h.gaps().is_empty());
    // a full copy of part of the cut range does not undo the earlier verdict
    h.send(Host::Client, 7, 1, "PA", b"gh");
    h.send(Host::Client, 1, 1, "PA", b"abcd");
    assert_eq!(h.stream(0, C2S), "abcdef????k");
    assert_eq!(h.gaps(), vec![(6, 4, GapReason::SnapLen, cut)]);
}

#[test]
fn finish_flushes_every_open_connection() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"a");
    h.send(Host::Client, 4, 1, "PA", b"d");
    let last = h.send(Host::Server, 1, 2, "PA", b"s");
    h.finish();
    assert_eq!(h.stream(0, C2S), "a??d");
    assert_eq!(h.gaps(), vec![(1, 2, GapReason::CaptureEnded, last)]);
    assert!(h.closes().is_empty());
    assert_eq!(h.table.open_connections(), 0);
}

#[test]
fn hostile_lengths_allocate_nothing() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    // claims 4 GB on the wire, carries 3 bytes
    h.send_cut(Host::Client, 1, 1, "PA", b"abc", u32::MAX);
    // after the 4 GB gap, far ahead of a hole, huge and cut: only a marker is buffered
    h.send_cut(Host::Client, 1 << 30, 1, "PA", b"z", u32::MAX);
    assert!(h.table.buffered_bytes() < 1000);
    h.finish();
    let s = &h.stats(0).c2s;
    assert_eq!(s.stream_bytes, 4);
    assert_eq!(s.gaps, 3, "snap cut, hole, snap cut of the second");
}
