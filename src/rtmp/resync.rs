//! Finding a chunk boundary in bytes whose chunk alignment is unknown (after a gap or a decode
//! error; later also captures that start mid-stream).
//!
//! A position is accepted when a chain of chunk headers parses from it consistently: the first
//! header is a self-describing fmt 0, or a fmt 1 on a chunk stream whose header state is known;
//! every header has a known message type, a length plausible for that type, a small timestamp
//! delta, and each next header sits exactly where the previous chunk's payload ends (chunk size
//! and message lengths decide that). [`CHAIN`] consistent headers prove a boundary; at the end of
//! the available bytes (a gap, the end of the stream, a full buffer) a shorter chain is accepted
//! when its first header agrees with the known state of its chunk stream.

use super::header::{parse_basic_header, parse_chunk_header, ExtendedRule};
use super::message::{header_problem, is_known_type};
use super::stream::KnownStream;
use super::RtmpConfig;

/// Headers in a row that prove a chunk boundary.
pub const CHAIN: u32 = 3;
/// Largest timestamp delta (ms) taken as plausible on fmt 1/2 headers and, against a chunk
/// stream's last timestamp, on fmt 0 headers.
pub const MAX_PLAUSIBLE_DELTA: u32 = 60_000;
/// Largest message stream id taken as plausible (real servers hand out small numbers).
pub const MAX_PLAUSIBLE_MSID: u32 = 0xffff;

/// What the scanner may know about the stream.
pub struct ResyncContext<'a> {
    pub chunk_size: u32,
    /// Header state of a chunk stream, if known.
    pub lookup: &'a dyn Fn(u32) -> Option<KnownStream>,
    pub config: &'a RtmpConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanResult {
    /// A chunk boundary at this index.
    Found(usize),
    /// Positions before this index are rejected; the one at it needs more bytes to decide.
    Undecided(usize),
    /// No position is a boundary.
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Invalid,
    Valid,
    /// The chain ran out of bytes after `headers` consistent headers.
    Incomplete {
        headers: u32,
        strong: bool,
    },
}

/// Scans `buf` from index `from` for the first chunk boundary. With `at_end`, no more bytes will
/// follow, so an incomplete chain is decided on what there is.
pub fn scan(buf: &[u8], from: usize, ctx: &ResyncContext, at_end: bool) -> ScanResult {
    for p in from..buf.len() {
        match check(buf, p, ctx) {
            Candidate::Invalid => {}
            Candidate::Valid => return ScanResult::Found(p),
            Candidate::Incomplete { headers, strong } => {
                if !at_end {
                    return ScanResult::Undecided(p);
                }
                if headers >= 2 || (headers == 1 && strong) {
                    return ScanResult::Found(p);
                }
            }
        }
    }
    ScanResult::NotFound
}

/// A chunk stream as the chain being checked would leave it.
#[derive(Clone, Copy)]
struct Sim {
    csid: u32,
    known: KnownStream,
    /// Bytes still to come of the message in progress.
    remaining: u32,
    /// The extended timestamp values continuation chunks may repeat.
    expect: Option<[u32; 2]>,
}

fn within(a: u32, b: u32, limit: u32) -> bool {
    a.wrapping_sub(b).min(b.wrapping_sub(a)) <= limit
}

