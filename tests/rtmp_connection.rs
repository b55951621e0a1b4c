//! RtmpConnection: detection, handshake, and real byte streams from the captures in
//! /work/shared/captures (prefixes saved under tests/data), checked against Wireshark's decode
//! of the same messages (tests/data/rtmp-*.expected.tsv: direction, type id, length, message
//! stream id, timestamp, tshark's info column).
#![allow(clippy::unwrap_used)]

mod rtmp_support;

use rtmp_support::{origin_at, ChunkWriter};
use rtmpscope::rtmp::control::UserControlEvent;
use rtmpscope::rtmp::handshake::{sign_block, DigestScheme, BLOCK_LEN};
use rtmpscope::rtmp::{
    DigestScheme as Scheme, Dir, HandshakeInfo, MessageBody, RtmpConfig, RtmpConnection, RtmpEvent,
    RtmpMessage,
};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[derive(Default)]
struct Events {
    all: Vec<RtmpEvent>,
}

impl Events {
    fn messages(&self) -> Vec<&RtmpMessage> {
        self.all
            .iter()
            .filter_map(|e| match e {
                RtmpEvent::Message(m) => Some(m.as_ref()),
                _ => None,
            })
            .collect()
    }

    fn handshake(&self) -> Option<&HandshakeInfo> {
        self.all.iter().find_map(|e| match e {
            RtmpEvent::Handshake(h) => Some(h),
            _ => None,
        })
    }

