//! [`ChunkStreamDemuxer`]: one direction's chunk streams, reassembled into whole messages.
//!
//! Bytes arrive in slices of any size; the result does not depend on how the stream is cut.
//! Header bytes that straddle slices wait in a small buffer; payload bytes go straight from the
//! caller's slice into the message bodies, and only as many as the keep policy wants.
//!
//! Decode errors (an impossible header, a chunk stream used before its fmt 0 header) and gaps
//! that do not fall inside a known chunk payload make the demuxer lose sync: unfinished messages
//! are reported damaged, and the [`resync`](super::resync) scanner looks for the next plausible
//! chunk boundary.

mod complete;
mod feed;
mod recovery;
mod start;
mod streams;

use crate::diagnostic::Severity;

use super::queue::ResyncQueue;
use super::{diagnostic, Dir, Origin, RtmpConfig};
use streams::ChunkStreams;

pub use super::stream::{KnownStream, RawMessage};

pub const TYPE_SET_CHUNK_SIZE: u8 = 1;
pub const TYPE_ABORT: u8 = 2;
/// The chunk size every direction starts with.
pub const DEFAULT_CHUNK_SIZE: u32 = 128;
/// Diagnostics of one code reported one by one per direction; the rest are counted.
pub const MAX_REPORTS_PER_CODE: u32 = 20;
/// Holes (gaps) kept in the resynchroniser's buffer; past it the buffer is decided on what it
/// holds. Together with [`RtmpConfig::max_resync_buffer`] this bounds its memory.
pub const MAX_RESYNC_HOLES: usize = 4096;

/// What the demuxer reports.
#[derive(Debug, Clone, PartialEq)]
pub enum DemuxEvent {
    Message(RawMessage),
    Diagnostic(crate::diagnostic::Diagnostic),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At a chunk header (possibly partly in `pending`).
    Header,
    /// Inside a chunk's payload.
    Payload { csid: u32, remaining: u32 },
    /// Sync lost: bytes collect in `resync` until a chunk boundary is found.
    Resync,
}

enum Stop {
    /// Everything consumed.
    Done,
    /// A header starting at this index needs more bytes.
    NeedMore(usize),
    /// Sync lost at this index (diagnostic already reported).
    Lost(usize),
}

/// Demultiplexes one direction of an RTMP connection (after the handshake).
#[derive(Debug)]
pub struct ChunkStreamDemuxer {
    dir: Dir,
    config: RtmpConfig,
    chunk_size: u32,
    streams: ChunkStreams,
    mode: Mode,
    /// Bytes of a header that straddles slices (never more than a header's length).
    pending: Vec<u8>,
    pending_origin: Origin,
    /// Body bytes held in unfinished messages.
    buffered: usize,
    /// Stream position of the next byte to arrive (bytes fed plus gap lengths).
    vpos: u64,
    resync: ResyncQueue,
    /// Stream positions before this are rejected as chunk boundaries.
    scan_from: u64,
    /// The chunk size came from the stream (the protocol default, a Set Chunk Size, or a chain
    /// that needed it); when not, resynchronising tries every common size.
    size_known: bool,
    /// fmt 1 headers may introduce chunk streams never seen with fmt 0 (sync was lost, or the
    /// capture started mid-stream).
    lenient: bool,
    /// Deciding whether the bytes are RTMP at all: only long chains prove a boundary.
    probe: bool,
    /// Headers that prove a boundary while probing.
    probe_chain: u32,
    /// The stream was not synced from its first byte.
    unsynced_start: bool,
    /// The message stream id media goes on, for chunk streams whose fmt 0 header is unknown:
    /// the last non-zero one seen.
    stream_hint: Option<u32>,
    /// Chunk streams whose header state is partly guessed, already reported.
    guessed_reported: u32,
    /// Bytes dropped while looking for a boundary since sync was lost, and where that began.
    skipped: u64,
    /// Gap bytes in what was skipped.
    skipped_gaps: u64,
    lost_at: Option<Origin>,
    /// The next message started is the one the resynchroniser found.
    at_resync_point: bool,
    omitted_extended_reported: bool,
    resyncs: u32,
    /// Diagnostics emitted per code.
    reported: Vec<(String, u32)>,
}

