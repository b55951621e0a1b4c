//! Losing and finding chunk sync: gaps, decode errors, the end of the stream.

use crate::diagnostic::Severity;

use super::super::message::type_name;
use super::super::queue::ResyncQueue;
use super::super::resync::{self, ResyncContext, ScanResult, CHAIN};
use super::super::Origin;
use super::{ChunkStreamDemuxer, DemuxEvent, Mode, MAX_RESYNC_HOLES};

impl ChunkStreamDemuxer {
    /// `len` bytes of the stream starting at `at.stream_offset` are missing.
    pub fn gap<F: FnMut(DemuxEvent)>(&mut self, at: Origin, len: u64, sink: &mut F) {
        if len == 0 {
            return;
        }
        let vpos = self.vpos;
        self.vpos = vpos.saturating_add(len);
        self.gap_at(at, vpos, len, sink);
        if self.mode == Mode::Resync {
            self.drive_resync(false, sink);
        }
    }

    /// A gap of `len` bytes at stream position `vpos`.
    fn gap_at<F: FnMut(DemuxEvent)>(&mut self, at: Origin, vpos: u64, len: u64, sink: &mut F) {
        match self.mode {
            Mode::Resync => {
                // Kept as a hole: a chain of headers can be followed across it. It is reported
                // when the bytes around it are decoded, or counted with the skipped ones.
                if self.resync.is_empty() {
                    self.skipped_gaps += len;
                } else {
                    self.resync.push_hole(at, vpos, len);
                }
            }
            Mode::Payload { csid, remaining }
                if self.pending.is_empty() && len <= u64::from(remaining) =>
            {
                let remaining = remaining - len as u32;
                let what = match self.streams.get_mut(&csid).and_then(|s| s.partial.as_mut()) {
                    Some(p) => {
                        p.lose(len as u32);
                        format!(
                            "{} message on chunk stream {csid} ({} bytes)",
                            type_name(p.msg.type_id),
                            p.msg.length
                        )
                    }
                    None => format!("message on chunk stream {csid}"),
                };
                self.emit_diag(
                    Severity::Warning,
                    "rtmp.gap",
                    format!(
                        "{len} bytes missing from the TCP stream inside the payload of a {what}; \
                         the message is damaged, the chunk stream stays in sync"
                    ),
                    at,
                    sink,
                );
                if remaining == 0 {
                    self.mode = Mode::Header;
                    self.end_chunk(csid, at, sink);
                } else {
                    self.mode = Mode::Payload { csid, remaining };
                }
            }
            Mode::Payload { csid, remaining } => {
                if let Some(p) = self.streams.get_mut(&csid).and_then(|s| s.partial.as_mut()) {
                    p.lose(remaining);
                }
                self.lose_sync(
                    at,
                    "rtmp.gap",
                    format!(
                        "{len} bytes missing from the TCP stream, past the end of the current \
                         chunk: chunk sync lost"
                    ),
                    sink,
                );
            }
            Mode::Header => {
                let text = if self.pending.is_empty() {
                    format!("{len} bytes missing from the TCP stream at a chunk header: chunk sync lost")
                } else {
                    format!(
                        "{len} bytes missing from the TCP stream inside a chunk header: chunk sync lost"
                    )
                };
                self.pending.clear();
                self.lose_sync(at, "rtmp.gap", text, sink);
            }
        }
    }

    /// The stream ended: pending bytes are resolved and unfinished messages reported.
    pub fn finish<F: FnMut(DemuxEvent)>(&mut self, end: Origin, sink: &mut F) {
        if self.mode == Mode::Resync {
            self.drive_resync(true, sink);
            if self.mode == Mode::Resync {
                let n = self.resync.end();
                self.drop_resync_to(n);
                self.skipped_gaps = 0;
                if self.skipped > 0 {
                    let at = self.lost_at.unwrap_or(end);
                    let skipped = self.skipped;
                    let text = if self.has_synced() {
                        format!("{skipped} bytes at the end could not be decoded as chunks")
                    } else {
                        format!("no chunk boundary found in {skipped} bytes")
                    };
                    self.emit_diag(Severity::Warning, "chunk.undecodable", text, at, sink);
                    self.skipped = 0;
                }
            }
        }
        if !self.pending.is_empty() {
            let n = self.pending.len();
            let at = self.pending_origin;
            self.pending.clear();
            self.emit_diag(
                Severity::Warning,
                "chunk.truncated",
                format!("the stream ends inside a chunk header ({n} bytes of it)"),
                at,
                sink,
            );
        }
        self.flush_partials(end, "the stream ends before the message is complete", sink);
        self.mode = Mode::Header;
        self.report_suppressed(end, sink);
    }

