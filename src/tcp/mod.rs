//! TCP reassembly: connections by 4-tuple, per-direction byte streams with explicit gaps.
//!
//! [`FlowTable::push`] takes every decoded TCP segment in capture order and reports what it means
//! for the byte streams through a callback of [`FlowEvent`]s. For each direction of each
//! connection the `Data` and `Gap` events tile the stream exactly: offsets start at 0, never go
//! back, and every byte is reported once, either as data or as a gap. Nothing is glued over a hole.
//!
//! * In-order data is handed out straight from the packet (no copy). Only segments that arrive
//!   ahead of a hole are copied into a per-direction buffer, which is capped
//!   ([`TcpConfig::max_buffered_per_direction`], [`TcpConfig::max_buffered_total`]).
//! * A hole becomes a [`GapReason`]-tagged gap when the peer acknowledges past it (the receiver
//!   got the bytes, the capture missed them), when the buffer cap is hit, when the connection is
//!   reset or replaced, or at [`FlowTable::finish`]. A FIN alone does not declare holes: it can
//!   overtake a reordered segment, and the peer's ACK of the FIN settles it anyway. (If the capture
//!   misses a FIN that the peer acknowledges, the FIN's sequence number reads as one lost byte:
//!   nothing in the capture tells it apart from a lost one-byte segment.)
//! * Payload cut by the snap length is a [`GapReason::SnapLen`] gap at once.
//! * A direction whose SYN is not in the capture starts at the first sequence number seen in it,
//!   as Wireshark does. If that first segment was itself out of order, the earlier bytes that turn
//!   up later lie before the stream start and are dropped (counted as retransmitted): the capture
//!   began mid-stream, so the consumer has to resynchronise anyway, and beginning a few bytes later
//!   loses nothing it could have used. Anchoring on the peer's ACK instead would turn every byte in
//!   flight at capture start into a spurious leading gap. One exception: when the first packet is
//!   bare (no payload, SYN or FIN) it may be a keep-alive, whose sequence number is one before the
//!   next byte, so a first segment or peer ACK exactly one further on moves the start there.
//! * Where overlapping copies of the same bytes differ, the first copy buffered wins; a segment
//!   that arrives in order is delivered whole (straight from the packet) and supersedes buffered
//!   copies it covers.
//!
//! Within one packet, what its ACK settles in the opposite direction (gaps, and data that waited
//! behind them) is reported before the packet's own data, since those bytes were sent earlier.
//!
//! Connections are numbered in order of their first packet, like Wireshark's `tcp.stream`,
//! including its rule for 4-tuple reuse: a SYN (without ACK) whose sequence number differs from
//! the one that side started with opens a new connection. When a connection closes (both FINs
//! delivered, or an RST) its buffers are freed and only its [`ConnectionStats`] stay.

// Input-derived data never panics here: no unwrap/expect, no unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod conn_index;
mod emit;
mod flow_table;
mod pending;
mod reassembler;
mod seq;
mod stats;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use flow_table::FlowTable;
pub use stats::{ConnectionStats, DirectionStats};

use crate::capture::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Where a packet came from in the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketMeta {
    /// 1-based frame number.
    pub frame: u64,
    pub time: Timestamp,
    /// Byte offset of the packet's `data[0]` in the capture file.
    pub file_offset: u64,
    /// Frame length on the wire (what Wireshark's `-z conv,tcp` sums as Bytes).
    pub wire_len: u32,
}