    fn diagnostic_codes(&self) -> Vec<&str> {
        self.all
            .iter()
            .filter_map(|e| match e {
                RtmpEvent::Diagnostic(d) => Some(d.code.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Feeds a connection the way a capture would: C0+C1, the server's bytes, the rest of the
/// client's, in TCP-sized pieces.
fn run(c2s: &[u8], s2c: &[u8], piece: usize) -> Events {
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    let mut sink = |e| ev.all.push(e);
    let mut frame = 1;
    let mut feed = |conn: &mut RtmpConnection,
                    dir,
                    bytes: &[u8],
                    base: usize,
                    sink: &mut dyn FnMut(RtmpEvent)| {
        for (i, p) in bytes.chunks(piece).enumerate() {
            conn.on_data(dir, p, origin_at(base + i * piece, frame), &mut |e| sink(e));
            frame += 1;
        }
    };
    let split = 1 + BLOCK_LEN;
    feed(&mut conn, Dir::C2S, &c2s[..split], 0, &mut sink);
    feed(&mut conn, Dir::S2C, s2c, 0, &mut sink);
    feed(&mut conn, Dir::C2S, &c2s[split..], split, &mut sink);
    conn.finish(&mut sink);
    ev
}

fn expected(name: &str) -> Vec<(String, u8, u32, u32, u32, String)> {
    let text = String::from_utf8(data(name)).unwrap();
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
                f[4].parse().unwrap(),
                f[5].to_string(),
            )
        })
        .collect()
}

fn check_against_reference(prefix: &str, pieces: &[usize]) -> Events {
    let c2s = data(&format!("rtmp-{prefix}-c2s.bin"));
    let s2c = data(&format!("rtmp-{prefix}-s2c.bin"));
    let want = expected(&format!("rtmp-{prefix}.expected.tsv"));
    let mut first = None;
    for &piece in pieces {
        let ev = run(&c2s, &s2c, piece);
        let mut got: Vec<_> = ev
            .messages()
            .iter()
            .filter(|m| !m.damaged)
            .map(|m| {
                (
                    m.dir.as_str().to_string(),
                    m.type_id,
                    m.length,
                    m.msid,
                    m.timestamp,
                )
            })
            .collect();
        got.sort_by_key(|g| g.0 != "c2s");
        let want_keys: Vec<_> = want
            .iter()
            .map(|w| (w.0.clone(), w.1, w.2, w.3, w.4))
            .collect();
        assert_eq!(got, want_keys, "{prefix}, pieces of {piece}");
        first.get_or_insert(ev);
    }
    first.unwrap()
}

#[test]
fn ffmpeg_publish_to_nginx_matches_wireshark() {
    let ev = check_against_reference("nginx-ffmpeg-publish", &[1448, 1, 7, 100_000]);
    let hs = ev.handshake().unwrap();
    assert!(hs.complete);
    // ffmpeg sends a Flash Player 9 style C1 (version 9.0.124.2, digest scheme 0); nginx answers
    // with a digest S1 and an S2 signed over C1's digest; ffmpeg's C2 simply echoes S1.
    assert_eq!(hs.c1_version.as_deref(), Some("9.0.124.2"));
    assert_eq!(hs.client_digest, Some(Scheme::Scheme0));
    assert_eq!(hs.server_digest, Some(Scheme::Scheme0));
    assert_eq!(hs.s2_signature_ok, Some(true));
    assert_eq!(hs.c2_echoes_s1, Some(true));
    let msgs = ev.messages();
    // Server: Window Ack Size, Set Peer Bandwidth (dynamic), Set Chunk Size 4096.
    let s2c: Vec<_> = msgs.iter().filter(|m| m.dir == Dir::S2C).collect();
    assert!(matches!(
        &s2c[1].body,
        MessageBody::Control(
            rtmpscope::rtmp::control::ProtocolControl::SetPeerBandwidth {
                size: 5_000_000,
                limit_type: 2,
                ..
            }
        )
    ));
    // The first video message is the AVC sequence header, kept whole.
    let video = msgs.iter().find(|m| m.type_id == 9).unwrap();
    match &video.body {
        MessageBody::Video(v) => {
            assert!(v.sequence_header && v.keyframe);
            assert_eq!(v.codec_name(), "AVC");
        }
        other => panic!("{other:?}"),
    }
    let audio = msgs.iter().find(|m| m.type_id == 8).unwrap();
    match &audio.body {
        MessageBody::Audio(a) => assert_eq!((a.sound_format, a.aac_packet_type), (10, Some(0))),
        other => panic!("{other:?}"),
    }
    // The fixture is cut inside a message: it is reported damaged at the end.
    assert!(msgs.iter().any(|m| m.damaged));
}

#[test]
fn rtmpdump_play_from_nginx_matches_wireshark() {
    let ev = check_against_reference("nginx-rtmpdump-play", &[1448, 3, 4096]);
    let hs = ev.handshake().unwrap();
    assert_eq!(hs.c1_version.as_deref(), Some("0.0.0.0"));
    assert_eq!(hs.client_digest, None);
    assert_eq!((hs.c2_echoes_s1, hs.s2_echoes_c1), (Some(true), Some(true)));
    let msgs = ev.messages();
    // rtmpdump's second Set Buffer Length uses a fmt 3 header on csid 2.
    let sbl: Vec<_> = msgs
        .iter()
        .filter_map(|m| match &m.body {
            MessageBody::UserControl(UserControlEvent::SetBufferLength {
                stream_id,
                buffer_ms,
            }) => Some((m.fmt, *stream_id, *buffer_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(sbl, vec![(1, 0, 300), (3, 1, 36_000_000)]);
    assert!(msgs.iter().any(|m| matches!(
        m.body,
        MessageBody::UserControl(UserControlEvent::StreamBegin { stream_id: 1 })
    )));
}

#[test]
fn ffmpeg_publish_to_node_media_server_matches_wireshark() {
    let ev = check_against_reference("nms-ffmpeg-publish", &[1448, 5]);
    let hs = ev.handshake().unwrap();
    assert!(hs.complete);
}

fn simple_handshake(seed: u8) -> (Vec<u8>, Vec<u8>) {
    let c1: Vec<u8> = (0..BLOCK_LEN).map(|i| (i as u8) ^ seed).collect();
    let s1: Vec<u8> = (0..BLOCK_LEN)
        .map(|i| (i as u8).wrapping_mul(7) ^ seed)
        .collect();
    let mut c = vec![3];
    c.extend(&c1);
    c.extend(&s1);
    let mut s = vec![3];
    s.extend(&s1);
    s.extend(&c1);
    (c, s)
}

#[test]
fn handshake_split_and_chunks_right_after_c2() {
    let (mut c2s, s2c) = simple_handshake(5);
    let mut w = ChunkWriter::new();
    w.message(
        0,
        3,
        0,
        20,
        0,
        &[2, 0, 7, b'c', b'o', b'n', b'n', b'e', b'c', b't'],
        None,
    );
    c2s.extend(&w.out);
    for piece in [1, 10, 1536, 1537, 3073, 5000] {
        let ev = run(&c2s, &s2c, piece);
        let hs = ev.handshake().unwrap();
        assert!(hs.complete, "piece {piece}");
        assert_eq!((hs.c2_echoes_s1, hs.s2_echoes_c1), (Some(true), Some(true)));
        let msgs = ev.messages();
        assert_eq!(msgs.len(), 1, "piece {piece}");
        assert_eq!(msgs[0].stream_offset, 3073);
        assert!(matches!(&msgs[0].body, MessageBody::Command(_)));
        assert!(
            ev.diagnostic_codes().is_empty(),
            "{:?}",
            ev.diagnostic_codes()
        );
    }
}

#[test]
fn digest_handshake_scheme1_is_recognised() {
    let (mut c2s, s2c) = simple_handshake(9);
    c2s[1 + 4..1 + 8].copy_from_slice(&[10, 0, 45, 2]);
    sign_block(&mut c2s[1..1 + BLOCK_LEN], DigestScheme::Scheme1, false);
    let ev = run(&c2s, &s2c, 700);
    let hs = ev.handshake().unwrap();
    assert_eq!(hs.client_digest, Some(Scheme::Scheme1));
    assert_eq!(hs.server_digest, None);
    assert_eq!(hs.c1_version.as_deref(), Some("10.0.45.2"));
}

#[test]
fn roles_swapped_when_the_server_side_speaks_first() {
    let (c2s, s2c) = simple_handshake(1);
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    let mut sink = |e| ev.all.push(e);
    // The TCP layer guessed wrong: the RTMP client's bytes arrive as "S2C".
    conn.on_data(Dir::S2C, &c2s[..1537], origin_at(0, 1), &mut sink);
    conn.on_data(Dir::C2S, &s2c, origin_at(0, 2), &mut sink);
    let mut w = ChunkWriter::new();
    w.message(0, 2, 0, 5, 0, &2_500_000u32.to_be_bytes(), None);
    let mut rest = c2s[1537..].to_vec();
    rest.extend(&w.out);
    conn.on_data(Dir::S2C, &rest, origin_at(1537, 3), &mut sink);
    conn.finish(&mut sink);
    assert!(conn.roles_swapped());
    assert!(matches!(
        ev.all[0],
        RtmpEvent::Detected {
            roles_swapped: true,
            ..
        }
    ));
    assert!(ev.handshake().unwrap().roles_swapped);
    assert!(ev.handshake().unwrap().complete);
    let msgs = ev.messages();
    assert_eq!(msgs.len(), 1);
    // Reported in RTMP roles: it came from the client.
    assert_eq!(msgs[0].dir, Dir::C2S);
}

#[test]
fn encrypted_and_non_rtmp_connections() {
    for (first, encrypted) in [(6u8, true), (8, true), (0x47, false), (0x16, false)] {
        let mut conn = RtmpConnection::new(RtmpConfig::default());
        let mut ev = Events::default();
        let mut bytes = vec![first];
        bytes.extend([0u8; 2000]);
        conn.on_data(Dir::C2S, &bytes, origin_at(0, 1), &mut |e| ev.all.push(e));
        conn.on_data(Dir::S2C, &bytes, origin_at(0, 2), &mut |e| ev.all.push(e));
        conn.on_gap(Dir::C2S, 2001, 10, 3, Default::default(), &mut |e| {
            ev.all.push(e)
        });
        conn.finish(&mut |e| ev.all.push(e));
        assert!(!conn.is_rtmp());
        match &ev.all[0] {
            RtmpEvent::Encrypted { version, frame } => {
                assert!(encrypted);
                assert_eq!((*version, *frame), (first, 1));
            }
            RtmpEvent::NotRtmp { first_byte, .. } => {
                assert!(!encrypted);
                assert_eq!(*first_byte, first);
            }
            other => panic!("{other:?}"),
        }
        assert!(ev.messages().is_empty());
        assert!(ev.handshake().is_none());
    }
}

#[test]
fn incomplete_handshake_is_reported_at_the_end() {
    let (c2s, _) = simple_handshake(3);
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    conn.on_data(Dir::C2S, &c2s[..1537], origin_at(0, 1), &mut |e| {
        ev.all.push(e)
    });
    conn.on_close(Dir::C2S, &mut |e| ev.all.push(e));
    conn.finish(&mut |e| ev.all.push(e));
    let hs = ev.handshake().unwrap();
    assert!(!hs.complete);
    assert_eq!(hs.s0, None);
    assert!(hs.c1_time.is_some());
    assert!(ev.diagnostic_codes().contains(&"handshake.incomplete"));
}

#[test]
fn gap_inside_the_handshake_then_chunks() {
    let (mut c2s, s2c) = simple_handshake(4);
    let mut w = ChunkWriter::new();
    w.message(0, 3, 0, 20, 0, &[2, 0, 1, b'x'], None);
    c2s.extend(&w.out);
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    let mut sink = |e| ev.all.push(e);
    conn.on_data(Dir::C2S, &c2s[..1537], origin_at(0, 1), &mut sink);
    conn.on_data(Dir::S2C, &s2c, origin_at(0, 2), &mut sink);
    // C2 is lost in part: the handshake checks that need it are left out, chunks still decode.
    conn.on_gap(Dir::C2S, 1537, 1000, 3, Default::default(), &mut sink);
    conn.on_data(Dir::C2S, &c2s[2537..], origin_at(2537, 4), &mut sink);
    conn.finish(&mut sink);
    let hs = ev.handshake().unwrap();
    assert_eq!(hs.missing_bytes, 1000);
    assert_eq!(hs.c2_echoes_s1, None);
    assert_eq!(hs.s2_echoes_c1, Some(true));
    assert_eq!(ev.messages().len(), 1);
    assert!(ev.diagnostic_codes().contains(&"handshake.gap"));
}

#[test]
fn commands_decode_and_pair_with_their_results() {
    use rtmpscope::rtmp::pairing::CommandPairer;
    let c2s = data("rtmp-nginx-ffmpeg-publish-c2s.bin");
    let s2c = data("rtmp-nginx-ffmpeg-publish-s2c.bin");
    // All client bytes first, then the server's: every request precedes its answer.
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    conn.on_data(Dir::C2S, &c2s, origin_at(0, 1), &mut |e| ev.all.push(e));
    conn.on_data(Dir::S2C, &s2c, origin_at(0, 2), &mut |e| ev.all.push(e));
    conn.finish(&mut |e| ev.all.push(e));
    let msgs = ev.messages();
    let connect = msgs[0].command().unwrap();
    assert_eq!(
        (connect.name.as_str(), connect.transaction_id),
        ("connect", 1.0)
    );
    assert_eq!(
        connect.command_object.get("app").and_then(|v| v.as_str()),
        Some("live")
    );
    assert_eq!(
        connect.command_object.get("tcUrl").and_then(|v| v.as_str()),
        Some("rtmp://127.0.0.1:1935/live")
    );
    let mut pairer = CommandPairer::new();
    let pairs: Vec<_> = msgs
        .iter()
        .enumerate()
        .filter_map(|(i, m)| pairer.observe(i as u64, m))
        .map(|p| (p.request, p.response, p.transaction_id))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("connect".to_string(), "_result".to_string(), 1.0),
            ("createStream".to_string(), "_result".to_string(), 4.0),
        ]
    );
    // releaseStream, FCPublish and publish get no _result from nginx.
    let unanswered: Vec<_> = pairer.unanswered().into_iter().map(|u| u.1).collect();
    assert_eq!(unanswered, vec!["releaseStream", "FCPublish", "publish"]);
    let meta = msgs.iter().find(|m| m.type_id == 18).unwrap();
    match &meta.body {
        MessageBody::Data(d) => assert_eq!(d.handler(), Some("@setDataFrame")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_protocols_opening_with_0x03_are_not_taken_for_rtmp() {
    // RDP opens with a TPKT header (03 00 len16): short request, short answer, more requests.
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    let mut request = vec![0x03, 0x00, 0x00, 0x2b];
    request.extend([0xe0; 39]);
    let mut answer = vec![0x03, 0x00, 0x00, 0x13];
    answer.extend([0xd0; 15]);
    conn.on_data(Dir::C2S, &request, origin_at(0, 1), &mut |e| ev.all.push(e));
    conn.on_data(Dir::S2C, &answer, origin_at(0, 2), &mut |e| ev.all.push(e));
    conn.on_data(
        Dir::C2S,
        &[0x03, 0x00, 0x01, 0xa0],
        origin_at(43, 3),
        &mut |e| ev.all.push(e),
    );
    conn.on_data(Dir::C2S, &[0x55; 3000], origin_at(47, 4), &mut |e| {
        ev.all.push(e)
    });
    conn.finish(&mut |e| ev.all.push(e));
    assert!(!conn.is_rtmp());
    assert!(matches!(
        ev.all[0],
        RtmpEvent::NotRtmp {
            first_byte: 3,
            frame: 1,
            ..
        }
    ));
    assert!(ev.messages().is_empty() && ev.handshake().is_none());
    // An answer that does not start with S0 = 3.
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    conn.on_data(Dir::C2S, &request, origin_at(0, 1), &mut |e| ev.all.push(e));
    conn.on_data(Dir::S2C, &[0x16, 3, 1], origin_at(0, 2), &mut |e| {
        ev.all.push(e)
    });
    assert!(matches!(ev.all[0], RtmpEvent::NotRtmp { .. }));
}

#[test]
fn detection_waits_for_c0_c1_and_comes_first() {
    let (c2s, s2c) = simple_handshake(2);
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    conn.on_data(Dir::C2S, &c2s[..700], origin_at(0, 1), &mut |e| {
        ev.all.push(e)
    });
    assert!(ev.all.is_empty(), "not decided on 700 bytes");
    conn.on_data(Dir::C2S, &c2s[700..1537], origin_at(700, 2), &mut |e| {
        ev.all.push(e)
    });
    assert!(matches!(
        ev.all[0],
        RtmpEvent::Detected {
            version: 3,
            roles_swapped: false,
            frame: 1,
            midstream: false,
        }
    ));
    conn.on_data(Dir::S2C, &s2c, origin_at(0, 3), &mut |e| ev.all.push(e));
    conn.on_data(Dir::C2S, &c2s[1537..], origin_at(1537, 4), &mut |e| {
        ev.all.push(e)
    });
    assert!(ev.handshake().unwrap().complete);
    assert!(conn.is_rtmp());
}

#[test]
fn server_answering_before_all_of_c1_arrived_is_still_rtmp() {
    // 1448-byte segments interleaved: C0+C1 part, S0+S1 part, rest of C1 (+C2), rest of S*.
    let (c2s, s2c) = simple_handshake(6);
    let mut conn = RtmpConnection::new(RtmpConfig::default());
    let mut ev = Events::default();
    let mut sink = |e| ev.all.push(e);
    conn.on_data(Dir::C2S, &c2s[..1448], origin_at(0, 1), &mut sink);
    conn.on_data(Dir::S2C, &s2c[..1448], origin_at(0, 2), &mut sink);
    conn.on_data(Dir::C2S, &c2s[1448..2896], origin_at(1448, 3), &mut sink);
    conn.on_data(Dir::S2C, &s2c[1448..], origin_at(1448, 4), &mut sink);
    conn.on_data(Dir::C2S, &c2s[2896..], origin_at(2896, 5), &mut sink);
    conn.finish(&mut sink);
    assert!(conn.is_rtmp());
    assert!(ev.handshake().unwrap().complete);
}
