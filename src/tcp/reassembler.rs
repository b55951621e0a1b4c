//! One direction of a connection: turns segments (in any order, repeated, overlapping, cut)
//! into a gap-explicit byte stream.
//!
//! Invariant: every stream offset below `next` has been reported exactly once, as data or as a
//! gap; `pending` holds non-overlapping pieces that all start after `next`.

use super::emit::{Now, Out};
use super::pending::{Pending, PieceBytes};
use super::seq::seq_to_offset;
use super::{CloseReason, FlowEvent, GapReason};
use crate::capture::Timestamp;

/// One segment's contribution to a direction, already trimmed to its captured payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegmentIn<'p> {
    /// Sequence number of the first payload byte (the SYN's own number already skipped).
    pub seq: u32,
    /// The captured payload (never longer than `wire_len`).
    pub payload: &'p [u8],
    /// Payload length on the wire; bytes past `payload.len()` were cut by the snap length.
    pub wire_len: u64,
    pub fin: bool,
    pub frame: u64,
    pub time: Timestamp,
    /// File offset of `payload[0]`.
    pub file_offset: u64,
}

#[derive(Debug)]
pub(crate) struct Reassembler {
    /// Sequence number of stream offset 0.
    base: u32,
    /// `base` came from a bare segment (no payload, SYN or FIN) in a capture that missed the
    /// handshake. That may have been a keep-alive, which carries the sequence number one *before*
    /// the next byte; so until the stream starts, a segment or peer ACK exactly one further on
    /// moves the start there instead of opening a one-byte hole.
    tentative: bool,
    /// Everything before this offset has been reported.
    next: u64,
    /// One past the highest payload offset seen so far.
    seen_end: u64,
    /// Stream offset of the FIN (one past the last data byte), once seen.
    fin_at: Option<u64>,
    pending: Pending,
    closed: bool,
}

impl Reassembler {
    pub fn new(base: u32, tentative: bool) -> Self {
        Reassembler {
            base,
            tentative,
            next: 0,
            seen_end: 0,
            fin_at: None,
            pending: Pending::default(),
            closed: false,
        }
    }

    pub fn buffered(&self) -> usize {
        self.pending.charged()
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Nothing reported, buffered or closed yet, so the stream's origin can still move (a FIN
    /// counts: a SYN must not start the direction over after it, or data could follow its close).
    pub fn is_untouched(&self) -> bool {
        self.next == 0 && self.pending.is_empty() && self.fin_at.is_none() && !self.closed
    }

    pub fn base(&self) -> u32 {
        self.base
    }

    pub fn push_segment<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        seg: &SegmentIn<'_>,
        max_buffered: usize,
        out: &mut Out<'_, F>,
    ) {
        let now = Now {
            frame: seg.frame,
            time: seg.time,
        };
        if seg.wire_len > 0 || seg.fin {
            self.settle_tentative_base(seg.seq);
        }
        let start = seq_to_offset(self.base, self.next, seg.seq);
        let wire_len = i64::try_from(seg.wire_len).unwrap_or(i64::MAX);
        let mut end = start.saturating_add(wire_len);
        if seg.fin && !self.closed && self.fin_at.is_none() && end >= 0 {
            self.fin_at = Some(end.unsigned_abs().max(self.next));
        }
        if seg.wire_len > 0 {
            out.stats.payload_segments += 1;
            out.stats.payload_bytes += seg.wire_len;
            if let Some(fin_at) = self.fin_at {
                end = end.min(i64::try_from(fin_at).unwrap_or(i64::MAX));
            }
            let next = i64::try_from(self.next).unwrap_or(i64::MAX);
            if start >= end {
                // entirely past the FIN
                out.stats.after_close_segments += 1;
            } else if end <= next {
                out.stats.retransmitted_segments += 1;
            } else if self.closed {
                out.stats.after_close_segments += 1;
            } else {
                let end = end.unsigned_abs();
                let brought_new = if start <= next {
                    self.push_in_order(seg, start, end, now, out);
                    true
                } else {
                    let fresh = self.push_out_of_order(seg, start.unsigned_abs(), end, out);
                    self.enforce_cap(max_buffered, GapReason::BufferLimit, now, out);
                    fresh
                };
                if brought_new && start < i64::try_from(self.seen_end).unwrap_or(i64::MAX) {
                    out.stats.out_of_order_segments += 1;
                }
                self.seen_end = self.seen_end.max(end);
            }
        }
        self.close_if_fin_reached(now, out);
    }

