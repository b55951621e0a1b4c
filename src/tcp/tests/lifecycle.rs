//! SYN, FIN, RST, captures without the handshake, 4-tuple reuse and sequence wrap-around.

use super::*;

#[test]
fn fin_both_ways_closes_and_frees() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"bye");
    let f1 = h.send(Host::Client, 4, 1, "FA", b"");
    assert_eq!(h.table.open_connections(), 1);
    let f2 = h.send(Host::Server, 1, 5, "FA", b"");
    h.send(Host::Client, 5, 2, "A", b"");
    assert_eq!(
        h.closes(),
        vec![
            (0, C2S, CloseReason::Fin, f1),
            (0, S2C, CloseReason::Fin, f2)
        ]
    );
    assert_eq!(h.table.open_connections(), 0);
    let s = h.stats(0);
    assert_eq!(s.c2s.frames, 5, "packets after close still count");
    assert_eq!(
        (s.c2s.closed, s.s2c.closed),
        (Some(CloseReason::Fin), Some(CloseReason::Fin))
    );
    assert!(s.c2s.fin && s.s2c.fin && !s.c2s.rst);
    // a retransmitted payload after the connection is gone is only counted
    h.send(Host::Client, 1, 2, "PA", b"bye");
    assert_eq!(h.stats(0).c2s.after_close_segments, 1);
    assert_eq!(h.stream(0, C2S), "bye");
}

#[test]
fn fin_that_overtakes_a_reordered_segment_waits_for_it() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"ab");
    h.send(Host::Client, 5, 1, "FPA", b"ef"); // FIN after a hole at 2..4
    assert!(h.closes().is_empty());
    let filler = h.send(Host::Client, 3, 1, "PA", b"cd");
    assert_eq!(h.stream(0, C2S), "abcdef");
    assert_eq!(h.closes(), vec![(0, C2S, CloseReason::Fin, filler)]);
    assert!(h.gaps().is_empty());
}

#[test]
fn peer_ack_of_fin_declares_the_hole_before_it() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"ab");
    h.send(Host::Client, 5, 1, "FPA", b"ef");
    let ack = h.send(Host::Server, 1, 8, "A", b""); // acks everything including the FIN
    assert_eq!(h.stream(0, C2S), "ab??ef");
    assert_eq!(h.gaps(), vec![(2, 2, GapReason::Lost, ack)]);
    assert_eq!(h.closes(), vec![(0, C2S, CloseReason::Fin, ack)]);
}

#[test]
fn rst_closes_both_directions_and_declares_holes() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.send(Host::Client, 1, 1, "PA", b"ab");
    h.send(Host::Client, 5, 1, "PA", b"ef");
    h.send(Host::Server, 1, 3, "PA", b"xy");
    let rst = h.send(Host::Server, 3, 3, "RA", b"");
    assert_eq!(h.stream(0, C2S), "ab??ef");
    assert_eq!(h.gaps(), vec![(2, 2, GapReason::Closed, rst)]);
    assert_eq!(
        h.closes(),
        vec![
            (0, S2C, CloseReason::Rst, rst),
            (0, C2S, CloseReason::PeerRst, rst)
        ]
    );
    assert_eq!(h.table.open_connections(), 0);
    assert_eq!(h.table.buffered_bytes(), 0);
    assert!(h.stats(0).s2c.rst);
}

#[test]
fn capture_without_handshake_guesses_roles_by_port() {
    let mut h = Harness::new();
    // the server speaks first; 1935 marks it as the server anyway
    h.send(Host::Server, 9000, 7000, "PA", b"srv");
    h.send(Host::Client, 7000, 9003, "PA", b"cli");
    let events = h.take();
    assert_eq!(
        events[0],
        Ev::Opened {
            conn: 0,
            client: addr(Host::Client),
            server: addr(Host::Server),
            syn: false,
            frame: 1
        }
    );
    let mut h2 = Harness::new();
    h2.events = events;
    assert_eq!(h2.stream(0, C2S), "cli");
    assert_eq!(h2.stream(0, S2C), "srv");
    assert!(!h.stats(0).syn_seen);
    assert_eq!(h.stats(0).s2c.isn, Some(8999));
}

