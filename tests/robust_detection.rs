//! Recognising RTMP without a handshake: a long chain of consistent chunk headers, never
//! something else that happens to contain header-like bytes.
#![allow(clippy::unwrap_used)]

mod rtmp_support;

use rtmp_support::{body, origin_at, ChunkWriter};
use rtmpscope::rtmp::{
    ChunkStreamDemuxer, Dir, RtmpConfig, RtmpConnection, RtmpEvent, RtmpMessage,
};

/// A deterministic byte generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 32) as u8).collect()
    }
}

#[derive(Default)]
struct Events(Vec<RtmpEvent>);

impl Events {
    fn messages(&self) -> Vec<&RtmpMessage> {
        self.0
            .iter()
            .filter_map(|e| match e {
                RtmpEvent::Message(m) => Some(&**m),
                _ => None,
            })
            .collect()
    }

    fn codes(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter_map(|e| match e {
                RtmpEvent::Diagnostic(d) => Some(d.code.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Feeds a connection without its SYN: `c2s` and `s2c` in pieces of `piece` bytes, alternating.
fn run(c2s: &[u8], s2c: &[u8], piece: usize, rtmp_port: bool) -> (RtmpConnection, Events) {
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    conn.set_start(false, rtmp_port);
    let mut ev = Events::default();
    let mut frame = 1;
    let (mut a, mut b) = (c2s.chunks(piece), s2c.chunks(piece));
    let (mut off_a, mut off_b) = (0, 0);
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        if let Some(p) = x {
            conn.on_data(Dir::C2S, p, origin_at(off_a, frame), &mut |e| ev.0.push(e));
            off_a += p.len();
            frame += 1;
        }
        if let Some(p) = y {
            conn.on_data(Dir::S2C, p, origin_at(off_b, frame), &mut |e| ev.0.push(e));
            off_b += p.len();
            frame += 1;
        }
    }
    conn.on_close(Dir::C2S, &mut |e| ev.0.push(e));
    conn.on_close(Dir::S2C, &mut |e| ev.0.push(e));
    conn.finish(&mut |e| ev.0.push(e));
    (conn, ev)
}

fn assert_not_rtmp(c2s: &[u8], s2c: &[u8], what: &str) {
    for rtmp_port in [true, false] {
        let (conn, ev) = run(c2s, s2c, 1448, rtmp_port);
        assert!(!conn.is_rtmp(), "{what}: {:?}", ev.codes());
        assert!(ev.messages().is_empty(), "{what}");
        assert!(matches!(ev.0[0], RtmpEvent::NotRtmp { .. }), "{what}");
    }
}

/// A publish as ffmpeg sends it after its first messages: audio (csid 4) and video (csid 6)
/// with fmt 1 headers at `chunk_size`, commands on csid 3, from some point on.
fn publish(chunk_size: u32, messages: usize, rng: &mut Rng) -> Vec<u8> {
    let mut w = ChunkWriter::new();
    w.chunk_size = chunk_size;
    for i in 0..messages {
        if i % 3 == 2 {
            let mut b = vec![0x27, 1, 0, 0, 0x21];
            let n = 2000 + (rng.next() % 4000) as usize;
            b.extend(rng.bytes(n));
            w.message(1, 6, 33, 9, 0, &b, None);
        } else {
            let mut b = vec![0xaf, 1];
            let n = 300 + (rng.next() % 100) as usize;
            b.extend(rng.bytes(n));
            w.message(1, 4, 23, 8, 0, &b, None);
        }
    }
    let mut cmd = vec![2, 0, 11];
    cmd.extend(b"FCUnpublish");
    cmd.extend([5, 2, 0, 6]);
    cmd.extend(b"stream");
    w.message(1, 3, 0, 20, 0, &cmd, None);
    w.out
}

#[test]
fn random_bytes_are_not_rtmp() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for len in [100, 5000, 1 << 20] {
        let c2s = rng.bytes(len);
        let s2c = rng.bytes(len / 10);
        assert_not_rtmp(&c2s, &s2c, &format!("{len} random bytes"));
    }
}

#[test]
fn other_protocols_are_not_rtmp() {
    let http_req =
        b"GET /live/stream.flv HTTP/1.1\r\nHost: example\r\nUser-Agent: x\r\n\r\n".repeat(50);
    let http_resp =
        b"HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n\r\nFLV\x01\x05\x00\x00\x00\x09"
            .repeat(200);
    assert_not_rtmp(&http_req, &http_resp, "HTTP");
    // TLS records: type 0x16/0x17, version 3.3, a length, random payload.
    let mut rng = Rng(7);
    let mut tls = Vec::new();
    for i in 0..300 {
        let len = 200 + (rng.next() % 1200) as usize;
        let payload = rng.bytes(len);
        tls.extend([if i < 2 { 0x16 } else { 0x17 }, 3, 3]);
        tls.extend((len as u16).to_be_bytes());
        tls.extend(payload);
    }
    assert_not_rtmp(&tls, &tls[..5000], "TLS");
    // An FLV file over a raw socket: tags look a little like chunks (type 8/9, 24-bit sizes).
    let mut flv = b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00".to_vec();
    for i in 0..500u32 {
        let (t, n) = if i % 2 == 0 { (8u8, 300) } else { (9, 3000) };
        flv.push(t);
        flv.extend(&(n as u32).to_be_bytes()[1..]);
        flv.extend(&(i * 23).to_be_bytes()[1..]);
        flv.extend([0, 0, 0, 0]);
        flv.extend(body(n, i as u8));
        flv.extend((n as u32 + 11).to_be_bytes());
    }
    assert_not_rtmp(&flv, b"", "FLV");
}

#[test]
fn a_publish_without_its_start_is_rtmp_at_any_common_chunk_size() {
    let mut rng = Rng(42);
    for chunk_size in [128, 4096, 60000, 65536, 1400] {
        let stream = publish(chunk_size, 60, &mut rng);
        // Start in the middle of the first message; end with the server's onStatus.
        let c2s = &stream[200..];
        let mut status = Vec::new();
        let mut b = vec![2, 0, 8];
        b.extend(b"onStatus");
        b.extend(body(80, 3));
        rtmp_support::ChunkWriter::new()
            .message(0, 5, 0, 20, 1, &b, None)
            .out
            .clone_into(&mut status);
        for piece in [1448, 65536] {
            let (conn, ev) = run(c2s, &status, piece, false);
            assert!(conn.is_rtmp(), "{chunk_size}: {:?}", ev.codes());
            assert!(conn.is_midstream());
            assert!(matches!(
                ev.0[0],
                RtmpEvent::Detected {
                    midstream: true,
                    ..
                }
            ));
            let msgs = ev.messages();
            // All but the first message (its start is cut off), the command, and onStatus.
            assert_eq!(
                msgs.len(),
                59 + 1 + 1,
                "{chunk_size} {piece}: {:?}",
                ev.codes()
            );
            // Sizes above the longest message (6005 bytes) read these chunks alike.
            let d = conn.demuxer(Dir::C2S);
            if chunk_size < 6005 {
                assert_eq!((d.chunk_size(), d.chunk_size_known()), (chunk_size, true));
            } else {
                assert!(d.chunk_size() >= 6005 && !d.chunk_size_known());
            }
            let fc = msgs
                .iter()
                .find(|m| m.type_id == 20 && m.dir == Dir::C2S)
                .unwrap();
            assert_eq!(
                (fc.msid, fc.command().unwrap().name.as_str()),
                (0, "FCUnpublish")
            );
            assert!(msgs
                .iter()
                .filter(|m| matches!(m.type_id, 8 | 9))
                .all(|m| m.msid == 1 && m.inferred && !m.damaged));
        }
    }
}

#[test]
fn a_capture_starting_at_a_fmt0_command_is_not_taken_for_a_handshake() {
    // 0x03 opens both a C0 and a fmt 0 header on chunk stream 3.
    let mut w = ChunkWriter::new();
    let mut cmd = vec![2, 0, 12];
    cmd.extend(b"createStream");
    cmd.extend([0, 0x40, 0, 0, 0, 0, 0, 0, 0, 5]);
    w.message(0, 3, 0, 20, 0, &cmd, None);
    let mut rng = Rng(5);
    w.out.extend(publish(128, 30, &mut rng));
    let (conn, ev) = run(&w.out, b"", 1448, true);
    assert!(conn.is_midstream(), "{:?}", ev.codes());
    let msgs = ev.messages();
    assert_eq!(msgs[0].command().unwrap().name, "createStream");
    assert!(!msgs[0].inferred);
    assert_eq!(msgs.len(), 32);
    // With the SYN in the capture the same first byte is a C0.
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    conn.on_data(Dir::C2S, &w.out, origin_at(0, 1), &mut |e| ev.0.push(e));
    assert!(!conn.is_midstream());
}

#[test]
fn probing_gives_up_after_its_limit_with_bounded_memory() {
    // A stream of header-like bytes that never chain: each 12 bytes declare a 16 MB video
    // message, so every chain stays open until the resync buffer is full.
    let mut unit = Vec::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 6, 0, 0xff_ffff, 9, 1, None, &mut unit);
    let piece = unit.repeat(1000);
    let config = RtmpConfig {
        max_resync_buffer: 64 << 10,
        probe_limit: 512 << 10,
        ..RtmpConfig::default()
    };
    let mut d = ChunkStreamDemuxer::new_probing(Dir::C2S, config.clone());
    let mut peak = 0;
    let mut fed = 0;
    while fed < 1 << 20 {
        d.feed(&piece, origin_at(fed, 1), &mut |_| {});
        fed += piece.len();
        peak = peak.max(d.resync_buffered_bytes());
    }
    assert!(!d.has_synced());
    assert!(peak <= config.max_resync_buffer + piece.len(), "{peak}");
    // The connection stops looking (and holds nothing) once past the limit.
    let mut conn = RtmpConnection::new(config.clone());
    conn.set_start(false, true);
    let mut ev = Events::default();
    let mut off = 0;
    while off as u64 <= config.probe_limit {
        conn.on_data(Dir::C2S, &piece, origin_at(off, 1), &mut |e| ev.0.push(e));
        off += piece.len();
    }
    assert!(
        matches!(ev.0[0], RtmpEvent::NotRtmp { .. }),
        "{:?}",
        ev.codes()
    );
    assert_eq!(conn.demuxer(Dir::C2S).resync_buffered_bytes(), 0);
}
