//! Byte positions across slices that came from different packets, and the resynchroniser's
//! buffer: captured bytes with the holes (TCP gaps) between them.

use super::Origin;

/// Maps an index in a buffer made of pieces of several data slices to each byte's [`Origin`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locator<'a> {
    /// `(index of the piece's first byte, its origin)`, ascending.
    segs: &'a [(usize, Origin)],
    /// Added to every index asked for (the buffer given out started at `base`).
    base: usize,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(segs: &'a [(usize, Origin)], base: usize) -> Self {
        Locator { segs, base }
    }

    pub(crate) fn at(&self, i: usize) -> Origin {
        let idx = self.base.saturating_add(i);
        let k = self.segs.partition_point(|(start, _)| *start <= idx);
        match k.checked_sub(1).and_then(|k| self.segs.get(k)) {
            Some((start, origin)) => origin.advanced((idx - start) as u64),
            None => self.segs.first().map(|(_, o)| *o).unwrap_or_default(),
        }
    }
}

impl Locator<'_> {
    /// Calls `f(origin, len)` for each part of `i..i + n` that came in one slice, in order.
    pub(crate) fn for_each_piece(&self, i: usize, n: usize, mut f: impl FnMut(Origin, usize)) {
        let mut idx = self.base.saturating_add(i);
        let end = idx.saturating_add(n);
        let mut k = self.segs.partition_point(|(start, _)| *start <= idx);
        while idx < end {
            let next = self.segs.get(k).map_or(end, |(start, _)| (*start).min(end));
            let origin = self.at(idx - self.base);
            f(origin, next - idx);
            idx = next;
            k += 1;
        }
    }
}

/// Captured bytes that are contiguous in the stream. `vpos` is the stream position of the
/// first byte, counted by the demuxer (bytes fed plus gap lengths), so holes have a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    /// Index of the first byte in [`ResyncQueue::bytes`].
    pub(crate) index: usize,
    pub(crate) len: usize,
    pub(crate) vpos: u64,
    /// Where the gap that ends right before this run was reported (`None` for the first run).
    pub(crate) hole: Option<Origin>,
}

impl Run {
    fn end(&self) -> u64 {
        self.vpos + self.len as u64
    }
}

/// Bytes held while looking for a chunk boundary. Gaps stay in it as holes of known length, so a
/// chain of chunk headers can be followed across them (a snap-length-cut capture keeps the head
/// of every segment). Dropping from the front is amortised O(1).
#[derive(Debug, Default)]
pub(crate) struct ResyncQueue {
    bytes: Vec<u8>,
    /// `bytes[..head]` and `runs[..first_run]` are dropped, waiting for compaction.
    head: usize,
    runs: Vec<Run>,
    first_run: usize,
    /// `(index in bytes, origin)` of every slice pushed, ascending.
    segs: Vec<(usize, Origin)>,
    first_seg: usize,
    /// Stream position just past the last byte or hole.
    end: u64,
    /// A hole after the last run, and where its gap was reported.
    trailing_hole: Option<Origin>,
}

/// What is at a stream position of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    /// Captured bytes from the position up to the next hole (`hole_follows`) or the end of what
    /// has arrived.
    Bytes { bytes: &'a [u8], hole_follows: bool },
    /// The position is inside a hole: its bytes will never be seen.
    Hole,
    /// The position is past everything that has arrived.
    End,
}

impl ResyncQueue {
    /// Appends `data`, whose first byte is at stream position `vpos` and came from `origin`.
    pub(crate) fn push(&mut self, data: &[u8], origin: Origin, vpos: u64) {
        if data.is_empty() {
            return;
        }
        self.push_located(data, Locator::new(&[(0, origin)], 0), vpos);
    }

    /// Appends `data`, whose byte `i` is at `loc.at(i)` (it may itself span pieces).
    pub(crate) fn push_located(&mut self, data: &[u8], loc: Locator, vpos: u64) {
        if data.is_empty() {
            return;
        }
        let index = self.bytes.len();
        let contiguous = self.runs().last().is_some_and(|r| r.end() == vpos);
        if contiguous {
            if let Some(last) = self.runs.last_mut() {
                last.len += data.len();
            }
        } else {
            let hole = if self.is_empty() {
                None
            } else {
                Some(self.trailing_hole.unwrap_or_else(|| loc.at(0)))
            };
            self.runs.push(Run {
                index,
                len: data.len(),
                vpos,
                hole,
            });
        }
        self.trailing_hole = None;
        // The pieces of `data`: its first byte's origin, then each later slice start in `loc`.
        self.segs.push((index, loc.at(0)));
        for &(start, origin) in loc.segs {
            if start > loc.base && start < loc.base + data.len() {
                self.segs.push((index + (start - loc.base), origin));
            }
        }
        self.bytes.extend_from_slice(data);
        self.end = vpos + data.len() as u64;
    }

