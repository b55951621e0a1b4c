//! Tunnels, and corrupted frames.

use super::*;

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
