//! Link types, IP versions, padding, snap-length cuts, fragments and header errors.

use std::net::{IpAddr, Ipv6Addr};

use super::*;

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
    let error = decode_tcp(LinkType::RawIp, &ipv4(6, 0x2000, &body)).expect_err("fragment");
    let diagnostic = error.to_diagnostic(7, 1234);
    assert_eq!(diagnostic.code, "net.fragment");
    assert_eq!(diagnostic.at.frame, Some(7));
    assert_eq!(diagnostic.at.file_offset, Some(1234));
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

#[test]
fn ipv4_options_and_atomic_ipv6_fragment() {
    // IHL 6: one word of IPv4 options (NOPs) before TCP.
    let mut with_options = ipv4_tcp();
    with_options[0] = 0x46;
    with_options.splice(20..20, [1, 1, 1, 1]);
    let total = with_options.len() as u16;
    with_options[2..4].copy_from_slice(&total.to_be_bytes());
    assert_v4_segment(LinkType::RawIp, &with_options);

    // An IPv6 fragment header with offset 0 and no more fragments is not a fragment.
    let mut body = vec![6, 0, 0, 0, 0, 0, 0, 9]; // fragment header -> TCP
    body.extend(tcp_header(0x18));
    body.extend_from_slice(PAYLOAD);
    let mut v6 = vec![0x60, 0, 0, 0];
    v6.extend((body.len() as u16).to_be_bytes());
    v6.extend([44, 64]);
    v6.extend([0; 32]);
    v6.extend(&body);
    let segment = decode_tcp(LinkType::Ipv6, &v6)
        .expect("decodes")
        .expect("TCP");
    assert_eq!(segment.payload, PAYLOAD);
    // With the more-fragments bit it is one.
    v6[40 + 3] = 1;
    assert_eq!(
        decode_tcp(LinkType::Ipv6, &v6).map(|s| s.is_some()),
        Err(NetError::Fragment {
            id: 9,
            offset: 0,
            more: true
        })
    );
}
