//! decode_tcp tests on hand-built packets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::*;

const PAYLOAD: &[u8] = b"\x03RTMP-handshake";

/// A TCP header (20 bytes + 4 bytes of options: MSS) from 1935 to 50000.
fn tcp_header(flags: u8) -> Vec<u8> {
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

fn ipv4(protocol: u8, flags_frag: u16, body: &[u8]) -> Vec<u8> {
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

fn ipv4_tcp() -> Vec<u8> {
    let mut body = tcp_header(0x18); // PSH+ACK
    body.extend_from_slice(PAYLOAD);
    ipv4(6, 0x4000, &body) // DF
}

/// IPv6 with a hop-by-hop and a destination-options extension header before TCP.
fn ipv6_tcp() -> Vec<u8> {
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

fn ethernet(ethertype: u16, tags: &[u16], inner: &[u8]) -> Vec<u8> {
    let mut f = vec![0; 12];
    for tag in tags {
        f.extend(tag.to_be_bytes());
        f.extend([0x00, 0x64]); // VLAN 100
    }
    f.extend(ethertype.to_be_bytes());
    f.extend_from_slice(inner);
    f
}

fn sll(protocol: u16, inner: &[u8]) -> Vec<u8> {
    let mut f = vec![0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0];
    f.extend(protocol.to_be_bytes());
    f.extend_from_slice(inner);
    f
}

fn sll2(protocol: u16, inner: &[u8]) -> Vec<u8> {
    let mut f = protocol.to_be_bytes().to_vec();
    f.extend([0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6]);
    f.extend([0; 8]);
    f.extend_from_slice(inner);
    f
}

fn with_prefix(prefix: &[u8], inner: &[u8]) -> Vec<u8> {
    let mut f = prefix.to_vec();
    f.extend_from_slice(inner);
    f
}

fn assert_v4_segment(link: LinkType, frame: &[u8]) {
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

#[test]
fn ipv4_on_every_link_type() {
    let ip = ipv4_tcp();
    let cases: Vec<(LinkType, Vec<u8>)> = vec![
        (LinkType::Ethernet, ethernet(0x0800, &[], &ip)),
        (LinkType::Ethernet, ethernet(0x0800, &[0x8100], &ip)),
        (LinkType::Ethernet, ethernet(0x0800, &[0x88a8, 0x8100], &ip)),
        (LinkType::Ethernet, ethernet(0x0800, &[0x9100, 0x8100], &ip)),
        (
            LinkType::Ethernet,
            ethernet(
                0x8864,
                &[],
                &with_prefix(&[0x11, 0, 0, 1, 0, 0, 0x00, 0x21], &ip),
            ),
        ),
        (LinkType::LinuxSll, sll(0x0800, &ip)),
        (LinkType::LinuxSll2, sll2(0x0800, &ip)),
        (LinkType::Null, with_prefix(&2u32.to_le_bytes(), &ip)),
        (LinkType::Null, with_prefix(&2u32.to_be_bytes(), &ip)),
        (LinkType::Loop, with_prefix(&2u32.to_be_bytes(), &ip)),
        (LinkType::RawIp, ip.clone()),
        (LinkType::Ipv4, ip.clone()),
    ];
    for (link, frame) in cases {
        assert_v4_segment(link, &frame);
    }
}

#[test]
fn ipv6_with_extension_headers() {
    let ip = ipv6_tcp();
    let mut frames: Vec<(LinkType, Vec<u8>)> = vec![
        (LinkType::Ethernet, ethernet(0x86dd, &[0x8100], &ip)),
        (LinkType::LinuxSll, sll(0x86dd, &ip)),
        (LinkType::LinuxSll2, sll2(0x86dd, &ip)),
        (LinkType::RawIp, ip.clone()),
        (LinkType::Ipv6, ip.clone()),
        (LinkType::Loop, with_prefix(&24u32.to_be_bytes(), &ip)),
    ];
    for family in [10u32, 24, 28, 30] {
        frames.push((LinkType::Null, with_prefix(&family.to_le_bytes(), &ip)));
        frames.push((LinkType::Null, with_prefix(&family.to_be_bytes(), &ip)));
    }
    for (link, frame) in frames {
        let segment = decode_tcp(link, &frame)
            .unwrap_or_else(|e| panic!("{link:?}: {e}"))
            .unwrap_or_else(|| panic!("{link:?}: not TCP"));
        assert_eq!(segment.src.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(segment.dst.port(), 1935);
        assert!(segment.flags.syn && !segment.flags.ack);
        assert_eq!(segment.payload, PAYLOAD);
        assert_eq!(frame.get(segment.payload_offset..), Some(PAYLOAD));
    }
}

#[test]
fn ethernet_padding_is_not_payload() {
    // A bare ACK: 40 bytes of IP in a 60-byte minimum frame, 6 bytes of padding.
    let mut bare_ack = tcp_header(0x10);
    bare_ack.truncate(20);
    bare_ack[12] = 5 << 4; // no options
    let ip = ipv4(6, 0, &bare_ack);
    let mut frame = ethernet(0x0800, &[], &ip);
    frame.resize(60, 0xee);
    let segment = decode_tcp(LinkType::Ethernet, &frame)
        .expect("decodes")
        .expect("TCP");
    assert!(segment.payload.is_empty());
    assert_eq!(segment.wire_payload_len, 0);
}

#[test]
fn snap_length_cut_payload_and_header() {
    let frame = ethernet(0x0800, &[], &ipv4_tcp());
    let header_end = 14 + 20 + 24;
    // Cut 5 bytes into the payload: what was captured, and the wire length from the IP header.
    let cut = &frame[..header_end + 5];
    let segment = decode_tcp(LinkType::Ethernet, cut)
        .expect("decodes")
        .expect("TCP");
    assert_eq!(segment.payload, &PAYLOAD[..5]);
    assert_eq!(segment.wire_payload_len, PAYLOAD.len() as u32);
    assert_eq!(segment.payload_offset, header_end);
    // Cut inside the TCP options.
    let cut = &frame[..header_end - 2];
    assert_eq!(
        decode_tcp(LinkType::Ethernet, cut).map(|s| s.is_some()),
        Err(NetError::TcpTruncated {
            needed: 24,
            available: 22
        })
    );
    // Cut inside the IP header.
    assert!(matches!(
        decode_tcp(LinkType::Ethernet, &frame[..14 + 12]),
        Err(NetError::IpTruncated { .. })
    ));
    // Cut inside the Ethernet header.
    assert!(matches!(
        decode_tcp(LinkType::Ethernet, &frame[..10]),
        Err(NetError::LinkTruncated {
            needed: 14,
            available: 10,
            ..
        })
    ));
    // IPv6, cut in the payload.
    let v6 = ipv6_tcp();
    let segment = decode_tcp(LinkType::Ipv6, &v6[..v6.len() - 4])
        .expect("decodes")
        .expect("TCP");
    assert_eq!(segment.payload.len(), PAYLOAD.len() - 4);
    assert_eq!(segment.wire_payload_len, PAYLOAD.len() as u32);
}

#[test]
fn fragments_are_reported() {
    let mut body = tcp_header(0x10);
    body.extend_from_slice(PAYLOAD);
    // First fragment (MF set) and a later one (offset 185 * 8).
    for (flags_frag, offset, more) in [(0x2000u16, 0u32, true), (185, 1480, false)] {
        let ip = ipv4(6, flags_frag, &body);
        assert_eq!(
            decode_tcp(LinkType::RawIp, &ip).map(|s| s.is_some()),
            Err(NetError::Fragment {
                id: 0x1234,
                offset,
                more
            })
        );
    }
    // A UDP fragment is simply not TCP.
    assert_eq!(
        decode_tcp(LinkType::RawIp, &ipv4(17, 0x2000, &body)).map(|s| s.is_some()),
        Ok(false)
    );
}

#[test]
fn non_tcp_and_unsupported() {
    let udp = ipv4(17, 0, &[0; 8]);
    assert!(matches!(
        decode_tcp(LinkType::Ethernet, &ethernet(0x0800, &[], &udp)),
        Ok(None)
    ));
    assert!(matches!(
        decode_tcp(LinkType::Ethernet, &ethernet(0x0806, &[], &[0; 28])),
        Ok(None)
    ));
    assert!(matches!(
        decode_tcp(LinkType::Null, &with_prefix(&7u32.to_le_bytes(), &udp)),
        Ok(None)
    ));
    assert!(matches!(
        decode_tcp(LinkType::Other(127), &[0; 64]),
        Ok(None)
    ));
    assert_eq!(
        decode_tcp(LinkType::RawIp, &[0x50, 0, 0, 0]).map(|s| s.is_some()),
        Err(NetError::BadIpVersion(5))
    );
    let too_many: Vec<u16> = vec![0x8100; 9];
    assert_eq!(
        decode_tcp(
            LinkType::Ethernet,
            &ethernet(0x0800, &too_many, &ipv4_tcp())
        )
        .map(|s| s.is_some()),
        Err(NetError::TooManyVlanTags(8))
    );
    // TCP data offset below 5.
    let mut bad = tcp_header(0x10);
    bad[12] = 4 << 4;
    assert!(matches!(
        decode_tcp(LinkType::RawIp, &ipv4(6, 0, &bad)),
        Err(NetError::BadTcpHeader(_))
    ));
    // IP total length too short for the TCP header (not a snap-length cut).
    assert!(matches!(
        decode_tcp(LinkType::RawIp, &ipv4(6, 0, &[0; 10])),
        Err(NetError::BadTcpHeader(_))
    ));
}

fn udp(src: u16, dst: u16, body: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend(src.to_be_bytes());
    u.extend(dst.to_be_bytes());
    u.extend(((8 + body.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend_from_slice(body);
    u
}

#[test]
fn tunnels_are_followed_to_the_inner_tcp() {
    let inner = ipv4_tcp();
    // GTP-U G-PDU without options, and with a sequence number and one extension header.
    let mut gtp = vec![0x30, 0xff];
    gtp.extend((inner.len() as u16).to_be_bytes());
    gtp.extend([0, 0, 0, 1]);
    gtp.extend_from_slice(&inner);
    let mut gtp_ext = vec![0x36, 0xff, 0, 0, 0, 0, 0, 1, 0, 7, 0, 0x85];
    gtp_ext.extend([1, 0x10, 0x05, 0x00]); // PDU session container, 4 bytes, no next
    gtp_ext.extend_from_slice(&inner);
    // GRE with a key, carrying IPv4; VXLAN carrying an Ethernet frame.
    let mut gre = vec![0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42];
    gre.extend_from_slice(&inner);
    let mut vxlan = vec![0x08, 0, 0, 0, 0, 0, 1, 0];
    vxlan.extend(ethernet(0x0800, &[0x8100], &inner));
    let cases = [
        ipv4(17, 0, &udp(2152, 2152, &gtp)),
        ipv4(17, 0, &udp(40000, 2152, &gtp_ext)),
        ipv4(47, 0, &gre),
        ipv4(4, 0, &inner),
        ipv4(17, 0, &udp(50001, 4789, &vxlan)),
    ];
    for (i, outer) in cases.iter().enumerate() {
        let frame = ethernet(0x0800, &[0x8100, 0x8100], outer);
        assert_v4_segment(LinkType::Ethernet, &frame);
        assert!(decode_tcp(LinkType::Ethernet, &frame).is_ok(), "case {i}");
    }
    // Other UDP, and GTP-U control messages, are not TCP.
    assert!(matches!(
        decode_tcp(LinkType::RawIp, &ipv4(17, 0, &udp(53, 2153, &gtp))),
        Ok(None)
    ));
    let mut echo = gtp.clone();
    echo[1] = 1;
    assert!(matches!(
        decode_tcp(LinkType::RawIp, &ipv4(17, 0, &udp(2152, 2152, &echo))),
        Ok(None)
    ));
    // A tunnel nested too deep is not followed.
    let mut nested = inner.clone();
    for _ in 0..5 {
        nested = ipv4(4, 0, &nested);
    }
    assert!(matches!(decode_tcp(LinkType::RawIp, &nested), Ok(None)));
}

#[test]
fn corrupted_frames_never_panic() {
    let links = [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Null,
        LinkType::Loop,
        LinkType::RawIp,
        LinkType::Ipv4,
        LinkType::Ipv6,
    ];
    let frames = [
        ethernet(0x0800, &[0x8100], &ipv4_tcp()),
        ethernet(0x86dd, &[], &ipv6_tcp()),
        ipv4(
            17,
            0,
            &udp(
                2152,
                2152,
                &[0x34, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0],
            ),
        ),
        ipv4(
            47,
            0,
            &[0xb0, 0, 0x65, 0x58, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        ),
    ];
    let mut state = 1u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for round in 0..3000 {
        let mut frame = frames[round % frames.len()].clone();
        for _ in 0..1 + next() % 3 {
            let at = next() % frame.len();
            frame[at] = next() as u8;
        }
        frame.truncate(next() % (frame.len() + 1));
        for link in links {
            if let Ok(Some(segment)) = decode_tcp(link, &frame) {
                let end = segment.payload_offset + segment.payload.len();
                assert_eq!(
                    frame.get(segment.payload_offset..end),
                    Some(segment.payload)
                );
                assert!(segment.wire_payload_len as usize >= segment.payload.len());
            }
        }
    }
}
