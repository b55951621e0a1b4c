//! The out-of-order buffer of one direction: non-overlapping pieces waiting behind a hole.

use crate::capture::Timestamp;
use std::collections::BTreeMap;

/// What a buffered piece costs against the caps beyond its bytes (map node, Vec header), so that
/// floods of one-byte segments are bounded too.
const PIECE_OVERHEAD: usize = 64;

#[derive(Debug)]
pub(crate) enum PieceBytes {
    Captured {
        bytes: Vec<u8>,
        file_offset: u64,
    },
    /// On the wire but cut by the snap length: becomes a `SnapLen` gap when its turn comes.
    SnapCut {
        len: u64,
    },
}

#[derive(Debug)]
pub(crate) struct Piece {
    pub bytes: PieceBytes,
    pub frame: u64,
    pub time: Timestamp,
}

impl Piece {
    pub fn len(&self) -> u64 {
        match &self.bytes {
            PieceBytes::Captured { bytes, .. } => bytes.len() as u64,
            PieceBytes::SnapCut { len } => *len,
        }
    }

    fn cost(&self) -> usize {
        match &self.bytes {
            PieceBytes::Captured { bytes, .. } => bytes.len() + PIECE_OVERHEAD,
            PieceBytes::SnapCut { .. } => PIECE_OVERHEAD,
        }
    }
}

/// Pieces by stream offset, with the bytes they are charged.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pieces: BTreeMap<u64, Piece>,
    charged: usize,
}

impl Pending {
    pub fn charged(&self) -> usize {
        self.charged
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Where the first piece starts.
    pub fn first_start(&self) -> Option<u64> {
        self.pieces.keys().next().copied()
    }

    /// The parts of `start..end` that no piece holds yet.
    pub fn fresh_ranges(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut fresh = Vec::new();
        let mut cursor = start;
        if let Some((&piece_start, piece)) = self.pieces.range(..start).next_back() {
            cursor = cursor.max(piece_start + piece.len());
        }
        for (&piece_start, piece) in self.pieces.range(start..end) {
            if cursor >= end {
                break;
            }
            if piece_start > cursor {
                fresh.push((cursor, piece_start));
            }
            cursor = cursor.max(piece_start + piece.len());
        }
        if cursor < end {
            fresh.push((cursor, end));
        }
        fresh
    }

    /// Store a piece; `at..at + len` must be one of the `fresh_ranges`.
    pub fn insert(&mut self, at: u64, bytes: PieceBytes, frame: u64, time: Timestamp) {
        let piece = Piece { bytes, frame, time };
        self.charged += piece.cost();
        self.pieces.insert(at, piece);
    }

    /// Remove the first piece if it starts at or before `offset`.
    pub fn pop_first_up_to(&mut self, offset: u64) -> Option<(u64, Piece)> {
        let entry = self.pieces.first_entry()?;
        if *entry.key() > offset {
            return None;
        }
        let (start, piece) = entry.remove_entry();
        self.charged = self.charged.saturating_sub(piece.cost());
        Some((start, piece))
    }

    pub fn clear(&mut self) {
        self.pieces.clear();
        self.charged = 0;
    }
}
