//! Reader tests on hand-built files: what well-formed captures give.

use super::test_files::*;
use super::*;

#[test]
fn pcap_both_orders_and_precisions() {
    for (order, nanos, big) in [
        (Order::Le, false, false),
        (Order::Be, false, true),
        (Order::Le, true, false),
        (Order::Be, true, true),
    ] {
        let (packets, summary) = assert_piecewise_same(&pcap_file(order, nanos));
        let scale = if nanos { 1 } else { 1000 };
        assert_eq!(packets.len(), 3);
        assert_eq!(packets[0].frame, 1);
        assert_eq!(
            packets[0].time,
            Timestamp::new(1_700_000_000, 123_456 * scale)
        );
        assert_eq!(packets[0].data, vec![0xaa; 60]);
        assert_eq!(packets[0].file_offset, 24 + 16);
        assert_eq!(packets[0].link, LinkType::Ethernet);
        assert_eq!(packets[1].orig_len, 1514);
        assert_eq!(
            packets[1].time,
            Timestamp::new(1_700_000_001, 999_999 * scale)
        );
        assert_eq!(packets[1].file_offset, 24 + 16 + 60 + 16);
        assert_eq!(packets[2].frame, 3);
        assert!(packets[2].data.is_empty());
        assert_eq!(summary.format, Some(CaptureFormat::Pcap));
        let expected_order = if big {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        };
        assert_eq!(summary.byte_order, Some(expected_order));
        assert_eq!(summary.packets, 3);
        assert_eq!(summary.captured_bytes, 90);
        assert_eq!(summary.wire_bytes, 60 + 1514);
        assert_eq!(summary.cut_packets, 1);
        assert_eq!(
            summary.interfaces[0].ts_precision_digits(),
            if nanos { 9 } else { 6 }
        );
        assert_eq!(summary.interfaces[0].snaplen, 65535);
        assert_eq!(summary.start_time, Some(packets[0].time));
        assert_eq!(summary.end_time, Some(packets[2].time));
        assert!(summary.time_ordered);
        assert!(summary.notices.is_empty());
    }
}
#[test]
fn pcapng_interfaces_resolutions_and_block_kinds() {
    for order in [Order::Le, Order::Be] {
        let file = pcapng_file(order);
        let (packets, summary) = assert_piecewise_same(&file);
        assert_eq!(packets.len(), 4);
        assert_eq!(
            packets.iter().map(|p| p.frame).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        let first = &packets[0];
        assert_eq!(first.interface, 0);
        assert_eq!(first.link, LinkType::Ethernet);
        assert_eq!(first.time, Timestamp::new(1_700_000_000, 123_456_789));
        assert_eq!(first.data, vec![1, 2, 3, 4, 5]);
        assert_eq!(&file[first.file_offset as usize..][..5], &[1, 2, 3, 4, 5]);
        let second = &packets[1];
        assert_eq!(second.interface, 1);
        assert_eq!(second.link, LinkType::RawIp);
        // 5.25 s in 2^-10 units, plus if_tsoffset 1000 s.
        assert_eq!(second.time, Timestamp::new(1005, 250_000_000));
        assert_eq!(second.orig_len, 40);
        let simple = &packets[2];
        assert_eq!(simple.interface, 0);
        assert_eq!(simple.data, vec![7; 6]);
        assert_eq!(&file[simple.file_offset as usize..][..6], &[7; 6]);
        // No timestamp of its own: the previous packet's.
        assert_eq!(simple.time, second.time);
        let obsolete = &packets[3];
        assert_eq!(obsolete.time, Timestamp::new(1_700_000_002, 0));
        assert_eq!(obsolete.data, vec![8; 3]);

        assert_eq!(summary.format, Some(CaptureFormat::PcapNg));
        assert_eq!(summary.interfaces.len(), 2);
        assert_eq!(summary.interfaces[0].ts_units_per_sec, 1_000_000_000);
        assert_eq!(summary.interfaces[0].name.as_deref(), Some("eth0"));
        assert_eq!(summary.interfaces[1].ts_units_per_sec, 1024);
        assert_eq!(summary.interfaces[1].ts_offset_secs, 1000);
        assert_eq!(summary.interfaces[0].packets, 3);
        assert_eq!(summary.interfaces[1].packets, 1);
        assert_eq!(summary.start_time, Some(second.time));
        assert_eq!(summary.end_time, Some(obsolete.time));
        assert!(!summary.time_ordered);
        assert!(summary
            .notices
            .iter()
            .any(|n| n.code == "capture.untimed_packets"));
    }
}

#[test]
fn pcapng_sections_have_their_own_interfaces_and_byte_order() {
    let mut file = shb(Order::Le);
    file.extend(idb(Order::Le, 1, 0, None, None));
    file.extend(epb(Order::Le, 0, 1_000_000, &[1], 1));
    file.extend(shb(Order::Be));
    file.extend(idb(Order::Be, 113, 0, None, None));
    file.extend(idb(Order::Be, 276, 0, None, None));
    file.extend(epb(Order::Be, 1, 2_000_000, &[2], 1));
    file.extend(epb(Order::Be, 0, 3_000_000, &[3], 1));
    let (packets, summary) = assert_piecewise_same(&file);
    let seen: Vec<_> = packets
        .iter()
        .map(|p| (p.interface, p.link, p.time.secs))
        .collect();
    assert_eq!(
        seen,
        vec![
            (0, LinkType::Ethernet, 1),
            (2, LinkType::LinuxSll2, 2),
            (1, LinkType::LinuxSll, 3)
        ]
    );
    assert_eq!(summary.interfaces[2].section, 1);
    assert_eq!(summary.interfaces[2].id_in_section, 1);
    assert_eq!(summary.byte_order, Some(ByteOrder::Little));
}

#[test]
fn unsupported_link_is_noticed_once_and_still_numbered() {
    let mut file = shb(Order::Le);
    file.extend(idb(Order::Le, 127, 0, None, None)); // 802.11 radiotap
    file.extend(idb(Order::Le, 1, 0, None, None));
    file.extend(epb(Order::Le, 0, 1, &[0; 4], 4));
    file.extend(epb(Order::Le, 0, 2, &[0; 4], 4));
    file.extend(epb(Order::Le, 1, 3, &[0; 4], 4));
    let (packets, summary, result) = read_whole(&file);
    result.expect("reads");
    assert_eq!(packets.len(), 3);
    assert_eq!(packets[0].link, LinkType::Other(127));
    assert_eq!(packets[2].frame, 3);
    assert_eq!(packets[2].link, LinkType::Ethernet);
    let notices: Vec<_> = summary
        .notices
        .iter()
        .filter(|n| n.code == "capture.unsupported_link")
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].text.contains("IEEE802_11_RADIOTAP (127)"),
        "{}",
        notices[0].text
    );
}

#[test]
fn pcap_link_type_ignores_fcs_bits() {
    // LINKTYPE_ETHERNET with "FCS present, 4 bytes" in the top bits.
    let mut file = pcap_header(Order::Le, false, 65535, 0x1000_0000 | (2 << 29) | 1);
    file.extend(pcap_record(Order::Le, 1, 0, &[0; 14], 14));
    let (packets, summary, result) = read_whole(&file);
    result.expect("reads");
    assert_eq!(packets[0].link, LinkType::Ethernet);
    assert_eq!(summary.interfaces[0].link_number, 1);
}

#[test]
fn read_bytes_returns_the_summary() {
    let mut frames = Vec::new();
    let summary =
        read_bytes(&pcap_file(Order::Le, false), |p| frames.push(p.frame)).expect("reads");
    assert_eq!(frames, vec![1, 2, 3]);
    assert_eq!(summary.packets, 3);
    assert_eq!(summary.file_bytes, pcap_file(Order::Le, false).len() as u64);
}
