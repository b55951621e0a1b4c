//! Reader tests on hand-built files: bad input gives typed errors, never a panic.

use super::test_files::*;
use super::*;

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

#[test]
fn errors_become_diagnostics_with_their_location() {
    let file = pcap_file(Order::Le, false);
    let (_, _, result) = read_whole(&file[..30]);
    let Err(error) = result else {
        panic!("expected an error")
    };
    let diagnostic = error.to_diagnostic();
    assert_eq!(diagnostic.code, "capture.truncated");
    assert_eq!(diagnostic.severity, crate::diagnostic::Severity::Warning);
    assert_eq!(diagnostic.at.frame, Some(1));
    assert_eq!(diagnostic.at.file_offset, Some(24));
    assert!(
        diagnostic.text.contains("cut off at byte 24"),
        "{}",
        diagnostic.text
    );
    let not_capture = read_whole(b"GET / HTTP/1.1\r\n")
        .2
        .expect_err("not a capture");
    assert_eq!(not_capture.to_diagnostic().at.frame, None);
    assert_eq!(not_capture.code(), "capture.not_a_capture");
}
