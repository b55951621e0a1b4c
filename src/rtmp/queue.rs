//! Byte positions across slices that came from different packets.

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

/// An owned byte buffer that remembers where each of its pieces came from.
#[derive(Debug, Default)]
pub(crate) struct ByteQueue {
    pub(crate) bytes: Vec<u8>,
    pub(crate) segs: Vec<(usize, Origin)>,
}

impl ByteQueue {
    pub(crate) fn push(&mut self, data: &[u8], origin: Origin) {
        if data.is_empty() {
            return;
        }
        self.segs.push((self.bytes.len(), origin));
        self.bytes.extend_from_slice(data);
    }

    /// Appends `data`, whose byte `i` is at `loc.at(i)` (it may itself span pieces).
    pub(crate) fn push_located(&mut self, data: &[u8], loc: Locator) {
        if data.is_empty() {
            return;
        }
        let offset = self.bytes.len();
        let from = loc.base;
        let mut first = true;
        for &(start, origin) in loc.segs {
            let end_ok = start < from + data.len();
            if !end_ok {
                break;
            }
            if start <= from {
                continue;
            }
            if first {
                self.segs.push((offset, loc.at(0)));
                first = false;
            }
            self.segs.push((offset + (start - from), origin));
        }
        if first {
            self.segs.push((offset, loc.at(0)));
        }
        self.bytes.extend_from_slice(data);
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn locator(&self) -> Locator<'_> {
        Locator::new(&self.segs, 0)
    }

    pub(crate) fn at(&self, i: usize) -> Origin {
        self.locator().at(i)
    }

    /// Drops the first `n` bytes.
    pub(crate) fn drop_front(&mut self, n: usize) {
        let n = n.min(self.bytes.len());
        if n == 0 {
            return;
        }
        let new_first = self.at(n);
        self.bytes.drain(..n);
        self.segs.retain(|(start, _)| *start > n);
        for (start, _) in &mut self.segs {
            *start -= n;
        }
        if !self.bytes.is_empty() {
            self.segs.insert(0, (0, new_first));
        }
    }

    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.segs.clear();
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
    fn locates_bytes_across_pieces() {
        let mut q = ByteQueue::default();
        q.push(b"abc", o(1, 10));
        q.push(b"defg", o(2, 13));
        assert_eq!(q.at(0), o(1, 10));
        assert_eq!(q.at(2).file_offset, Some(1002));
        assert_eq!(q.at(3), o(2, 13));
        assert_eq!(q.at(5).stream_offset, 15);
        q.drop_front(4);
        assert_eq!(q.bytes, b"efg");
        assert_eq!(q.at(0).frame, 2);
        assert_eq!(q.at(0).stream_offset, 14);
        assert_eq!(q.at(0).file_offset, Some(2001));
        let mut r = ByteQueue::default();
        r.push_located(&q.bytes[1..], Locator::new(&q.segs, 1));
        assert_eq!(r.at(0).stream_offset, 15);
        q.drop_front(10);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn push_located_keeps_piece_boundaries() {
        let segs = [(0, o(1, 0)), (2, o(2, 2)), (5, o(3, 5))];
        let data = b"abcdefg";
        let mut q = ByteQueue::default();
        q.push_located(&data[1..], Locator::new(&segs, 1));
        assert_eq!(q.at(0), o(1, 0).advanced(1));
        assert_eq!(q.at(1), o(2, 2));
        assert_eq!(q.at(4), o(3, 5));
        assert_eq!(q.at(5), o(3, 5).advanced(1));
    }
}
