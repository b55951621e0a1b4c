//! The hand-written IPv4/TCP path gives exactly what the general (etherparse) path gives, on
//! every packet of the real captures and on edge cases built by hand.

#![allow(clippy::unwrap_used)]

use super::super::{fast, ip, link};
use super::*;
use crate::capture::{read_path, LinkType};

fn same_as_general(packet: &[u8], link_type: LinkType) -> bool {
    let Ok(network) = link::network(link_type, packet) else {
        return false;
    };
    let link::Network::Ipv4(v4) = network else {
        return false;
    };
    let Some(fast) = fast::ipv4_tcp(packet, v4) else {
        return false;
    };
    let general = ip::general_tcp(packet, network, 0);
    assert_eq!(
        format!("{:?}", Ok::<_, NetError>(Some(fast))),
        format!("{general:?}")
    );
    true
}

#[test]
fn fast_path_matches_the_general_path_on_real_captures() {
    let mut taken = 0;
    for entry in std::fs::read_dir("tests/data").unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().to_string();
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
            continue;
        }
        let _ = read_path(&path, |p| {
            if same_as_general(p.data, p.link) {
                taken += 1;
            }
        });
    }
    assert!(taken > 10_000, "only {taken} packets took the fast path");
}

#[test]
fn fast_path_declines_what_it_does_not_handle() {
    let whole = ipv4_tcp();
    assert!(fast::ipv4_tcp(&whole, &whole).is_some());
    assert!(same_as_general(&whole, LinkType::RawIp));
    // Ethernet padding after the IP length: taken, payload bounded by the IP length.
    let mut padded = whole.clone();
    padded.extend([0; 6]);
    let seg = fast::ipv4_tcp(&padded, &padded).unwrap();
    assert_eq!(seg.payload, PAYLOAD);
    assert!(same_as_general(&padded, LinkType::RawIp));
    // Cut by the snap length, a fragment, a zero length field, a short TCP data offset, not
    // TCP: all left to the general path.
    let cut = &whole[..whole.len() - 3];
    assert!(fast::ipv4_tcp(cut, cut).is_none());
    let mut body = tcp_header(0x18);
    body.extend_from_slice(PAYLOAD);
    let fragment = ipv4(6, 0x2000, &body);
    assert!(fast::ipv4_tcp(&fragment, &fragment).is_none());
    let mut zero_len = whole.clone();
    zero_len[2..4].copy_from_slice(&[0, 0]);
    assert!(fast::ipv4_tcp(&zero_len, &zero_len).is_none());
    let mut bad_offset = whole.clone();
    bad_offset[20 + 12] = 4 << 4;
    assert!(fast::ipv4_tcp(&bad_offset, &bad_offset).is_none());
    let udp = ipv4(17, 0, &body);
    assert!(fast::ipv4_tcp(&udp, &udp).is_none());
    // IP options (IHL 15): whatever the fast path takes, it decodes as the general path does.
    let mut long_ihl = whole.clone();
    long_ihl[0] = 0x4f;
    same_as_general(&long_ihl, LinkType::RawIp);
}
