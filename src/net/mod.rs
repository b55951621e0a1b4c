//! Link, IP and TCP header decoding: turns a captured packet into a TCP segment view.

// Input-derived data never panics here: no unwrap/expect, no unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::net::SocketAddr;

use crate::capture::LinkType;

mod error;
mod fast;
mod ip;
mod link;
mod tunnel;

pub use error::NetError;

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

/// Decodes the link, IP and TCP headers of a captured packet.
///
/// Returns `Ok(None)` for packets that are not TCP (ARP, UDP, ICMP, ...) and for every packet of
/// an unsupported link type ([`LinkType::Other`]; the capture summary reports those once per
/// interface). IP-in-IP, GRE, GTP-U and VXLAN tunnels are followed: the segment then has the
/// inner addresses. The payload is bounded by the IP length, so Ethernet padding is not taken for
/// data; when the snap length cut the packet, `payload` is what was captured and
/// `wire_payload_len` what the IP header says. Checksums are not verified: loopback captures
/// carry offloaded, never-filled-in checksums.
pub fn decode_tcp(link: LinkType, data: &[u8]) -> Result<Option<TcpSegment<'_>>, NetError> {
    // Untagged Ethernet carrying IPv4 first: most packets of most captures.
    if link == LinkType::Ethernet && data.get(12..14) == Some(&[0x08, 0x00][..]) {
        if let Some(segment) = data.get(14..).and_then(|ip| fast::ipv4_tcp(data, ip)) {
            return Ok(Some(segment));
        }
    }
    ip::network_tcp(data, link::network(link, data)?, 0)
}

#[cfg(test)]
mod tests;