impl ChunkStreamDemuxer {
    pub fn new(dir: Dir, config: RtmpConfig) -> Self {
        ChunkStreamDemuxer {
            dir,
            config,
            chunk_size: DEFAULT_CHUNK_SIZE,
            streams: ChunkStreams::default(),
            mode: Mode::Header,
            pending: Vec::new(),
            pending_origin: Origin::default(),
            buffered: 0,
            vpos: 0,
            resync: ResyncQueue::default(),
            scan_from: 0,
            size_known: true,
            lenient: false,
            probe: false,
            probe_chain: super::resync::PROBE_CHAIN,
            unsynced_start: false,
            stream_hint: None,
            guessed_reported: 0,
            skipped: 0,
            skipped_gaps: 0,
            lost_at: None,
            at_resync_point: false,
            omitted_extended_reported: false,
            resyncs: 0,
            reported: Vec::new(),
        }
    }

    /// A demuxer that starts without sync (a capture that begins mid-stream) at a known chunk
    /// size: the first message is found by the resynchroniser, and fmt 1 headers may introduce
    /// chunk streams (their message stream id and timestamp base are then guessed, and the
    /// messages marked `inferred`).
    pub fn new_unsynced(dir: Dir, config: RtmpConfig, chunk_size: u32) -> Self {
        let mut d = ChunkStreamDemuxer::new(dir, config);
        d.chunk_size = chunk_size;
        d.mode = Mode::Resync;
        d.lenient = true;
        d.unsynced_start = true;
        d
    }

    /// A demuxer for bytes that may or may not be RTMP chunks, from an unknown point of the
    /// stream at an unknown chunk size: it syncs only on a long chain of consistent headers
    /// ([`resync::PROBE_CHAIN`](super::resync::PROBE_CHAIN)) and infers the chunk size.
    /// [`ChunkStreamDemuxer::end_probe`] relaxes that once the connection is known to be RTMP.
    pub fn new_probing(dir: Dir, config: RtmpConfig) -> Self {
        let mut d = ChunkStreamDemuxer::new_unsynced(dir, config, DEFAULT_CHUNK_SIZE);
        d.size_known = false;
        d.probe = true;
        d
    }

    /// Headers in a row that prove a boundary while probing (from
    /// [`resync::PROBE_CHAIN`](super::resync::PROBE_CHAIN) to 12).
    pub fn set_probe_chain(&mut self, headers: u32) {
        self.probe_chain = headers.clamp(super::resync::PROBE_CHAIN, 12);
    }

    /// The connection is known to be RTMP: ordinary chains prove a boundary.
    pub fn end_probe<F: FnMut(DemuxEvent)>(&mut self, sink: &mut F) {
        if self.probe {
            self.probe = false;
            self.drive_resync(false, sink);
        }
    }

    /// Whether a chunk boundary has ever been found (or the stream started synced).
    pub fn has_synced(&self) -> bool {
        !self.unsynced_start || self.resyncs > 0
    }

    /// Whether the chunk size is known rather than assumed.
    pub fn chunk_size_known(&self) -> bool {
        self.size_known
    }

    /// Stream bytes dropped so far while looking for a chunk boundary (not counting gaps).
    pub fn skipped_bytes(&self) -> u64 {
        self.skipped
    }

    /// Captured bytes held while looking for a chunk boundary.
    pub fn resync_buffered_bytes(&self) -> usize {
        self.resync.data_len()
    }

    /// Stream bytes this demuxer holds: unfinished message bodies and the resync buffer.
    pub fn held_bytes(&self) -> usize {
        self.buffered + self.resync.data_len() + self.pending.len()
    }

    /// Frees what it can without losing sync (memory pressure across connections): the resync
    /// buffer is decided on what it holds, unfinished bodies keep only their first
    /// [`RtmpConfig::media_prefix`] bytes (marked truncated).
    pub fn shed<F: FnMut(DemuxEvent)>(&mut self, sink: &mut F) {
        if self.mode == Mode::Resync {
            self.drive_resync(true, sink);
        }
        let keep = self.config.media_prefix;
        let mut freed = 0;
        for state in self.streams.values_mut() {
            if let Some(p) = state.partial.as_mut() {
                freed += p.shed(keep);
            }
        }
        self.buffered = self.buffered.saturating_sub(freed);
    }

    /// The message stream id that media on chunk streams with unknown state is given, when the
    /// other direction knows better (e.g. a fmt 0 header on it with that id).
    pub fn set_stream_hint(&mut self, msid: u32) {
        if msid != 0 && self.stream_hint.is_none() {
            self.stream_hint = Some(msid);
        }
    }

