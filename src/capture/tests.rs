//! Reader tests on hand-built files.

use super::test_files::*;
use super::*;

/// A delivered packet, owned, for comparisons.
#[derive(Debug, Clone, PartialEq)]
struct Got {
    frame: u64,
    time: Timestamp,
    interface: u32,
    link: LinkType,
    data: Vec<u8>,
    orig_len: u32,
    file_offset: u64,
}

fn got(p: &Packet<'_>) -> Got {
    Got {
        frame: p.frame,
        time: p.time,
        interface: p.interface,
        link: p.link,
        data: p.data.to_vec(),
        orig_len: p.orig_len,
        file_offset: p.file_offset,
    }
}

/// Feeds `file` in the given slice sizes (cycled), returns packets, summary and the result.
fn read_in_pieces(
    file: &[u8],
    mut sizes: impl Iterator<Item = usize>,
) -> (Vec<Got>, CaptureSummary, Result<(), CaptureError>) {
    let mut reader = CaptureReader::new();
    let mut packets = Vec::new();
    let mut rest = file;
    let mut result = Ok(());
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        result = reader.feed(piece, &mut |p: &Packet<'_>| packets.push(got(p)));
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        result = reader.finish();
    }
    (packets, reader.summary().clone(), result)
}

fn read_whole(file: &[u8]) -> (Vec<Got>, CaptureSummary, Result<(), CaptureError>) {
    read_in_pieces(file, std::iter::once(file.len().max(1)))
}

/// Whole, one byte at a time, and random slice sizes must agree exactly.
fn assert_piecewise_same(file: &[u8]) -> (Vec<Got>, CaptureSummary) {
    let (whole, summary, result) = read_whole(file);
    result.expect("whole file reads");
    let (bytes, summary_bytes, result) = read_in_pieces(file, std::iter::repeat(1));
    result.expect("byte-wise read");
    assert_eq!(whole, bytes);
    assert_eq!(summary, summary_bytes);
    for seed in 0..20 {
        let (random, summary_random, result) = read_in_pieces(file, slice_sizes(seed, 97));
        result.expect("random-slice read");
        assert_eq!(whole, random, "seed {seed}");
        assert_eq!(summary, summary_random);
    }
    (whole, summary)
}

fn pcap_file(order: Order, nanos: bool) -> Vec<u8> {
    let mut file = pcap_header(order, nanos, 65535, 1);
    file.extend(pcap_record(order, 1_700_000_000, 123_456, &[0xaa; 60], 60));
    file.extend(pcap_record(
        order,
        1_700_000_001,
        999_999,
        &[0xbb; 30],
        1514,
    ));
    file.extend(pcap_record(order, 1_700_000_002, 0, &[], 0));
    file
}

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