    pub(super) fn flush_stream<F: FnMut(DemuxEvent)>(
        &mut self,
        csid: u32,
        at: Origin,
        sink: &mut F,
    ) {
        let Some(mut p) = self.streams.get_mut(&csid).and_then(|s| s.partial.take()) else {
            return;
        };
        self.buffered = self.buffered.saturating_sub(p.msg.body.len());
        p.msg.missing += u64::from(p.remaining());
        let _ = at;
        sink(DemuxEvent::Message(p.msg));
    }

    /// Reports every unfinished message as damaged.
    pub(super) fn flush_partials<F: FnMut(DemuxEvent)>(
        &mut self,
        at: Origin,
        why: &str,
        sink: &mut F,
    ) {
        let open: Vec<u32> = self
            .streams
            .iter()
            .filter(|(_, s)| s.partial.is_some())
            .map(|(csid, _)| csid)
            .collect();
        for csid in open {
            if let Some(p) = self.streams.get(&csid).and_then(|s| s.partial.as_ref()) {
                let text = format!(
                    "{} message on chunk stream {csid} is incomplete ({} of {} bytes): {why}",
                    type_name(p.msg.type_id),
                    p.received,
                    p.msg.length
                );
                let first = p.msg.first;
                self.emit_diag(Severity::Warning, "chunk.incomplete", text, first, sink);
            }
            self.flush_stream(csid, at, sink);
        }
    }

    pub(super) fn lose_sync<F: FnMut(DemuxEvent)>(
        &mut self,
        at: Origin,
        code: &str,
        text: String,
        sink: &mut F,
    ) {
        self.emit_diag(Severity::Error, code, text, at, sink);
        self.flush_partials(at, "chunk sync was lost", sink);
        for state in self.streams.values_mut() {
            state.inferred = true;
        }
        self.mode = Mode::Resync;
        self.lenient = true;
        self.resync.clear();
        self.scan_from = 0;
        self.skipped = 0;
        self.skipped_gaps = 0;
        self.lost_at = Some(at);
        self.at_resync_point = false;
    }

    /// Drops the resynchroniser's bytes before stream position `vpos`.
    pub(super) fn drop_resync_to(&mut self, vpos: u64) {
        let Some(start) = self.resync.start() else {
            return;
        };
        if self.lost_at.is_none() {
            self.lost_at = Some(self.resync.origin_at(start));
        }
        let span = vpos.min(self.resync.end()).saturating_sub(start);
        let captured = self.resync.drop_to(vpos);
        self.skipped += captured;
        self.skipped_gaps += span.saturating_sub(captured);
    }

    /// Looks for a chunk boundary in the resync buffer and, once found, decodes from there.
    /// `at_end`: no more bytes follow these (the end of the stream).
    pub(super) fn drive_resync<F: FnMut(DemuxEvent)>(&mut self, at_end: bool, sink: &mut F) {
        while self.mode == Mode::Resync && !self.resync.is_empty() {
            let forced = at_end
                || self.resync.data_len() >= self.config.max_resync_buffer
                || self.resync.hole_count() >= MAX_RESYNC_HOLES;
            let result = {
                let streams = &self.streams;
                let lookup = |csid: u32| streams.get(&csid).map(|s| s.known);
                let ctx = ResyncContext {
                    chunk_size: self.chunk_size,
                    size_known: self.size_known,
                    lookup: &lookup,
                    config: &self.config,
                    unknown_streams: self.lenient,
                    chain: if self.probe { self.probe_chain } else { CHAIN },
                    probe: self.probe,
                };
                resync::scan(&self.resync, self.scan_from, &ctx, forced)
            };
            match result {
                ScanResult::Found {
                    at,
                    chunk_size,
                    size_proven,
                } => {
                    self.drop_resync_to(at);
                    self.found_boundary(chunk_size, size_proven, sink);
                    let queue = std::mem::take(&mut self.resync);
                    self.replay(queue, sink);
                }
                ScanResult::Undecided(at) => {
                    self.drop_resync_to(at);
                    self.scan_from = at;
                    return;
                }
                ScanResult::NotFound => {
                    // Keep a header's worth of tail: a boundary may start there.
                    let end = self.resync.end();
                    let keep = match (forced, self.resync.runs().last()) {
                        (false, Some(run)) if run.vpos + run.len as u64 == end => {
                            super::super::header::MAX_HEADER_LEN.min(run.len) as u64
                        }
                        _ => 0,
                    };
                    self.drop_resync_to(end - keep);
                    self.scan_from = 0;
                    return;
                }
            }
        }
    }