    /// Notes `len` missing bytes at stream position `vpos` (reported at `at`). A hole before
    /// the first byte means nothing and is not kept.
    pub(crate) fn push_hole(&mut self, at: Origin, vpos: u64, len: u64) {
        if self.is_empty() || len == 0 {
            return;
        }
        self.trailing_hole.get_or_insert(at);
        self.end = self.end.max(vpos.saturating_add(len));
    }

    pub(crate) fn runs(&self) -> &[Run] {
        self.runs.get(self.first_run..).unwrap_or_default()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.runs().is_empty()
    }

    /// Captured bytes held.
    pub(crate) fn data_len(&self) -> usize {
        self.bytes.len() - self.head
    }

    /// Holes between the held runs (and after them).
    pub(crate) fn hole_count(&self) -> usize {
        self.runs().len().saturating_sub(1) + usize::from(self.trailing_hole.is_some())
    }

    /// Stream position of the first held byte.
    pub(crate) fn start(&self) -> Option<u64> {
        self.runs().first().map(|r| r.vpos)
    }

    /// Stream position just past the last byte or hole.
    pub(crate) fn end(&self) -> u64 {
        self.end
    }

    pub(crate) fn trailing_hole(&self) -> Option<Origin> {
        self.trailing_hole
    }

    /// The slices a run was pushed in: `(bytes, origin)` each.
    pub(crate) fn run_slices(&self, run: &Run) -> Vec<(&[u8], Origin)> {
        let segs = self.segs.get(self.first_seg..).unwrap_or_default();
        let end = run.index + run.len;
        let k = segs.partition_point(|(start, _)| *start <= run.index);
        let mut out = Vec::new();
        let mut from = run.index;
        let mut origin = Locator::new(segs, 0).at(run.index);
        for &(start, next) in segs.get(k..).unwrap_or_default() {
            if start >= end {
                break;
            }
            out.push((self.bytes.get(from..start).unwrap_or_default(), origin));
            from = start;
            origin = next;
        }
        out.push((self.bytes.get(from..end).unwrap_or_default(), origin));
        out
    }

    /// Where the byte at stream position `vpos` came from (the nearest one if it is not held).
    pub(crate) fn origin_at(&self, vpos: u64) -> Origin {
        let runs = self.runs();
        let k = runs.partition_point(|r| r.vpos <= vpos);
        let Some(run) = k.checked_sub(1).and_then(|k| runs.get(k)).or(runs.first()) else {
            return self.trailing_hole.unwrap_or_default();
        };
        let offset = vpos
            .saturating_sub(run.vpos)
            .min(run.len.saturating_sub(1) as u64);
        let segs = self.segs.get(self.first_seg..).unwrap_or_default();
        Locator::new(segs, 0).at(run.index + offset as usize)
    }

