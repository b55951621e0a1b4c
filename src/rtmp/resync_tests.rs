#![allow(clippy::unwrap_used)]

use super::*;
use crate::rtmp::header::encode_chunk_header;
use crate::rtmp::Origin;

fn audio_known() -> KnownStream {
    KnownStream {
        timestamp: 1000,
        delta: 23,
        length: 300,
        type_id: 8,
        msid: 1,
        extended: None,
    }
}

fn ctx_with<'a>(
    lookup: &'a dyn Fn(u32) -> Option<KnownStream>,
    config: &'a RtmpConfig,
) -> ResyncContext<'a> {
    ResyncContext {
        chunk_size: 128,
        size_known: true,
        lookup,
        config,
        unknown_streams: false,
        chain: CHAIN,
        probe: false,
    }
}

fn queue(bytes: &[u8]) -> ResyncQueue {
    let mut q = ResyncQueue::default();
    q.push(bytes, Origin::default(), 0);
    q
}

fn found(at: u64, chunk_size: u32) -> ScanResult {
    ScanResult::Found {
        at,
        chunk_size,
        size_proven: false,
    }
}

/// fmt 1 messages of `len` bytes of `type_id` on `csid`, chunked at `chunk`.
fn fmt1_run(n: usize, csid: u32, type_id: u8, len: u32, chunk: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..n {
        encode_chunk_header(1, csid, 23, len, type_id, 0, None, &mut v);
        let mut left = len;
        let mut first = true;
        while left > 0 {
            if !first {
                v.push(0xc0 | csid as u8);
            }
            let n = left.min(chunk);
            v.extend(std::iter::repeat_n(0xaa, n as usize));
            left -= n;
            first = false;
        }
    }
    v
}

fn audio_run(n: usize, len: u32) -> Vec<u8> {
    fmt1_run(n, 4, 8, len, 128)
}

#[test]
fn finds_boundary_after_garbage() {
    let config = RtmpConfig::default();
    let lookup = |csid: u32| (csid == 4).then(audio_known);
    let ctx = ctx_with(&lookup, &config);
    let mut buf = vec![0x11, 0x22, 0xaa, 0xaa, 0x33];
    buf.extend(audio_run(3, 300));
    assert_eq!(
        scan(&queue(&buf), 0, &ctx, false),
        ScanResult::Found {
            at: 5,
            chunk_size: 128,
            size_proven: true
        }
    );
}

#[test]
fn needs_more_bytes_or_decides_at_end() {
    let config = RtmpConfig::default();
    let lookup = |csid: u32| (csid == 4).then(audio_known);
    let ctx = ctx_with(&lookup, &config);
    let mut buf = vec![0x99, 0x98];
    buf.extend(audio_run(1, 300));
    buf.truncate(2 + 8 + 100);
    let q = queue(&buf);
    assert_eq!(scan(&q, 0, &ctx, false), ScanResult::Undecided(2));
    // Only one header fits, but it agrees with chunk stream 4's known type.
    assert_eq!(scan(&q, 0, &ctx, true), found(2, 128));
}

#[test]
fn rejects_unknown_streams_and_bad_types() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let ctx = ctx_with(&lookup, &config);
    // fmt 1 on an unknown chunk stream cannot start a chain unless allowed.
    assert_eq!(
        scan(&queue(&audio_run(3, 300)), 0, &ctx, true),
        ScanResult::NotFound
    );
    // fmt 0 with type 0 is impossible.
    let mut v = Vec::new();
    encode_chunk_header(0, 3, 0, 10, 0, 0, None, &mut v);
    v.extend([0; 10]);
    assert_eq!(scan(&queue(&v), 0, &ctx, true), ScanResult::NotFound);
    // A command whose body is no AMF0 string is no command.
    let mut v = Vec::new();
    for _ in 0..4 {
        encode_chunk_header(0, 3, 0, 5, 20, 0, None, &mut v);
        v.extend([0x05, 0, 0, 0, 0]);
    }
    assert_eq!(scan(&queue(&v), 0, &ctx, true), ScanResult::NotFound);
    // Control messages have exact sizes.
    let mut v = Vec::new();
    for _ in 0..4 {
        encode_chunk_header(0, 2, 0, 6, 5, 0, None, &mut v);
        v.extend([0, 0, 0x10, 0, 0, 0]);
    }
    assert_eq!(scan(&queue(&v), 0, &ctx, true), ScanResult::NotFound);
}

#[test]
fn fmt1_on_unknown_streams_needs_a_longer_chain() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let mut ctx = ctx_with(&lookup, &config);
    ctx.unknown_streams = true;
    let mut v = vec![0x31];
    v.extend(audio_run(3, 300));
    // Three headers (with continuations) make a chain of 7; an unknown start needs CHAIN + 1.
    assert!(matches!(
        scan(&queue(&v), 0, &ctx, false),
        ScanResult::Found { at: 1, .. }
    ));
    // Two messages of one chunk each: not enough at the end.
    let v = fmt1_run(2, 4, 8, 100, 128);
    assert_eq!(scan(&queue(&v), 0, &ctx, true), ScanResult::NotFound);
    let v = fmt1_run(3, 4, 8, 100, 128);
    assert_eq!(scan(&queue(&v), 0, &ctx, true), found(0, 128));
}

