//! Losing and finding chunk sync: gaps, decode errors, the end of the stream.

use crate::diagnostic::Severity;

use super::super::message::type_name;
use super::super::queue::Locator;
use super::super::resync::{self, ResyncContext, ScanResult};
use super::super::Origin;
use super::{ChunkStreamDemuxer, DemuxEvent, Mode, Stop};

impl ChunkStreamDemuxer {
    /// `len` bytes of the stream starting at `at.stream_offset` are missing.
    pub fn gap<F: FnMut(DemuxEvent)>(&mut self, at: Origin, len: u64, sink: &mut F) {
        if len == 0 {
            return;
        }
        match self.mode {
            Mode::Resync => {
                self.drive_resync(true, sink);
                if self.mode == Mode::Resync {
                    self.drop_resync_bytes(self.resync.len());
                    self.emit_diag(
                        Severity::Warning,
                        "rtmp.gap",
                        format!("{len} bytes missing from the TCP stream while resynchronising"),
                        at,
                        sink,
                    );
                    return;
                }
                // Sync was found in the bytes before the gap: handle the gap in that state.
                self.gap(at, len, sink);
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
                self.drop_resync_bytes(self.resync.len());
                if self.skipped > 0 {
                    let at = self.lost_at.unwrap_or(end);
                    let skipped = self.skipped;
                    self.emit_diag(
                        Severity::Warning,
                        "chunk.undecodable",
                        format!("{skipped} bytes at the end could not be decoded as chunks"),
                        at,
                        sink,
                    );
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
            .map(|(&csid, _)| csid)
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
        self.resync.clear();
        self.scan_from = 0;
        self.skipped = 0;
        self.lost_at = Some(at);
        self.at_resync_point = false;
    }

    pub(super) fn drop_resync_bytes(&mut self, n: usize) {
        let n = n.min(self.resync.len());
        if n > 0 && self.lost_at.is_none() {
            self.lost_at = Some(self.resync.at(0));
        }
        self.skipped += n as u64;
        self.resync.drop_front(n);
        self.scan_from = self.scan_from.saturating_sub(n);
    }

    /// Looks for a chunk boundary in the resync buffer and, once found, decodes from there.
    /// `at_end`: no more bytes follow these (a gap or the end of the stream).
    pub(super) fn drive_resync<F: FnMut(DemuxEvent)>(&mut self, at_end: bool, sink: &mut F) {
        while self.mode == Mode::Resync && self.resync.len() > 0 {
            let forced = at_end || self.resync.len() >= self.config.max_resync_buffer;
            let result = {
                let streams = &self.streams;
                let lookup = |csid: u32| streams.get(&csid).map(|s| s.known);
                let ctx = ResyncContext {
                    chunk_size: self.chunk_size,
                    lookup: &lookup,
                    config: &self.config,
                };
                resync::scan(&self.resync.bytes, self.scan_from, &ctx, forced)
            };
            match result {
                ScanResult::Found(p) => {
                    self.drop_resync_bytes(p);
                    self.found_boundary(sink);
                    let queue = std::mem::take(&mut self.resync);
                    let loc = queue.locator();
                    match self.process(&queue.bytes, loc, sink) {
                        Stop::Done => {}
                        Stop::NeedMore(at) => {
                            self.pending = queue.bytes.get(at..).unwrap_or_default().to_vec();
                            self.pending_origin = loc.at(at);
                        }
                        Stop::Lost(at) => {
                            self.resync.push_located(
                                queue.bytes.get(at..).unwrap_or_default(),
                                Locator::new(&queue.segs, at),
                            );
                            self.scan_from = 1;
                        }
                    }
                }
                ScanResult::Undecided(p) => {
                    self.drop_resync_bytes(p);
                    self.scan_from = 0;
                    return;
                }
                ScanResult::NotFound => {
                    // Keep a header's worth of tail: a boundary may start there.
                    let keep = if forced {
                        0
                    } else {
                        super::super::header::MAX_HEADER_LEN.min(self.resync.len())
                    };
                    let drop = self.resync.len() - keep;
                    self.drop_resync_bytes(drop);
                    self.scan_from = 0;
                    return;
                }
            }
        }
    }

    pub(super) fn found_boundary<F: FnMut(DemuxEvent)>(&mut self, sink: &mut F) {
        let at = self.resync.at(0);
        let skipped = std::mem::take(&mut self.skipped);
        let from = self.lost_at.take().unwrap_or(at);
        self.resyncs += 1;
        self.emit_diag(
            Severity::Warning,
            "chunk.resync",
            format!(
                "chunk sync found again at stream offset {} after skipping {skipped} bytes \
                 (from stream offset {}); timestamps of chunk streams without a new fmt 0 \
                 header may be off",
                at.stream_offset, from.stream_offset
            ),
            at,
            sink,
        );
        self.mode = Mode::Header;
        self.scan_from = 0;
        self.at_resync_point = true;
    }
}