#[test]
fn lower_port_is_the_server_when_neither_is_well_known() {
    let mut h = Harness::new();
    let a: SocketAddr = "192.168.1.5:40000".parse().unwrap();
    let b: SocketAddr = "192.168.1.9:5000".parse().unwrap();
    h.send_between(a, b, 1, 1, "PA", b"x", 1);
    assert_eq!(h.stats(0).server, b);
    let mut h = Harness::new();
    h.send_between(b, a, 1, 1, "PA", b"x", 1);
    assert_eq!(h.stats(0).server, b);
}

#[test]
fn syn_ack_without_syn_makes_its_sender_the_server() {
    let mut h = Harness::new();
    h.send(Host::Client, 500, 0, "SA", b"");
    assert_eq!(h.stats(0).server, addr(Host::Client));
    assert!(h.stats(0).syn_seen);
}

#[test]
fn mid_stream_start_with_the_first_segment_out_of_order() {
    let mut h = Harness::new();
    // 100..103 arrives before 97..100: the stream starts at the first one seen
    h.send(Host::Client, 100, 1, "PA", b"DEF");
    h.send(Host::Client, 97, 1, "PA", b"abc");
    h.send(Host::Client, 103, 1, "PA", b"GH");
    assert_eq!(h.stream(0, C2S), "DEFGH");
    let s = &h.stats(0).c2s;
    assert_eq!((s.retransmitted_segments, s.stream_bytes), (1, 5));
}

#[test]
fn new_syn_after_close_is_a_new_connection() {
    let mut h = Harness::new();
    h.handshake(100, 200);
    h.send(Host::Client, 101, 201, "PA", b"one");
    h.send(Host::Client, 104, 201, "FA", b"");
    h.send(Host::Server, 201, 105, "FA", b"");
    h.send(Host::Client, 105, 202, "A", b"");
    h.handshake(9_000_000, 1);
    h.send(Host::Client, 9_000_001, 2, "PA", b"two");
    assert_eq!(h.table.connections().len(), 2);
    assert_eq!(h.stream(0, C2S), "one");
    assert_eq!(h.stream(1, C2S), "two");
    assert_eq!((h.stats(0).c2s.frames, h.stats(0).s2c.frames), (5, 2));
    assert_eq!((h.stats(1).c2s.frames, h.stats(1).s2c.frames), (3, 1));
    assert_eq!(h.stats(1).first_frame, 8);
}

#[test]
fn retransmitted_syn_stays_in_the_same_connection() {
    let mut h = Harness::new();
    h.send(Host::Client, 100, 0, "S", b"");
    h.send(Host::Client, 100, 0, "S", b"");
    h.send(Host::Server, 200, 101, "SA", b"");
    h.send(Host::Client, 101, 201, "PA", b"x");
    assert_eq!(h.table.connections().len(), 1);
    assert_eq!(h.stream(0, C2S), "x");
}

#[test]
fn new_syn_on_an_open_connection_retires_it() {
    let mut h = Harness::new();
    h.handshake(100, 200);
    h.send(Host::Client, 101, 201, "PA", b"ab");
    h.send(Host::Client, 105, 201, "PA", b"ef");
    let syn = h.send(Host::Client, 5_000, 0, "S", b"");
    assert_eq!(h.table.connections().len(), 2);
    assert_eq!(h.stream(0, C2S), "ab??ef");
    assert_eq!(h.gaps(), vec![(2, 2, GapReason::Closed, syn)]);
    assert_eq!(
        h.closes(),
        vec![
            (0, C2S, CloseReason::Reused, syn),
            (0, S2C, CloseReason::Reused, syn)
        ]
    );
    assert_eq!(h.table.open_connections(), 1);
    assert!(h.events.iter().any(|e| matches!(
        e,
        Ev::Opened {
            conn: 1,
            syn: true,
            ..
        }
    )));
}

#[test]
fn the_server_can_open_the_next_connection_on_the_same_tuple() {
    let mut h = Harness::new();
    h.handshake(100, 200);
    h.send(Host::Server, 7_777, 0, "S", b"");
    assert_eq!(h.table.connections().len(), 2);
    assert_eq!(h.stats(1).client, addr(Host::Server));
}