    /// Decodes what the resynchroniser held, from the boundary it found: its bytes and holes,
    /// as they first came. If sync is lost again, the buffer is kept from that point on (not
    /// copied: a buffer with many short chains in it costs linear time).
    fn replay<F: FnMut(DemuxEvent)>(&mut self, queue: ResyncQueue, sink: &mut F) {
        let Some(mut expected) = queue.start() else {
            return;
        };
        let runs: Vec<_> = queue.runs().to_vec();
        for run in &runs {
            if run.vpos > expected {
                let at = run.hole.unwrap_or_else(|| queue.origin_at(run.vpos));
                self.gap_at(at, expected, run.vpos - expected, sink);
                if self.mode == Mode::Resync {
                    return self.keep_from(queue, run.vpos);
                }
            }
            let mut vpos = run.vpos;
            for (bytes, origin) in queue.run_slices(run) {
                self.feed_at(bytes, origin, vpos, sink);
                vpos += bytes.len() as u64;
                if self.mode == Mode::Resync {
                    return self.keep_from(queue, vpos);
                }
            }
            expected = vpos;
        }
        if queue.end() > expected {
            let at = queue.trailing_hole().unwrap_or_default();
            self.gap_at(at, expected, queue.end() - expected, sink);
        }
    }

    /// Sync was lost while replaying `queue`, which was taken up to `consumed`: what the
    /// demuxer put aside since (from the lost position) is still in `queue`, which becomes the
    /// buffer again from there.
    fn keep_from(&mut self, mut queue: ResyncQueue, consumed: u64) {
        let from = self.resync.start().unwrap_or(consumed);
        queue.drop_to(from);
        self.resync = queue;
    }

    pub(super) fn found_boundary<F: FnMut(DemuxEvent)>(
        &mut self,
        chunk_size: u32,
        size_proven: bool,
        sink: &mut F,
    ) {
        let at = self.resync.origin_at(self.resync.start().unwrap_or(0));
        let skipped = std::mem::take(&mut self.skipped);
        let missing = match std::mem::take(&mut self.skipped_gaps) {
            0 => String::new(),
            n => format!(" and {n} bytes missing in gaps"),
        };
        let from = self.lost_at.take().unwrap_or(at);
        let first = !self.has_synced();
        let size_changed = chunk_size != self.chunk_size;
        self.chunk_size = chunk_size;
        self.size_known |= size_proven;
        self.resyncs += 1;
        self.probe = false;
        let size_note = match (size_changed || (first && self.unsynced_start), size_proven) {
            (false, _) => String::new(),
            (true, true) => format!("; chunk size {chunk_size}, as the chunks show"),
            (true, false) => format!(
                "; chunk size taken as {chunk_size} (no message so far was long enough to show it)"
            ),
        };
        if first && self.unsynced_start {
            self.emit_diag(
                Severity::Info,
                "chunk.midstream_start",
                format!(
                    "the capture starts mid-stream: first chunk boundary at stream offset {} \
                     after {skipped} bytes{missing}{size_note}; chunk streams whose fmt 0 header is not \
                     in the capture have guessed message stream ids and timestamps counted from \
                     0 (their deltas are exact)",
                    at.stream_offset
                ),
                at,
                sink,
            );
        } else {
            self.emit_diag(
                Severity::Warning,
                "chunk.resync",
                format!(
                    "chunk sync found again at stream offset {} after skipping {skipped} bytes{missing} \
                     (from stream offset {}){size_note}; timestamps of chunk streams without a \
                     new fmt 0 header may be off",
                    at.stream_offset, from.stream_offset
                ),
                at,
                sink,
            );
        }
        self.mode = Mode::Header;
        self.scan_from = 0;
        self.at_resync_point = true;
    }
}