/// Which way bytes flow in a connection. The client is the side that sent the SYN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "c2s")]
    ClientToServer,
    #[serde(rename = "s2c")]
    ServerToClient,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ClientToServer => "c2s",
            Direction::ServerToClient => "s2c",
        }
    }

    pub fn reverse(self) -> Direction {
        match self {
            Direction::ClientToServer => Direction::ServerToClient,
            Direction::ServerToClient => Direction::ClientToServer,
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A connection's index: 0, 1, 2... in order of first packet, as Wireshark's `tcp.stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnId(pub u32);

impl std::fmt::Display for ConnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a range of a stream is reported as a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// The peer acknowledged past it: the receiver got these bytes, the capture did not.
    Lost,
    /// The segment was on the wire but the capture's snap length cut its payload.
    SnapLen,
    /// Too much data was waiting behind this hole; it was given up to bound memory.
    BufferLimit,
    /// The connection was reset (or a new connection took over its 4-tuple) with the hole open.
    Closed,
    /// The capture ended with the hole open.
    CaptureEnded,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::Lost => "lost",
            GapReason::SnapLen => "snap_len",
            GapReason::BufferLimit => "buffer_limit",
            GapReason::Closed => "closed",
            GapReason::CaptureEnded => "capture_ended",
        }
    }
}

/// How a direction of a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// This side sent a FIN and every byte before it has been delivered (or declared a gap).
    Fin,
    /// This side sent an RST.
    Rst,
    /// The other side sent an RST, which ends this direction too.
    PeerRst,
    /// A SYN opened a new connection on the same 4-tuple while this one was still open.
    Reused,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Fin => "fin",
            CloseReason::Rst => "rst",
            CloseReason::PeerRst => "peer_rst",
            CloseReason::Reused => "reused",
        }
    }
}

/// What a segment means for the byte streams; see the module docs for the guarantees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowEvent<'a> {
    /// The first packet of a connection.
    Opened {
        conn: ConnId,
        client: SocketAddr,
        server: SocketAddr,
        /// The first packet carried SYN, so the handshake is in the capture and the client/server
        /// roles are known rather than guessed.
        syn_seen: bool,
        frame: u64,
        time: Timestamp,
    },
    /// The next bytes of a direction's stream, at `stream_offset`.
    Data {
        conn: ConnId,
        dir: Direction,
        data: &'a [u8],
        stream_offset: u64,
        /// The frame the bytes came in, its timestamp, and the file offset of `data[0]`.
        frame: u64,
        time: Timestamp,
        file_offset: Option<u64>,
        /// The frame whose arrival made these bytes deliverable: `frame` itself for in-order data,
        /// the hole-filling (or hole-abandoning) frame for data that waited in the buffer. This is
        /// the frame Wireshark reports a PDU at.
        completed_frame: u64,
    },
    /// `len` bytes at `stream_offset` that will never be delivered.
    Gap {
        conn: ConnId,
        dir: Direction,
        stream_offset: u64,
        len: u64,
        /// The frame at which the gap was declared (for `SnapLen`: the truncated segment).
        frame: u64,
        time: Timestamp,
        reason: GapReason,
    },
    /// A direction ended; no more events for it follow.
    Closed {
        conn: ConnId,
        dir: Direction,
        reason: CloseReason,
        frame: u64,
        time: Timestamp,
    },
}

impl FlowEvent<'_> {
    pub fn conn(&self) -> ConnId {
        match self {
            FlowEvent::Opened { conn, .. }
            | FlowEvent::Data { conn, .. }
            | FlowEvent::Gap { conn, .. }
            | FlowEvent::Closed { conn, .. } => *conn,
        }
    }
}

/// Limits that keep reassembly memory bounded on any input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpConfig {
    /// Out-of-order bytes held per direction while waiting for a hole to fill. Past it the oldest
    /// hole is declared a [`GapReason::BufferLimit`] gap. Default 4 MiB: a few windows of a
    /// high-bitrate stream, enough to ride out any real reordering or retransmission.
    pub max_buffered_per_direction: usize,
    /// Out-of-order bytes held across all connections. Past it, the direction that just grew
    /// gives up its holes. Default 64 MiB.
    pub max_buffered_total: usize,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            max_buffered_per_direction: 4 << 20,
            max_buffered_total: 64 << 20,
        }
    }
}
