//! Finding a chunk boundary in bytes whose chunk alignment is unknown: after a gap or a decode
//! error, and in captures that start mid-stream (no handshake, no Set Chunk Size, no fmt 0
//! headers).
//!
//! A position is accepted when a chain of chunk headers parses from it consistently: the first
//! header is a self-describing fmt 0, or a fmt 1 (on a chunk stream whose state is known, or, when
//! the caller allows it, on one never seen: type and length are in the header, the message
//! stream id and the timestamp base are then guessed); every header has a known message type, a
//! length plausible for that type (control messages exactly their size), a small timestamp
//! delta, a body that starts the way its type's bodies start (AMF0 commands with a string...),
//! and each next header sits exactly where the previous chunk's payload ends (chunk size and
//! message lengths decide that). Holes (TCP gaps of known length) do not break a chain: a header
//! after a hole is still found at its position, which is what recovers snap-length-cut captures.
//!
//! [`CHAIN`] consistent headers prove a boundary. Where the chain cannot go on (the end of the
//! available bytes when no more will come, or a header that falls into a hole) a shorter chain is
//! accepted: two headers, or one that agrees with the known state of its chunk stream (or, at the
//! very end, a fmt 0 message that ends exactly where the bytes end).
//!
//! The chunk size is tried as known first; when it is unknown (mid-stream start) or a Set Chunk
//! Size may have been lost, the sizes real servers and clients use ([`CHUNK_SIZES`]) are tried
//! too, with longer chains required. A Set Chunk Size inside the chain applies to the headers
//! after it.

use super::header::{parse_basic_header, parse_chunk_header, ExtendedRule};
use super::message::{header_problem, is_known_type};
use super::queue::{Lookup, ResyncQueue};
use super::stream::KnownStream;
use super::RtmpConfig;

/// Headers in a row that prove a chunk boundary at the known chunk size.
pub const CHAIN: u32 = 3;
/// Headers in a row that prove a boundary at a chunk size other than the known one.
pub const CHAIN_OTHER_SIZE: u32 = 6;
/// Headers in a row that prove a connection whose start is not in the capture is RTMP.
pub const PROBE_CHAIN: u32 = 6;
/// Largest timestamp delta (ms) taken as plausible on fmt 1/2 headers and, against a chunk
/// stream's last timestamp, on fmt 0 headers.
pub const MAX_PLAUSIBLE_DELTA: u32 = 60_000;
/// Largest message stream id taken as plausible (real servers hand out small numbers).
pub const MAX_PLAUSIBLE_MSID: u32 = 0xffff;
/// Chunk sizes real implementations use (nginx-rtmp, ffmpeg, FMS/AMS and Wowza 4096; SRS and
/// node-media-server 60000/65535/65536; librtmp's default 128; others seen in the wild), tried
/// when the chunk size is unknown.
pub const CHUNK_SIZES: [u32; 14] = [
    128, 4096, 60000, 65536, 65535, 1024, 8192, 256, 512, 2048, 16384, 32768, 1400, 1460,
];

/// What the scanner may know about the stream.
pub struct ResyncContext<'a> {
    /// The chunk size in force, if known.
    pub chunk_size: u32,
    /// `chunk_size` came from the stream (default, Set Chunk Size, or a proven chain); when not,
    /// every size in [`CHUNK_SIZES`] is as likely.
    pub size_known: bool,
    /// Header state of a chunk stream, if known.
    pub lookup: &'a dyn Fn(u32) -> Option<KnownStream>,
    pub config: &'a RtmpConfig,
    /// A fmt 1 header may introduce a chunk stream never seen (its fmt 0 was lost or is before
    /// the capture).
    pub unknown_streams: bool,
    /// Headers that prove a boundary; with it set to [`PROBE_CHAIN`] or more, nothing shorter is
    /// accepted (the caller is deciding whether the bytes are RTMP at all).
    pub chain: u32,
    pub probe: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanResult {
    /// A chunk boundary at this stream position, with the chunk size that chains from it;
    /// `size_proven` when the chain showed that size (a continuation chunk or a Set Chunk Size).
    Found {
        at: u64,
        chunk_size: u32,
        size_proven: bool,
    },
    /// Positions before this one are rejected; the one at it needs more bytes to decide.
    Undecided(u64),
    /// No position is a boundary.
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Enough consistent headers.
    Valid,
    /// The chain ran past the bytes that have arrived; `exact` when the last message ended
    /// exactly at their end.
    Open {
        exact: bool,
    },
    /// The next header falls into a hole: the chain can never go on.
    Blocked,
    Invalid,
}