#[test]
fn sequence_numbers_wrap_around() {
    let mut h = Harness::new();
    let isn = u32::MAX - 3; // first data byte at u32::MAX - 2
    h.handshake(isn, 0);
    h.send(Host::Client, u32::MAX - 2, 1, "PA", b"abc"); // ends exactly at the wrap
    h.send(Host::Client, 3, 1, "PA", b"defg"); // 0..3 missing for now: bytes 3..6 after "abc"
    h.send(Host::Client, 0, 1, "PA", b"xyz");
    h.send(Host::Client, 7, 1, "PA", b"hi");
    assert_eq!(h.stream(0, C2S), "abcxyzdefghi");
    let ack = h.send(Host::Server, 1, 20, "A", b""); // acks 11 bytes past what we have
    assert_eq!(h.stream(0, C2S), "abcxyzdefghi???????????");
    assert_eq!(h.gaps(), vec![(12, 11, GapReason::Lost, ack)]);
}

#[test]
fn streams_longer_than_the_sequence_space() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    let chunk = vec![7u8; 60_000];
    let mut seq = 1u32;
    let mut total = 0u64;
    while total < (1u64 << 32) + 500_000 {
        h.send(Host::Client, seq, 1, "A", &chunk);
        h.events.clear();
        seq = seq.wrapping_add(chunk.len() as u32);
        total += chunk.len() as u64;
    }
    h.send(Host::Client, seq.wrapping_add(10), 1, "PA", b"late");
    h.send(Host::Client, seq, 1, "PA", b"0123456789");
    let at: Vec<u64> = h
        .events
        .iter()
        .filter_map(|e| {
            if let Ev::Data { at, .. } = e {
                Some(*at)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(at, vec![total, total + 10]);
    assert_eq!(h.stats(0).c2s.stream_bytes, total + 14);
}

#[test]
fn keep_alive_as_first_packet_opens_no_hole() {
    // a keep-alive carries the sequence number just before the next byte
    let mut h = Harness::new();
    h.send(Host::Client, 999, 5000, "A", b"");
    h.send(Host::Server, 5000, 1000, "A", b"");
    let fin = h.send(Host::Client, 1000, 5000, "FA", b"");
    assert!(h.gaps().is_empty());
    assert_eq!(h.closes(), vec![(0, C2S, CloseReason::Fin, fin)]);

    let mut h = Harness::new();
    h.send(Host::Client, 999, 5000, "A", b"");
    h.send(Host::Client, 1000, 5000, "PA", b"data");
    assert_eq!(h.stream(0, C2S), "data");
}

#[test]
fn bare_first_packet_still_anchors_a_missed_first_segment() {
    let mut h = Harness::new();
    h.send(Host::Client, 1000, 5000, "A", b""); // pure ACK at the next byte
    let ack = h.send(Host::Server, 5000, 1010, "A", b""); // the server got 10 bytes we never saw
    h.send(Host::Client, 1010, 5000, "PA", b"more");
    assert_eq!(h.stream(0, C2S), "??????????more");
    assert_eq!(h.gaps(), vec![(0, 10, GapReason::Lost, ack)]);
}

#[test]
fn ipv6_connections_and_separate_tuples() {
    let mut h = Harness::new();
    let client: SocketAddr = "[2001:db8::1]:50000".parse().unwrap();
    let server: SocketAddr = "[2001:db8::2]:1935".parse().unwrap();
    let other: SocketAddr = "[2001:db8::1]:50001".parse().unwrap();
    h.send_between(client, server, 10, 0, "S", b"", 0);
    h.send_between(other, server, 70, 0, "S", b"", 0);
    h.send_between(server, client, 20, 11, "SA", b"", 0);
    h.send_between(client, server, 11, 21, "PA", b"six", 3);
    h.send_between(other, server, 71, 0, "PA", b"seven", 5);
    assert_eq!(h.table.connections().len(), 2);
    assert_eq!(h.stream(0, C2S), "six");
    assert_eq!(h.stream(1, C2S), "seven");
    let stats = h.table.connection(ConnId(1)).unwrap();
    assert_eq!((stats.client, stats.server), (other, server));
    assert!(h.table.connection(ConnId(2)).is_none());
}

#[test]
fn old_connection_closes_before_the_new_one_opens() {
    let mut h = Harness::new();
    h.handshake(100, 200);
    h.take();
    h.send(Host::Client, 9_000, 0, "S", b"");
    let order: Vec<&str> = h
        .events
        .iter()
        .map(|e| match e {
            Ev::Closed { conn: 0, .. } => "closed 0",
            Ev::Opened { conn: 1, .. } => "opened 1",
            _ => "other",
        })
        .collect();
    assert_eq!(order, vec!["closed 0", "closed 0", "opened 1"]);
}
