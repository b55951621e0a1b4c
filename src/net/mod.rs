//! Link, IP and TCP header decoding: turns a captured packet into a TCP segment view.

use std::net::SocketAddr;

/// TCP header flags that reassembly cares about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    pub psh: bool,
}

/// A TCP segment decoded from one packet, borrowing its payload.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegment<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    pub window: u16,
    /// The payload bytes that were captured.
    pub payload: &'a [u8],
    /// Payload length on the wire, from the IP header. Larger than `payload.len()` when the
    /// capture's snap length cut the packet: the difference never arrived and is a gap.
    pub wire_payload_len: u32,
    /// Offset of `payload[0]` within the packet's captured bytes.
    pub payload_offset: usize,
}