/// Two interfaces with different link types and resolutions (10^-9, 2^-10 with an offset), an
/// EPB on each, an SPB, an obsolete PB, and blocks to skip.
fn pcapng_file(order: Order) -> Vec<u8> {
    let mut file = shb(order);
    file.extend(idb(order, 1, 262_144, Some(9), None));
    file.extend(block(order, 4, &[0, 0, 0, 0])); // Name Resolution Block, empty
    file.extend(idb(order, 101, 0, Some(0x80 | 10), Some(1000)));
    file.extend(epb(
        order,
        0,
        1_700_000_000_123_456_789,
        &[1, 2, 3, 4, 5],
        5,
    ));
    file.extend(block(order, 0x0BAD_F00D, &[9; 10])); // unknown block
    file.extend(epb(order, 1, 5 * 1024 + 256, &[0x45, 0, 0], 40));
    file.extend(spb(order, &[7; 6], 6));
    file.extend(obsolete_pb(order, 0, 1_700_000_002_000_000_000, &[8; 3]));
    file.extend(block(order, 5, &[0; 16])); // Interface Statistics Block
    file
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
fn not_a_capture() {
    for (input, hint) in [
        (&b""[..], "empty"),
        (&b"ab"[..], "only 2 byte"),
        (&b"Hello, this is a text file\n"[..], "plain text"),
        (&b"\x1f\x8b\x08\x00\x00\x00\x00\x00"[..], "gzip"),
    ] {
        let (packets, _, result) = read_whole(input);
        assert!(packets.is_empty());
        match result {
            Err(CaptureError::NotACapture { looks_like }) => {
                assert!(looks_like.contains(hint), "{looks_like}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn truncated_record_reports_offset_and_frame() {
    let file = pcap_file(Order::Le, false);
    // Cut the third record (16-byte header, no data) in the middle of its header.
    let third = 24 + 16 + 60 + 16 + 30;
    let cut = &file[..third + 10];
    for sizes in [vec![cut.len()], vec![1], vec![7, 3, 50]] {
        let (packets, summary, result) = read_in_pieces(cut, sizes.into_iter().cycle());
        assert_eq!(packets.len(), 2);
        assert_eq!(summary.packets, 2);
        match result {
            Err(CaptureError::Truncated {
                offset,
                frame,
                needed,
                available,
                ..
            }) => {
                assert_eq!(
                    (offset, frame, needed, available),
                    (third as u64, 3, 16, 10)
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // Cut inside the second record's data.
    let (_, _, result) = read_whole(&file[..24 + 16 + 60 + 20]);
    assert!(matches!(
        result,
        Err(CaptureError::Truncated {
            offset: 100,
            frame: 2,
            needed: 46,
            available: 20,
            ..
        })
    ));
    // Cut inside the file header.
    let (_, _, result) = read_whole(&file[..10]);
    assert!(matches!(
        result,
        Err(CaptureError::Truncated {
            frame: 1,
            needed: 24,
            ..
        })
    ));
    // pcapng, cut inside the last block.
    let ng = pcapng_file(Order::Le);
    let (packets, _, result) = read_whole(&ng[..ng.len() - 3]);
    assert_eq!(packets.len(), 4);
    assert!(matches!(
        result,
        Err(CaptureError::Truncated {
            frame: 5,
            what: "Interface Statistics Block",
            ..
        })
    ));
}

#[test]
fn absurd_lengths_are_rejected_without_buffering() {
    // pcap record with a 4 GB captured length.
    let mut file = pcap_header(Order::Le, false, 65535, 1);
    file.extend(pcap_record(Order::Le, 1, 0, &[1; 4], 4));
    let bad_at = file.len() as u64;
    file.extend(Order::Le.u32(2));
    file.extend(Order::Le.u32(0));
    file.extend(Order::Le.u32(u32::MAX));
    file.extend(Order::Le.u32(u32::MAX));
    let mut reader = CaptureReader::new();
    let mut count = 0;
    let result = reader.feed(&file, &mut |_: &Packet<'_>| count += 1);
    assert_eq!(count, 1);
    assert!(matches!(
        result,
        Err(CaptureError::RecordTooLarge { offset, frame: 2, length: 0xffff_ffff, .. }) if offset == bad_at
    ));
    assert!(reader.carry.capacity() < 1024);
    // The reader stays failed.
    assert!(reader.feed(&[0; 4], &mut |_: &Packet<'_>| {}).is_err());
    assert!(reader.finish().is_err());

    // pcapng block of 4 GB, in both byte orders.
    for order in [Order::Le, Order::Be] {
        let mut ng = shb(order);
        ng.extend(order.u32(6));
        ng.extend(order.u32(0xffff_fff0));
        ng.extend([0; 8]);
        let (_, _, result) = read_whole(&ng);
        assert!(matches!(
            result,
            Err(CaptureError::RecordTooLarge { frame: 1, .. })
        ));
    }

    // An absurd snap length in the header is only a notice; records still read.
    let mut file = pcap_header(Order::Be, false, u32::MAX, 1);
    file.extend(pcap_record(Order::Be, 1, 0, &[1; 4], 4));
    let (packets, summary, result) = read_whole(&file);
    result.expect("reads");
    assert_eq!(packets.len(), 1);
    assert!(summary
        .notices
        .iter()
        .any(|n| n.code == "capture.absurd_snaplen"));
}

#[test]
fn malformed_pcapng_blocks() {
    let base = || {
        let mut f = shb(Order::Le);
        f.extend(idb(Order::Le, 1, 0, None, None));
        f
    };
    // Length not a multiple of 4.
    let mut file = base();
    file.extend(Order::Le.u32(6));
    file.extend(Order::Le.u32(13));
    file.extend([0; 8]);
    let (_, _, result) = read_whole(&file);
    assert!(matches!(
        result,
        Err(CaptureError::Malformed { frame: 1, .. })
    ));
    // Trailing length differs.
    let mut file = base();
    let mut block = epb(Order::Le, 0, 1, &[1, 2, 3, 4], 4);
    let n = block.len();
    block[n - 4] ^= 0x40;
    file.extend(block);
    let (_, _, result) = read_whole(&file);
    assert!(matches!(
        result,
        Err(CaptureError::Malformed {
            frame: 1,
            what: "Enhanced Packet Block",
            ..
        })
    ));
    // Captured length larger than the block.
    let mut file = base();
    let mut block = epb(Order::Le, 0, 1, &[1, 2, 3, 4], 4);
    block[20..24].copy_from_slice(&1000u32.to_le_bytes());
    file.extend(block);
    let (_, _, result) = read_whole(&file);
    assert!(matches!(result, Err(CaptureError::Malformed { .. })));
    // Packet on an undeclared interface.
    let mut file = base();
    file.extend(epb(Order::Le, 0, 1, &[1], 1));
    let bad_at = file.len() as u64;
    file.extend(epb(Order::Le, 3, 1, &[1], 1));
    let (packets, _, result) = read_whole(&file);
    assert_eq!(packets.len(), 1);
    match result {
        Err(CaptureError::Malformed {
            offset,
            frame,
            reason,
            ..
        }) => {
            assert_eq!((offset, frame), (bad_at, 2));
            assert!(reason.contains("interface id 3"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Wrong byte-order magic in the section header.
    let mut file = shb(Order::Le);
    file[8] = 0x99;
    let (_, _, result) = read_whole(&file);
    assert!(matches!(
        result,
        Err(CaptureError::Malformed { offset: 0, .. })
    ));
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

#[test]
fn corrupted_files_never_panic_and_slicing_agrees() {
    let originals = [
        pcap_file(Order::Le, false),
        pcap_file(Order::Be, true),
        pcapng_file(Order::Le),
        pcapng_file(Order::Be),
    ];
    let mut sizes = slice_sizes(99, 40);
    for seed in 0..400u64 {
        let mut file = originals[(seed % 4) as usize].clone();
        let mut picks = slice_sizes(seed, file.len());
        for _ in 0..1 + seed % 4 {
            let at = picks.next().unwrap_or(1) - 1;
            file[at] ^= 1 << (seed % 8);
        }
        if seed % 5 == 0 {
            file.truncate(picks.next().unwrap_or(1));
        }
        let (whole, _, whole_result) = read_whole(&file);
        let (sliced, _, sliced_result) = read_in_pieces(&file, &mut sizes);
        assert_eq!(whole, sliced, "seed {seed}");
        assert_eq!(
            whole_result.map_err(|e| e.to_string()),
            sliced_result.map_err(|e| e.to_string()),
            "seed {seed}"
        );
    }
}