fn check(buf: &[u8], start: usize, ctx: &ResyncContext) -> Candidate {
    let mut sims: Vec<Sim> = Vec::new();
    let mut pos = start;
    let mut headers = 0;
    let mut strong = false;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let incomplete = Candidate::Incomplete { headers, strong };
        let Some(basic) = parse_basic_header(rest) else {
            return incomplete;
        };
        if headers == 0 && basic.fmt > 1 {
            return Candidate::Invalid;
        }
        let sim_index = sims.iter().position(|s| s.csid == basic.csid);
        let prior = match sim_index.and_then(|i| sims.get(i)) {
            Some(s) => Some(*s),
            None => (ctx.lookup)(basic.csid).map(|known| Sim {
                csid: basic.csid,
                known,
                remaining: 0,
                expect: None,
            }),
        };
        let rule = match (basic.fmt, prior) {
            (3, Some(s)) if s.remaining > 0 => {
                s.expect.map_or(ExtendedRule::Absent, ExtendedRule::Expect)
            }
            (3, Some(s)) => s.known.extended.map_or(ExtendedRule::Absent, |ext| {
                ExtendedRule::Expect([ext, s.known.timestamp.wrapping_add(s.known.delta)])
            }),
            _ => ExtendedRule::Absent,
        };
        let Some(h) = parse_chunk_header(rest, basic, rule) else {
            return incomplete;
        };
        if basic.fmt != 0 && prior.is_none() {
            return Candidate::Invalid;
        }
        if basic.fmt != 3 && prior.is_some_and(|s| s.remaining > 0) {
            return Candidate::Invalid;
        }
        let value = h.timestamp_value().unwrap_or(0);
        let mut sim = prior.unwrap_or(Sim {
            csid: basic.csid,
            known: KnownStream {
                timestamp: value,
                delta: value,
                length: 0,
                type_id: 0,
                msid: 0,
                extended: None,
            },
            remaining: 0,
            expect: None,
        });
        let payload;
        if basic.fmt == 3 && sim.remaining > 0 {
            payload = sim.remaining.min(ctx.chunk_size);
            sim.remaining -= payload;
        } else {
            let k = &mut sim.known;
            let type_id = h.type_id.unwrap_or(k.type_id);
            let length = h.length.unwrap_or(k.length);
            if !is_known_type(type_id) || header_problem(type_id, length, ctx.config).is_some() {
                return Candidate::Invalid;
            }
            match basic.fmt {
                0 => {
                    let msid = h.msid.unwrap_or(0);
                    if msid > MAX_PLAUSIBLE_MSID || (type_id <= 6 && msid != 0) {
                        return Candidate::Invalid;
                    }
                    if let Some(p) = prior {
                        if !within(value, p.known.timestamp, MAX_PLAUSIBLE_DELTA) {
                            return Candidate::Invalid;
                        }
                        if headers == 0 {
                            strong = p.known.type_id == type_id && p.known.msid == msid;
                        }
                    }
                    k.timestamp = value;
                    k.delta = value;
                    k.msid = msid;
                }
                1 | 2 => {
                    if value > MAX_PLAUSIBLE_DELTA {
                        return Candidate::Invalid;
                    }
                    if headers == 0 {
                        strong = k.type_id == type_id;
                    }
                    k.delta = value;
                    k.timestamp = k.timestamp.wrapping_add(value);
                }
                _ => k.timestamp = k.timestamp.wrapping_add(k.delta),
            }
            if basic.fmt <= 2 {
                k.extended = h.extended;
            }
            k.type_id = type_id;
            k.length = length;
            sim.expect = k.extended.map(|ext| [ext, k.timestamp]);
            payload = length.min(ctx.chunk_size);
            sim.remaining = length - payload;
        }
        match sim_index.and_then(|i| sims.get_mut(i)) {
            Some(slot) => *slot = sim,
            None => sims.push(sim),
        }
        headers += 1;
        if headers >= CHAIN {
            return Candidate::Valid;
        }
        pos = pos.saturating_add(h.len).saturating_add(payload as usize);
        if pos >= buf.len() {
            return Candidate::Incomplete { headers, strong };
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rtmp::header::encode_chunk_header;

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
            lookup,
            config,
        }
    }

    /// fmt 1 audio messages of `len` bytes on csid 4, chunked at 128.
    fn audio_run(n: usize, len: u32) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..n {
            encode_chunk_header(1, 4, 23, len, 8, 0, None, &mut v);
            let mut left = len;
            let mut first = true;
            while left > 0 {
                if !first {
                    v.push(0xc4);
                }
                let n = left.min(128);
                v.extend(std::iter::repeat_n(0xaa, n as usize));
                left -= n;
                first = false;
            }
        }
        v
    }

    #[test]
    fn finds_boundary_after_garbage() {
        let config = RtmpConfig::default();
        let lookup = |csid: u32| (csid == 4).then(audio_known);
        let ctx = ctx_with(&lookup, &config);
        let mut buf = vec![0x11, 0x22, 0xaa, 0xaa, 0x33];
        let garbage = buf.len();
        buf.extend(audio_run(3, 300));
        assert_eq!(scan(&buf, 0, &ctx, false), ScanResult::Found(garbage));
    }

    #[test]
    fn needs_more_bytes_or_decides_at_end() {
        let config = RtmpConfig::default();
        let lookup = |csid: u32| (csid == 4).then(audio_known);
        let ctx = ctx_with(&lookup, &config);
        let mut buf = vec![0x99, 0x98];
        buf.extend(audio_run(1, 300));
        buf.truncate(2 + 8 + 100);
        assert_eq!(scan(&buf, 0, &ctx, false), ScanResult::Undecided(2));
        // Only one header fits, but it agrees with chunk stream 4's known type.
        assert_eq!(scan(&buf, 0, &ctx, true), ScanResult::Found(2));
    }

    #[test]
    fn rejects_unknown_streams_and_bad_types() {
        let config = RtmpConfig::default();
        let lookup = |_: u32| None;
        let ctx = ctx_with(&lookup, &config);
        // fmt 1 on an unknown chunk stream cannot start a chain.
        assert_eq!(
            scan(&audio_run(3, 300), 0, &ctx, true),
            ScanResult::NotFound
        );
        // fmt 0 with type 0 is impossible.
        let mut v = Vec::new();
        encode_chunk_header(0, 3, 0, 10, 0, 0, None, &mut v);
        v.extend([0; 10]);
        assert_eq!(scan(&v, 0, &ctx, true), ScanResult::NotFound);
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
        assert_eq!(scan(&v, 0, &ctx, false), ScanResult::Found(2));
    }
}