#[test]
fn fmt0_chain_on_fresh_streams() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let ctx = ctx_with(&lookup, &config);
    let mut v = vec![0xde, 0xad];
    for ts in [0u32, 40, 80] {
        encode_chunk_header(0, 6, ts, 5, 9, 1, None, &mut v);
        v.extend([0x27, 1, 0, 0, 0]);
    }
    assert_eq!(scan(&queue(&v), 0, &ctx, false), found(2, 128));
}

#[test]
fn one_fmt0_message_that_ends_with_the_stream() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let ctx = ctx_with(&lookup, &config);
    let mut v = vec![0x01];
    encode_chunk_header(0, 5, 0, 8, 20, 1, None, &mut v);
    v.extend([2, 0, 5, b'h', b'e', b'l', b'l', b'o']);
    let q = queue(&v);
    assert_eq!(scan(&q, 0, &ctx, false), ScanResult::Undecided(1));
    assert_eq!(scan(&q, 0, &ctx, true), found(1, 128));
    // One byte short of its end: nothing proves it.
    let q = queue(&v[..v.len() - 1]);
    assert_eq!(scan(&q, 0, &ctx, true), ScanResult::NotFound);
}

#[test]
fn chains_cross_holes_of_known_length() {
    // Segment heads of 20 bytes, the rest of each 300-byte audio message lost (snap length).
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let mut ctx = ctx_with(&lookup, &config);
    ctx.unknown_streams = true;
    ctx.chunk_size = 4096;
    let bytes = fmt1_run(6, 4, 8, 300, 4096);
    let mut q = ResyncQueue::default();
    for (i, seg) in bytes.chunks(308).enumerate() {
        let at = (i * 308) as u64;
        q.push(&seg[..20], Origin::default(), at);
        q.push_hole(Origin::default(), at + 20, 288);
    }
    assert_eq!(q.hole_count(), 6);
    assert_eq!(scan(&q, 0, &ctx, false), found(0, 4096));
    // A chain whose next header falls into a hole stops there and is decided on what it has:
    // three headers prove an unknown start, two do not.
    let heads = |n: usize| {
        let mut q = ResyncQueue::default();
        for i in 0..n {
            let at = i * 308;
            q.push(&bytes[at..at + 20], Origin::default(), at as u64);
        }
        q.push_hole(Origin::default(), (308 * n - 288) as u64, 300);
        q
    };
    assert_eq!(scan(&heads(3), 0, &ctx, false), found(0, 4096));
    assert_eq!(scan(&heads(2), 0, &ctx, false), ScanResult::NotFound);
    // With chunk stream 4 known as audio, one header that agrees with it is enough.
    let lookup = |csid: u32| (csid == 4).then(audio_known);
    ctx.lookup = &lookup;
    assert_eq!(scan(&heads(1), 0, &ctx, false), found(0, 4096));
}

#[test]
fn infers_the_chunk_size() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let mut ctx = ctx_with(&lookup, &config);
    ctx.unknown_streams = true;
    ctx.size_known = false;
    ctx.chain = PROBE_CHAIN;
    ctx.probe = true;
    for size in [4096u32, 60000, 1400] {
        let mut v = Vec::new();
        for i in 0..4 {
            v.extend(fmt1_run(1, 4, 8, 300 + i, size));
            v.extend(fmt1_run(1, 6, 9, 5000 + 1000 * i, size));
        }
        let q = queue(&v[7..]);
        // The first header is 7 bytes in: scanning must find the audio header at 300 + 8.
        let r = scan(&q, 0, &ctx, false);
        assert!(
            matches!(r, ScanResult::Found { chunk_size, .. } if chunk_size == size),
            "{size}: {r:?}"
        );
    }
}

#[test]
fn set_chunk_size_in_the_chain_applies_after_it() {
    let config = RtmpConfig::default();
    let lookup = |_: u32| None;
    let ctx = ctx_with(&lookup, &config);
    let mut v = Vec::new();
    encode_chunk_header(0, 2, 0, 4, 1, 0, None, &mut v);
    v.extend(5000u32.to_be_bytes());
    encode_chunk_header(0, 6, 0, 4500, 9, 1, None, &mut v);
    v.extend(std::iter::repeat_n(0x27, 4500));
    encode_chunk_header(1, 6, 33, 10, 9, 0, None, &mut v);
    v.extend(std::iter::repeat_n(0x27, 10));
    assert_eq!(
        scan(&queue(&v), 0, &ctx, false),
        ScanResult::Found {
            at: 0,
            chunk_size: 128,
            size_proven: true
        }
    );
}
