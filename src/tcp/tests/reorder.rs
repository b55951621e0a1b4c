//! In-order delivery, reordering, and what each delivered byte is attributed to.

use super::*;

#[test]
fn handshake_and_in_order_data_straight_from_the_packet() {
    let mut h = Harness::new();
    h.handshake(1000, 5000);
    let f1 = h.send(Host::Client, 1001, 5001, "PA", b"hello ");
    let f2 = h.send(Host::Client, 1007, 5001, "PA", b"world");
    let f3 = h.send(Host::Server, 5001, 1012, "PA", b"ok");
    let events = h.take();
    assert_eq!(
        events[0],
        Ev::Opened {
            conn: 0,
            client: addr(Host::Client),
            server: addr(Host::Server),
            syn: true,
            frame: 1
        }
    );
    let data: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Ev::Data { .. }))
        .cloned()
        .collect();
    assert_eq!(
        data,
        vec![
            Ev::Data {
                conn: 0,
                dir: C2S,
                at: 0,
                bytes: b"hello ".to_vec(),
                frame: f1,
                completed: f1,
                file_offset: packet_offset(f1) + PAYLOAD_OFFSET as u64,
            },
            Ev::Data {
                conn: 0,
                dir: C2S,
                at: 6,
                bytes: b"world".to_vec(),
                frame: f2,
                completed: f2,
                file_offset: packet_offset(f2) + PAYLOAD_OFFSET as u64,
            },
            Ev::Data {
                conn: 0,
                dir: S2C,
                at: 0,
                bytes: b"ok".to_vec(),
                frame: f3,
                completed: f3,
                file_offset: packet_offset(f3) + PAYLOAD_OFFSET as u64,
            },
        ]
    );
    assert_eq!(events.len(), 4);
    let s = h.stats(0);
    assert!(s.syn_seen);
    assert_eq!((s.c2s.frames, s.s2c.frames), (4, 2));
    assert_eq!(s.c2s.wire_bytes, 54 * 4 + 11);
    assert_eq!((s.c2s.payload_segments, s.c2s.stream_bytes), (2, 11));
    assert_eq!((s.c2s.isn, s.s2c.isn), (Some(1000), Some(5000)));
    assert_eq!(h.table.buffered_bytes(), 0);
}

#[test]
fn swapped_segments_are_held_then_delivered_in_order() {
    let mut h = Harness::new();
    h.handshake(0, 0);
    h.take();
    let late = h.send(Host::Client, 5, 1, "PA", b"56789");
    assert!(
        h.take().is_empty(),
        "nothing deliverable before the hole fills"
    );
    assert!(h.table.buffered_bytes() >= 5);
    let filler = h.send(Host::Client, 1, 1, "PA", b"1234");
    let events = h.take();
    assert_eq!(events.len(), 2);
    assert!(
        matches!(&events[0], Ev::Data { at: 0, frame, completed, .. } if *frame == filler && *completed == filler)
    );
    assert!(
        matches!(&events[1], Ev::Data { at: 4, bytes, frame, completed, file_offset, .. }
            if bytes == b"56789" && *frame == late && *completed == filler
            && *file_offset == packet_offset(late) + PAYLOAD_OFFSET as u64)
    );
    assert_eq!(h.table.buffered_bytes(), 0);
    let s = &h.stats(0).c2s;
    // the late segment is the out-of-order one; the early one waited in the buffer
    assert_eq!((s.out_of_order_segments, s.buffered_segments), (1, 1));
    assert_eq!((s.stream_bytes, s.gap_bytes), (9, 0));
}

#[test]
fn reverse_order_burst() {
    let mut h = Harness::new();
    h.handshake(100, 200);
    let parts: [&[u8]; 5] = [b"aa", b"bbb", b"c", b"dddd", b"ee"];
    let mut seq = 101u32;
    let mut seqs = Vec::new();
    for p in parts {
        seqs.push(seq);
        seq += p.len() as u32;
    }
    for i in (1..5).rev() {
        h.send(Host::Client, seqs[i], 201, "PA", parts[i]);
    }
    assert_eq!(h.stream(0, C2S), "");
    h.send(Host::Client, seqs[0], 201, "PA", parts[0]);
    assert_eq!(h.stream(0, C2S), "aabbbcddddee");
    let s = &h.stats(0).c2s;
    assert_eq!(
        (
            s.out_of_order_segments,
            s.buffered_segments,
            s.retransmitted_segments
        ),
        (4, 4, 0)
    );
    assert_eq!(s.stream_bytes, 12);
}

#[test]
fn interleaved_directions_are_independent() {
    let mut h = Harness::new();
    h.handshake(10, 20);
    h.send(Host::Server, 24, 11, "PA", b"XYZ");
    h.send(Host::Client, 11, 21, "PA", b"abc");
    h.send(Host::Server, 21, 14, "PA", b"UVW");
    assert_eq!(h.stream(0, C2S), "abc");
    assert_eq!(h.stream(0, S2C), "UVWXYZ");
}

#[test]
fn data_on_syn_and_fin_segments() {
    let mut h = Harness::new();
    h.send(Host::Client, 7, 0, "S", b"early");
    h.send(Host::Server, 70, 13, "SA", b"");
    h.send(Host::Client, 13, 71, "FPA", b"last");
    assert_eq!(h.stream(0, C2S), "earlylast");
    assert_eq!(h.closes(), vec![(0, C2S, CloseReason::Fin, 3)]);
}