    /// `start <= next < end`: deliver the new part straight from the packet.
    fn push_in_order<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        seg: &SegmentIn<'_>,
        start: i64,
        end: u64,
        now: Now,
        out: &mut Out<'_, F>,
    ) {
        let skip = (i64::try_from(self.next).unwrap_or(i64::MAX) - start).unsigned_abs();
        if skip > 0 {
            out.stats.overlapping_segments += 1;
        }
        let captured_end = self.next + (seg.payload.len() as u64).saturating_sub(skip);
        let captured_end = captured_end.min(end);
        let take = (captured_end - self.next) as usize;
        let skip = skip as usize;
        if let Some(new) = seg.payload.get(skip..).and_then(|rest| rest.get(..take)) {
            let file_offset = seg.file_offset + skip as u64;
            out.data(new, self.next, seg.frame, seg.time, file_offset, now);
            self.next = captured_end;
        }
        if end > self.next {
            out.gap(
                self.next,
                end - self.next,
                GapReason::SnapLen,
                seg.frame,
                seg.time,
            );
            self.next = end;
        }
        self.drain(now, out);
    }

    /// `next < start`: keep the bytes no buffered piece holds yet. Returns whether there were any.
    fn push_out_of_order<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        seg: &SegmentIn<'_>,
        start: u64,
        end: u64,
        out: &mut Out<'_, F>,
    ) -> bool {
        let fresh = self.pending.fresh_ranges(start, end);
        let fresh_len: u64 = fresh.iter().map(|(lo, hi)| hi - lo).sum();
        if fresh_len == 0 {
            out.stats.retransmitted_segments += 1;
            return false;
        }
        out.stats.buffered_segments += 1;
        if fresh_len < end - start {
            out.stats.overlapping_segments += 1;
        }
        let captured_end = (start + seg.payload.len() as u64).min(end);
        for (lo, hi) in fresh {
            let split = hi.min(captured_end).max(lo);
            let range = (lo - start) as usize..(split - start) as usize;
            if let Some(bytes) = seg.payload.get(range).filter(|b| !b.is_empty()) {
                let piece = PieceBytes::Captured {
                    bytes: bytes.to_vec(),
                    file_offset: seg.file_offset + (lo - start),
                };
                self.pending.insert(lo, piece, seg.frame, seg.time);
            }
            if hi > split {
                self.pending.insert(
                    split,
                    PieceBytes::SnapCut { len: hi - split },
                    seg.frame,
                    seg.time,
                );
            }
        }
        true
    }

    /// Report buffered pieces that have become contiguous with `next`.
    fn drain<F: FnMut(FlowEvent<'_>)>(&mut self, now: Now, out: &mut Out<'_, F>) {
        if self.pending.is_empty() {
            return; // data in order: nothing was waiting
        }
        while let Some((start, piece)) = self.pending.pop_first_up_to(self.next) {
            let end = start + piece.len();
            if end <= self.next {
                continue;
            }
            let skip = self.next - start;
            match &piece.bytes {
                PieceBytes::Captured { bytes, file_offset } => {
                    if let Some(rest) = bytes.get(skip as usize..) {
                        let at = self.next;
                        out.data(rest, at, piece.frame, piece.time, file_offset + skip, now);
                    }
                }
                PieceBytes::SnapCut { .. } => {
                    out.gap(
                        self.next,
                        end - self.next,
                        GapReason::SnapLen,
                        piece.frame,
                        piece.time,
                    );
                }
            }
            self.next = end;
        }
    }

    /// Declare the hole before the first buffered piece a gap and report what follows it.
    /// Returns false when nothing is buffered.
    fn give_up_first_hole<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        reason: GapReason,
        now: Now,
        out: &mut Out<'_, F>,
    ) -> bool {
        let Some(first) = self.pending.first_start() else {
            return false;
        };
        out.gap(
            self.next,
            first.saturating_sub(self.next),
            reason,
            now.frame,
            now.time,
        );
        self.next = self.next.max(first);
        self.drain(now, out);
        true
    }

    /// Give up holes, oldest first, until at most `max_buffered` bytes wait behind them.
    pub fn enforce_cap<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        max_buffered: usize,
        reason: GapReason,
        now: Now,
        out: &mut Out<'_, F>,
    ) {
        while self.pending.charged() > max_buffered {
            if !self.give_up_first_hole(reason, now, out) {
                break;
            }
        }
    }

    /// The peer acknowledged up to `ack`: whatever it acknowledged that we have not seen was
    /// received by the peer but missed by the capture.
    pub fn on_peer_ack<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        ack: u32,
        now: Now,
        out: &mut Out<'_, F>,
    ) {
        if self.closed {
            return;
        }
        self.settle_tentative_base(ack);
        let acked = seq_to_offset(self.base, self.next, ack);
        let Ok(mut acked) = u64::try_from(acked) else {
            return;
        };
        if let Some(fin_at) = self.fin_at {
            acked = acked.min(fin_at);
        }
        while self.next < acked {
            let hole_end = self
                .pending
                .first_start()
                .map_or(acked, |first| first.min(acked));
            out.gap(
                self.next,
                hole_end - self.next,
                GapReason::Lost,
                now.frame,
                now.time,
            );
            self.next = hole_end;
            self.drain(now, out);
        }
        self.close_if_fin_reached(now, out);
    }

    /// The stream is over (reset, replaced, end of capture): every hole becomes a gap, including
    /// one right before a FIN, and everything buffered is reported.
    pub fn abandon<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        reason: GapReason,
        now: Now,
        out: &mut Out<'_, F>,
    ) {
        if self.closed {
            return;
        }
        while self.give_up_first_hole(reason, now, out) {}
        if let Some(fin_at) = self.fin_at {
            if fin_at > self.next {
                out.gap(self.next, fin_at - self.next, reason, now.frame, now.time);
                self.next = fin_at;
            }
        }
        self.close_if_fin_reached(now, out);
    }

    fn settle_tentative_base(&mut self, seq: u32) {
        if self.tentative && self.is_untouched() {
            if seq == self.base.wrapping_add(1) {
                self.base = seq;
            }
            self.tentative = false;
        }
    }

    /// Mark the direction closed without a FIN (reset, reuse); the caller reports why.
    pub fn mark_closed(&mut self) {
        self.closed = true;
        self.pending.clear();
    }

    fn close_if_fin_reached<F: FnMut(FlowEvent<'_>)>(&mut self, now: Now, out: &mut Out<'_, F>) {
        if !self.closed && self.fin_at.is_some_and(|fin_at| fin_at <= self.next) {
            self.mark_closed();
            out.closed(CloseReason::Fin, now);
        }
    }
}