    /// The last non-zero message stream id seen in a fmt 0 header.
    pub fn stream_hint(&self) -> Option<u32> {
        self.stream_hint
    }

    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// Body bytes currently held in unfinished messages.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    /// Chunk streams with header state.
    pub fn chunk_stream_count(&self) -> usize {
        self.streams.len()
    }

    /// How many times sync was found again after being lost.
    pub fn resync_count(&self) -> u32 {
        self.resyncs
    }

    pub fn is_synced(&self) -> bool {
        self.mode != Mode::Resync
    }

    /// The header state of one chunk stream.
    pub fn known_stream(&self, csid: u32) -> Option<KnownStream> {
        self.streams.get(&csid).map(|s| s.known)
    }

    /// Reports a diagnostic; past [`MAX_REPORTS_PER_CODE`] of one code they are only counted
    /// (a snap-length-cut capture has a gap in every packet).
    fn emit_diag<F: FnMut(DemuxEvent)>(
        &mut self,
        severity: Severity,
        code: &str,
        text: String,
        at: Origin,
        sink: &mut F,
    ) {
        let count = match self.reported.iter_mut().find(|(c, _)| c == code) {
            Some((_, n)) => n,
            None => {
                self.reported.push((code.to_string(), 0));
                let Some((_, n)) = self.reported.last_mut() else {
                    return;
                };
                n
            }
        };
        *count += 1;
        if *count <= MAX_REPORTS_PER_CODE {
            sink(DemuxEvent::Diagnostic(diagnostic(
                severity, code, text, at, self.dir,
            )));
        }
    }

    /// Says how many diagnostics of each code were only counted.
    fn report_suppressed<F: FnMut(DemuxEvent)>(&mut self, at: Origin, sink: &mut F) {
        for (code, n) in std::mem::take(&mut self.reported) {
            if n > MAX_REPORTS_PER_CODE {
                sink(DemuxEvent::Diagnostic(diagnostic(
                    Severity::Info,
                    &code,
                    format!(
                        "{} more `{code}` diagnostics in this direction were not reported one by one",
                        n - MAX_REPORTS_PER_CODE
                    ),
                    at,
                    self.dir,
                )));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn nginx_control_burst_then_result_at_the_new_chunk_size() {
        // nginx-rtmp's answer to connect, as it came in one segment: Set Peer Bandwidth
        // (5000000, dynamic), Set Chunk Size 4096, then the 190-byte _result header on csid 3,
        // whose body now fits one chunk.
        let mut bytes = hex(concat!(
            "020000000000050600000000004c4b4002",
            "020000000000040100000000",
            "00001000",
            "030000000000be1400000000"
        ));
        bytes.extend(std::iter::repeat_n(0x05, 190));
        bytes.extend(hex("4200000000000414")); // fmt 1 on csid 2: an Abort-typed header
        let mut d = ChunkStreamDemuxer::new(Dir::S2C, RtmpConfig::default());
        let mut out = Vec::new();
        d.feed(&bytes, Origin::default(), &mut |e| out.push(e));
        let msgs: Vec<_> = out
            .iter()
            .filter_map(|e| match e {
                DemuxEvent::Message(m) => Some((m.csid, m.type_id, m.length, m.chunks)),
                DemuxEvent::Diagnostic(_) => None,
            })
            .collect();
        assert_eq!(msgs, vec![(2, 6, 5, 1), (2, 1, 4, 1), (3, 20, 190, 1)]);
        assert_eq!(d.chunk_size(), 4096);
        // The trailing fmt 1 header (type 0x14 with length 4) waits for its payload.
        assert_eq!(d.known_stream(2).unwrap().type_id, 0x14);
        assert_eq!(d.buffered_bytes(), 0);
    }

    #[test]
    fn header_split_across_feeds_keeps_its_origin() {
        let bytes = hex("030000000000031400000000020001");
        let mut d = ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default());
        let mut out = Vec::new();
        let o1 = Origin::new(7, Default::default(), 100, Some(5000));
        let o2 = Origin::new(9, Default::default(), 105, Some(9000));
        d.feed(&bytes[..5], o1, &mut |e| out.push(e));
        assert!(out.is_empty());
        d.feed(&bytes[5..], o2, &mut |e| out.push(e));
        let DemuxEvent::Message(m) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(
            (m.first.frame, m.first.stream_offset, m.first.file_offset),
            (7, 100, Some(5000))
        );
        assert_eq!(
            (m.last.frame, m.last.stream_offset, m.last.file_offset),
            (9, 114, Some(9009))
        );
        assert_eq!(m.body, vec![2, 0, 1]);
    }
}