#[derive(Debug, Clone, Copy)]
struct Outcome {
    end: End,
    headers: u32,
    /// The first header agrees with its chunk stream's known state.
    strong: bool,
    /// The first header introduced a chunk stream never seen with a fmt 1 header.
    unknown_start: bool,
    size_proven: bool,
    /// The longest message the chain met.
    longest: u32,
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

/// Scans `queue` from stream position `from` for the first chunk boundary. With `at_end`, no
/// more bytes will follow, so an open chain is decided on what there is.
pub(crate) fn scan(
    queue: &ResyncQueue,
    from: u64,
    ctx: &ResyncContext,
    at_end: bool,
) -> ScanResult {
    let mut sizes: Vec<(u32, u32)> = vec![(ctx.chunk_size, ctx.chain)];
    let other_chain = if ctx.size_known {
        ctx.chain.max(CHAIN_OTHER_SIZE)
    } else {
        ctx.chain
    };
    sizes.extend(
        CHUNK_SIZES
            .iter()
            .filter(|&&s| s != ctx.chunk_size)
            .map(|&s| (s, other_chain)),
    );
    for run in queue.runs() {
        let first = from.max(run.vpos);
        for vpos in first..run.vpos + run.len as u64 {
            if let Some(result) = decide(queue, vpos, ctx, &sizes, at_end) {
                return result;
            }
        }
    }
    ScanResult::NotFound
}

/// The verdict on one position, `None` when it is not a boundary.
fn decide(
    queue: &ResyncQueue,
    at: u64,
    ctx: &ResyncContext,
    sizes: &[(u32, u32)],
    at_end: bool,
) -> Option<ScanResult> {
    let smallest = sizes.iter().map(|&(s, _)| s).min().unwrap_or(1);
    let mut weak: Option<(u32, bool)> = None;
    for (i, &(size, need)) in sizes.iter().enumerate() {
        let o = walk(queue, at, ctx, size, need);
        let exact = match o.end {
            End::Valid => {
                return Some(ScanResult::Found {
                    at,
                    chunk_size: size,
                    size_proven: o.size_proven,
                })
            }
            End::Invalid => None,
            // A size tried before the others must be decided first: taking a later size's
            // chain while this one waits for bytes would make the verdict depend on where the
            // stream was cut.
            End::Open { .. } if !at_end => return Some(ScanResult::Undecided(at)),
            End::Open { exact } => Some(exact),
            End::Blocked => Some(false),
        };
        if let Some(exact) = exact {
            if weak.is_none() && weak_ok(&o, ctx, exact) {
                weak = Some((size, o.size_proven));
            }
        }
        // The size only matters once a message is longer than it: a chain that met no message
        // longer than the smallest size reads the same at every size.
        if i == 0 && o.longest <= smallest {
            break;
        }
    }
    weak.map(|(chunk_size, size_proven)| ScanResult::Found {
        at,
        chunk_size,
        size_proven,
    })
}

fn weak_ok(o: &Outcome, ctx: &ResyncContext, exact: bool) -> bool {
    if ctx.probe {
        return false;
    }
    let need = if o.unknown_start { 3 } else { 2 };
    o.headers >= need || (o.headers >= 1 && (o.strong || (exact && !o.unknown_start)))
}

/// Body bytes that can start a message of this type (checked when they were captured).
pub(crate) fn body_plausible(type_id: u8, length: u32, body: &[u8]) -> bool {
    let Some(&first) = body.first() else {
        return true;
    };
    match type_id {
        // Set Chunk Size: 1..=2^31-1. Abort: a chunk stream id.
        1 | 2 => match body.get(..4) {
            Some(&[a, b, c, d]) => {
                let v = u32::from_be_bytes([a, b, c, d]);
                v != 0 && v & 0x8000_0000 == 0 && (type_id == 1 || v <= 65599)
            }
            _ => first & 0x80 == 0,
        },
        // User Control: event types are small numbers.
        4 => first == 0,
        // AMF0 command/data: the name is an AMF0 string.
        18 | 20 => length == 0 || first == 0x02,
        // AMF3 command/data: a format byte (0) or straight AMF0.
        15 | 17 => length == 0 || matches!(first, 0x00 | 0x02 | 0x11),
        _ => true,
    }
}

/// Body bytes [`body_plausible`] looks at for a message of this type and length.
fn body_needed(type_id: u8, length: u32) -> usize {
    let n = match type_id {
        1 | 2 => 4,
        4 | 15 | 17 | 18 | 20 => 1,
        _ => 0,
    };
    n.min(length as usize)
}

/// Exact body sizes of protocol control messages; plausible ranges of the others.
pub(crate) fn length_plausible(type_id: u8, length: u32, config: &RtmpConfig) -> bool {
    if !is_known_type(type_id) || header_problem(type_id, length, config).is_some() {
        return false;
    }
    match type_id {
        1..=3 | 5 => length == 4,
        6 => length == 5,
        4 => (2..=64).contains(&length),
        _ => true,
    }
}

/// Chunk streams a chain can touch (one per header at most).
const MAX_SIMS: usize = 16;

fn walk(queue: &ResyncQueue, start: u64, ctx: &ResyncContext, size: u32, need: u32) -> Outcome {
    // Chains are short: a fixed array, no allocation per candidate position.
    let mut sims: [Option<Sim>; MAX_SIMS] = [None; MAX_SIMS];
    let mut n_sims = 0;
    let mut pos = start;
    let mut chunk_size = size.max(1);
    let mut o = Outcome {
        end: End::Invalid,
        headers: 0,
        strong: false,
        unknown_start: false,
        size_proven: false,
        longest: 0,
    };
    let stop = |mut o: Outcome, end: End| {
        o.end = end;
        o
    };
    loop {
        let (rest, hole_follows) = match queue.lookup(pos) {
            Lookup::Bytes {
                bytes,
                hole_follows,
            } => (bytes, hole_follows),
            Lookup::Hole => return stop(o, End::Blocked),
            Lookup::End => {
                let exact = pos == queue.end() && queue.trailing_hole().is_none();
                return stop(o, End::Open { exact });
            }
        };
        let short = if hole_follows {
            End::Blocked
        } else {
            End::Open { exact: false }
        };
        let Some(basic) = parse_basic_header(rest) else {
            return stop(o, short);
        };
        if o.headers == 0 && basic.fmt > 1 {
            return stop(o, End::Invalid);
        }
        let sim_index = sims
            .iter()
            .take(n_sims)
            .position(|s| s.is_some_and(|s| s.csid == basic.csid));
        let prior = match sim_index.and_then(|i| sims.get(i).copied().flatten()) {
            Some(s) => Some(s),
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
            return stop(o, short);
        };
        let unknown = prior.is_none();
        if unknown && !(basic.fmt == 0 || (basic.fmt == 1 && ctx.unknown_streams)) {
            return stop(o, End::Invalid);
        }
        if basic.fmt != 3 && prior.is_some_and(|s| s.remaining > 0) {
            return stop(o, End::Invalid);
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
        let body = rest.get(h.len..).unwrap_or_default();
        let payload;
        if basic.fmt == 3 && sim.remaining > 0 {
            payload = sim.remaining.min(chunk_size);
            sim.remaining -= payload;
            o.size_proven = true;
        } else {
            let k = &mut sim.known;
            let type_id = h.type_id.unwrap_or(k.type_id);
            let length = h.length.unwrap_or(k.length);
            if !length_plausible(type_id, length, ctx.config)
                || (unknown && basic.csid == 2 && type_id > 6)
            {
                return stop(o, End::Invalid);
            }
            // The body's first bytes decide too: wait for them (the verdict must not depend on
            // where the bytes were cut), unless a gap took them.
            if body.len() < body_needed(type_id, length) && !hole_follows {
                return stop(o, End::Open { exact: false });
            }
            if !body_plausible(type_id, length, body) {
                return stop(o, End::Invalid);
            }
            match basic.fmt {
                0 => {
                    let msid = h.msid.unwrap_or(0);
                    if msid > MAX_PLAUSIBLE_MSID || (type_id <= 6 && msid != 0) {
                        return stop(o, End::Invalid);
                    }
                    if let Some(p) = prior {
                        if !within(value, p.known.timestamp, MAX_PLAUSIBLE_DELTA) {
                            return stop(o, End::Invalid);
                        }
                        if o.headers == 0 {
                            o.strong = p.known.type_id == type_id && p.known.msid == msid;
                        }
                    }
                    k.timestamp = value;
                    k.delta = value;
                    k.msid = msid;
                }
                1 | 2 => {
                    if value > MAX_PLAUSIBLE_DELTA {
                        return stop(o, End::Invalid);
                    }
                    if o.headers == 0 {
                        o.strong = !unknown && k.type_id == type_id;
                        o.unknown_start = unknown;
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
            o.longest = o.longest.max(length);
            payload = length.min(chunk_size);
            sim.remaining = length - payload;
            // A Set Chunk Size read whole changes the size for the headers after it.
            if type_id == 1 && length == 4 {
                if let Some(&[a, b, c, d]) = body.get(..4) {
                    chunk_size = (u32::from_be_bytes([a, b, c, d]) & 0x7fff_ffff).max(1);
                    o.size_proven = true;
                }
            }
        }
        let slot = sim_index.unwrap_or(n_sims);
        match sims.get_mut(slot) {
            Some(s) => *s = Some(sim),
            None => return stop(o, End::Invalid),
        }
        n_sims = n_sims.max(slot + 1);
        o.headers += 1;
        if o.headers >= need + u32::from(o.unknown_start) {
            return stop(o, End::Valid);
        }
        pos = pos
            .saturating_add(h.len as u64)
            .saturating_add(u64::from(payload));
    }
}

#[cfg(test)]
#[path = "resync_tests.rs"]
mod tests;
