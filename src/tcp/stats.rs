//! Per-connection counters that outlive the connection's reassembly state.

use super::{CloseReason, ConnId, Direction};
use crate::capture::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// What one side of a connection sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionStats {
    /// Packets sent by this side (with or without payload).
    pub frames: u64,
    /// Sum of their frame lengths on the wire: Wireshark's `-z conv,tcp` Bytes.
    pub wire_bytes: u64,
    /// Packets that carried payload (retransmissions included).
    pub payload_segments: u64,
    /// Payload bytes on the wire, counted every time they were sent.
    pub payload_bytes: u64,
    /// Bytes delivered into the stream, each once however often it was sent.
    pub stream_bytes: u64,
    /// Bytes declared gaps: in the stream but never captured (snap-length cuts included).
    pub gap_bytes: u64,
    /// Number of gaps.
    pub gaps: u64,
    /// Payload segments that brought nothing new (retransmissions and duplicates, and bytes
    /// from before the stream start of a capture that began mid-connection).
    pub retransmitted_segments: u64,
    /// Payload segments that were partly new, partly already seen.
    pub overlapping_segments: u64,
    /// Payload segments that brought new bytes but arrived after later bytes of the stream had
    /// already been seen: reordered on the way, or resent after a loss the capture missed.
    pub out_of_order_segments: u64,
    /// Payload segments that arrived ahead of a hole and had to wait in the buffer for it.
    pub buffered_segments: u64,
    /// Payload segments that came after the stream ended (past its FIN, or after an RST).
    pub after_close_segments: u64,
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    /// The initial sequence number: the SYN's, or, without a SYN, one less than the first
    /// sequence number seen (as Wireshark takes it).
    pub isn: Option<u32>,
    /// How this direction ended, if it did.
    pub closed: Option<CloseReason>,
}

/// One connection: endpoints, time span and both directions' counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStats {
    pub conn: ConnId,
    /// The SYN sender. Without a SYN in the capture it is a guess: the side on a well-known RTMP
    /// port (1935, 1936, 1937, 443, 80, 8080, 8443) is the server, else the lower port, else the
    /// destination of the first packet.
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// The connection's first packet carried SYN: the handshake is in the capture.
    pub syn_seen: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub first_time: Timestamp,
    pub last_time: Timestamp,
    pub c2s: DirectionStats,
    pub s2c: DirectionStats,
}

impl ConnectionStats {
    pub fn direction(&self, dir: Direction) -> &DirectionStats {
        match dir {
            Direction::ClientToServer => &self.c2s,
            Direction::ServerToClient => &self.s2c,
        }
    }

    pub(crate) fn direction_mut(&mut self, dir: Direction) -> &mut DirectionStats {
        match dir {
            Direction::ClientToServer => &mut self.c2s,
            Direction::ServerToClient => &mut self.s2c,
        }
    }

    /// The sending address of a direction.
    pub fn source(&self, dir: Direction) -> SocketAddr {
        match dir {
            Direction::ClientToServer => self.client,
            Direction::ServerToClient => self.server,
        }
    }

    pub fn frames(&self) -> u64 {
        self.c2s.frames + self.s2c.frames
    }

    pub fn wire_bytes(&self) -> u64 {
        self.c2s.wire_bytes + self.s2c.wire_bytes
    }

    /// Seconds from the first to the last packet.
    pub fn duration(&self) -> f64 {
        self.last_time.seconds_since(self.first_time)
    }
}
