//! decode_tcp tests on hand-built packets: builders shared by the test files.

mod fast;
mod headers;
mod tunnels;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::*;

pub(super) const PAYLOAD: &[u8] = b"\x03RTMP-handshake";

/// A TCP header (20 bytes + 4 bytes of options: MSS) from 1935 to 50000.
pub(super) fn tcp_header(flags: u8) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend(50000u16.to_be_bytes());
    h.extend(1935u16.to_be_bytes());
    h.extend(0x0102_0304u32.to_be_bytes());
    h.extend(0x0a0b_0c0du32.to_be_bytes());
    h.push(6 << 4); // data offset 6 words
    h.push(flags);
    h.extend(4096u16.to_be_bytes());
    h.extend([0xde, 0xad]); // checksum: deliberately wrong, never verified
    h.extend([0, 0]);
    h.extend([2, 4, 0x05, 0xb4]); // MSS 1460
    h
}

pub(super) fn ipv4(protocol: u8, flags_frag: u16, body: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0];
    p.extend(((20 + body.len()) as u16).to_be_bytes());
    p.extend(0x1234u16.to_be_bytes());
    p.extend(flags_frag.to_be_bytes());
    p.extend([64, protocol, 0, 0]);
    p.extend([10, 0, 0, 1]);
    p.extend([10, 0, 0, 2]);
    p.extend_from_slice(body);
    p
}

pub(super) fn ipv4_tcp() -> Vec<u8> {
    let mut body = tcp_header(0x18); // PSH+ACK
    body.extend_from_slice(PAYLOAD);
    ipv4(6, 0x4000, &body) // DF
}

/// IPv6 with a hop-by-hop and a destination-options extension header before TCP.
pub(super) fn ipv6_tcp() -> Vec<u8> {
    let mut body = vec![60, 0, 1, 4, 0, 0, 0, 0]; // hop-by-hop -> dest options, PadN
    body.extend([6, 0, 1, 4, 0, 0, 0, 0]); // dest options -> TCP
    body.extend(tcp_header(0x02)); // SYN
    body.extend_from_slice(PAYLOAD);
    let mut p = vec![0x60, 0, 0, 0];
    p.extend((body.len() as u16).to_be_bytes());
    p.extend([0, 64]); // next header: hop-by-hop
    p.extend(Ipv6Addr::LOCALHOST.octets());
    p.extend(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1).octets());
    p.extend(body);
    p
}

pub(super) fn ethernet(ethertype: u16, tags: &[u16], inner: &[u8]) -> Vec<u8> {
    let mut f = vec![0; 12];
    for tag in tags {
        f.extend(tag.to_be_bytes());
        f.extend([0x00, 0x64]); // VLAN 100
    }
    f.extend(ethertype.to_be_bytes());
    f.extend_from_slice(inner);
    f
}

pub(super) fn sll(protocol: u16, inner: &[u8]) -> Vec<u8> {
    let mut f = vec![0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend(protocol.to_be_bytes());
    f.extend_from_slice(inner);
    f
}

pub(super) fn sll2(protocol: u16, inner: &[u8]) -> Vec<u8> {
    let mut f = protocol.to_be_bytes().to_vec();
    f.extend([0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6]);
    f.extend([0; 8]);
    f.extend_from_slice(inner);
    f
}

pub(super) fn with_prefix(prefix: &[u8], inner: &[u8]) -> Vec<u8> {
    let mut f = prefix.to_vec();
    f.extend_from_slice(inner);
    f
}

pub(super) fn assert_v4_segment(link: LinkType, frame: &[u8]) {
    let segment = decode_tcp(link, frame)
        .unwrap_or_else(|e| panic!("{link:?}: {e}"))
        .unwrap_or_else(|| panic!("{link:?}: not TCP"));
    assert_eq!(
        segment.src,
        SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 50000)
    );
    assert_eq!(
        segment.dst,
        SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 1935)
    );
    assert_eq!(segment.seq, 0x0102_0304);
    assert_eq!(segment.ack, 0x0a0b_0c0d);
    assert_eq!(
        segment.flags,
        TcpFlags {
            ack: true,
            psh: true,
            ..TcpFlags::default()
        }
    );
    assert_eq!(segment.window, 4096);
    assert_eq!(segment.payload, PAYLOAD);
    assert_eq!(segment.wire_payload_len, PAYLOAD.len() as u32);
    assert_eq!(
        frame.get(segment.payload_offset..),
        Some(PAYLOAD),
        "{link:?}"
    );
}

pub(super) fn udp(src: u16, dst: u16, body: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend(src.to_be_bytes());
    u.extend(dst.to_be_bytes());
    u.extend(((8 + body.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend_from_slice(body);
    u
}