    /// What is at stream position `vpos`.
    pub(crate) fn lookup(&self, vpos: u64) -> Lookup<'_> {
        let runs = self.runs();
        let k = runs.partition_point(|r| r.vpos <= vpos);
        let Some(run) = k.checked_sub(1).and_then(|k| runs.get(k)) else {
            // Before the first run: dropped bytes, as good as a hole.
            return Lookup::Hole;
        };
        if vpos < run.end() {
            let from = run.index + (vpos - run.vpos) as usize;
            let bytes = self
                .bytes
                .get(from..run.index + run.len)
                .unwrap_or_default();
            let last = k == runs.len();
            return Lookup::Bytes {
                bytes,
                hole_follows: !last || self.trailing_hole.is_some(),
            };
        }
        if vpos < self.end {
            Lookup::Hole
        } else {
            Lookup::End
        }
    }

    /// Drops everything before stream position `vpos`. Returns the captured bytes dropped.
    pub(crate) fn drop_to(&mut self, vpos: u64) -> u64 {
        let mut dropped = 0u64;
        while let Some(run) = self.runs.get_mut(self.first_run) {
            if run.end() <= vpos {
                dropped += run.len as u64;
                self.head = run.index + run.len;
                self.first_run += 1;
                continue;
            }
            if run.vpos < vpos {
                let n = (vpos - run.vpos) as usize;
                dropped += n as u64;
                run.index += n;
                run.len -= n;
                run.vpos = vpos;
                self.head = run.index;
            }
            run.hole = None;
            break;
        }
        if self.is_empty() {
            self.clear();
        } else {
            self.advance_segs();
            self.compact();
        }
        dropped
    }

    /// Drops the segment entries before `head`, keeping one that covers it.
    fn advance_segs(&mut self) {
        while self
            .segs
            .get(self.first_seg + 1)
            .is_some_and(|&(start, _)| start <= self.head)
        {
            self.first_seg += 1;
        }
        if let Some(seg) = self.segs.get_mut(self.first_seg) {
            if seg.0 < self.head {
                seg.1 = seg.1.advanced((self.head - seg.0) as u64);
                seg.0 = self.head;
            }
        }
    }

    /// Frees dropped bytes once they are the larger part of the buffer.
    fn compact(&mut self) {
        if self.head < 4096 || self.head < self.bytes.len() / 2 {
            return;
        }
        let head = self.head;
        self.bytes.drain(..head);
        self.runs.drain(..self.first_run);
        self.segs.drain(..self.first_seg);
        for run in &mut self.runs {
            run.index -= head;
        }
        for seg in &mut self.segs {
            seg.0 -= head;
        }
        self.head = 0;
        self.first_run = 0;
        self.first_seg = 0;
    }

    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.runs.clear();
        self.segs.clear();
        self.head = 0;
        self.first_run = 0;
        self.first_seg = 0;
        self.trailing_hole = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;

    fn o(frame: u64, off: u64) -> Origin {
        Origin::new(frame, Timestamp::default(), off, Some(1000 * frame))
    }

    #[test]
    fn locator_finds_bytes_across_pieces() {
        let segs = [(0, o(1, 0)), (2, o(2, 2)), (5, o(3, 5))];
        let loc = Locator::new(&segs, 1);
        assert_eq!(loc.at(0), o(1, 0).advanced(1));
        assert_eq!(loc.at(1), o(2, 2));
        assert_eq!(loc.at(5), o(3, 5).advanced(1));
    }

    #[test]
    fn locator_splits_ranges_at_slice_starts() {
        let segs = [(0, o(1, 0)), (2, o(2, 2)), (5, o(3, 5))];
        let loc = Locator::new(&segs, 1);
        let mut pieces = Vec::new();
        loc.for_each_piece(0, 6, |origin, len| pieces.push((origin, len)));
        assert_eq!(
            pieces,
            vec![(o(1, 0).advanced(1), 1), (o(2, 2), 3), (o(3, 5), 2)]
        );
        pieces.clear();
        loc.for_each_piece(2, 2, |origin, len| pieces.push((origin, len)));
        assert_eq!(pieces, vec![(o(2, 2).advanced(1), 2)]);
    }

    #[test]
    fn runs_holes_and_lookups() {
        let mut q = ResyncQueue::default();
        q.push(b"abc", o(1, 10), 10);
        q.push(b"de", o(2, 13), 13);
        q.push_hole(o(3, 15), 15, 5);
        q.push(b"fgh", o(4, 20), 20);
        assert_eq!(q.runs().len(), 2);
        assert_eq!(q.hole_count(), 1);
        assert_eq!(q.data_len(), 8);
        assert_eq!(
            q.lookup(11),
            Lookup::Bytes {
                bytes: b"bcde",
                hole_follows: true
            }
        );
        assert_eq!(q.lookup(16), Lookup::Hole);
        assert_eq!(
            q.lookup(21),
            Lookup::Bytes {
                bytes: b"gh",
                hole_follows: false
            }
        );
        assert_eq!(q.lookup(23), Lookup::End);
        assert_eq!(q.lookup(9), Lookup::Hole);
        assert_eq!(q.runs()[1].hole, Some(o(3, 15)));
        assert_eq!(q.origin_at(13), o(2, 13));
        assert_eq!(q.origin_at(14).file_offset, Some(2001));
        let slices = q.run_slices(&q.runs()[0]);
        assert_eq!(
            slices,
            vec![(&b"abc"[..], o(1, 10)), (&b"de"[..], o(2, 13))]
        );
        // Dropping into the first run, then past the hole.
        assert_eq!(q.drop_to(12), 2);
        assert_eq!(q.origin_at(12), o(1, 10).advanced(2));
        assert_eq!(
            q.run_slices(&q.runs()[0])[0],
            (&b"c"[..], o(1, 10).advanced(2))
        );
        assert_eq!(q.drop_to(17), 3);
        assert_eq!(q.start(), Some(20));
        assert_eq!(q.runs()[0].hole, None);
        q.push_hole(o(5, 23), 23, 2);
        assert_eq!(q.lookup(24), Lookup::Hole);
        assert_eq!(q.lookup(25), Lookup::End);
        assert_eq!(q.drop_to(30), 3);
        assert!(q.is_empty());
    }

    #[test]
    fn located_pushes_keep_piece_origins_and_compaction_keeps_them() {
        let segs = [(0, o(1, 0)), (2, o(2, 2)), (5, o(3, 5))];
        let data = b"abcdefg";
        let mut q = ResyncQueue::default();
        q.push_located(&data[1..], Locator::new(&segs, 1), 1);
        assert_eq!(q.origin_at(1), o(1, 0).advanced(1));
        assert_eq!(q.origin_at(2), o(2, 2));
        assert_eq!(q.origin_at(6), o(3, 5).advanced(1));
        let big = vec![7u8; 10_000];
        q.push(&big, o(9, 7), 7);
        q.drop_to(9000);
        assert_eq!(q.origin_at(9000), o(9, 7).advanced(8993));
        assert_eq!(q.data_len(), 1007);
        assert!(q.bytes.len() < 2000, "compacted");
    }
}
