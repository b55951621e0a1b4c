//! Length fields of 4 GB (a pcapng block length, a snap length, a record's captured length):
//! refused or capped by the reader's record limit (`capture::MAX_RECORD_LEN`, 16 MiB) before any
//! buffer of that size exists. Heap measured with the counting allocator, fed through the whole
//! analyzer in small pieces the way the CLI and the web worker feed it.
#![allow(clippy::unwrap_used)]

mod robust_support;

use robust_support::*;
use rtmpscope::capture::MAX_RECORD_LEN;
use rtmpscope::{Analyzer, AnalyzerOptions, Report};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const MB: usize = 1 << 20;

/// Feeds `file` in 64 KiB pieces, stopping at the first error as the CLI does; returns the
/// report, whether a piece was refused, and the peak heap of the whole run.
fn analyze_in_pieces(file: &[u8]) -> (Report, bool, usize) {
    let base = reset_peak();
    let mut analyzer = Analyzer::new(AnalyzerOptions::default());
    let mut refused = false;
    for piece in file.chunks(64 * 1024) {
        if analyzer.feed(piece).is_err() {
            refused = true;
            break;
        }
    }
    let report = analyzer.finish().unwrap();
    (report, refused, heap_peak_since(base))
}

#[test]
fn a_pcapng_block_length_of_4_gb_is_refused_before_buffering() {
    let mut ng = pcapng_start(65535);
    pcapng_epb(&mut ng, 60, &[0x45; 60]);
    // The block claims 4 GB; 32 MiB of its "body" follow.
    ng.extend(6u32.to_le_bytes());
    ng.extend(0xffff_fff0u32.to_le_bytes());
    ng.extend(vec![0u8; 32 * MB]);
    let (report, refused, peak) = analyze_in_pieces(&ng);
    assert!(refused);
    assert_eq!(report.capture.summary.packets, 1);
    let ended = report.capture.ended_early.as_deref().unwrap();
    assert!(ended.contains("4294967280"), "{ended}");
    eprintln!("pcapng block of 4 GB: peak {peak}");
    assert!(peak <= MB, "peak {peak}");
}

#[test]
fn a_snap_length_of_4_gb_does_not_raise_the_record_limit() {
    // pcapng: the interface's snap length is u32::MAX. Records up to the reader's limit read
    // (one at a time); one block past it is refused, however much the interface allows.
    let mut ng = pcapng_start(u32::MAX);
    let big = MAX_RECORD_LEN as usize - 64;
    for _ in 0..2 {
        pcapng_epb(&mut ng, big as u32, &vec![0x45; big]);
    }
    pcapng_epb(&mut ng, u32::MAX, &[0x45; 60]);
    ng.extend(6u32.to_le_bytes());
    ng.extend((MAX_RECORD_LEN + 4).to_le_bytes());
    ng.extend(vec![0u8; MAX_RECORD_LEN as usize + 64]);
    let (report, refused, peak) = analyze_in_pieces(&ng);
    assert!(refused);
    assert_eq!(report.capture.summary.packets, 3);
    assert_eq!(report.capture.summary.interfaces[0].snaplen, u32::MAX);
    let budget = MAX_RECORD_LEN as usize + MB;
    eprintln!("pcapng, snap length 4 GB: peak {peak} (budget {budget})");
    assert!(peak <= budget, "peak {peak}");

    // pcap: a header snap length of u32::MAX is a notice; a record claiming 4 GB is refused.
    let mut pcap = PcapWriter::new(u32::MAX);
    pcap.record(1, &[0x45; 60]);
    let mut file = pcap.take();
    for field in [1u32, 0, u32::MAX, u32::MAX] {
        file.extend(field.to_le_bytes());
    }
    file.extend(vec![0u8; 32 * MB]);
    let (report, refused, peak) = analyze_in_pieces(&file);
    assert!(refused);
    assert_eq!(report.capture.summary.packets, 1);
    assert!(report
        .capture
        .summary
        .notices
        .iter()
        .any(|n| n.code == "capture.absurd_snaplen"));
    eprintln!("pcap, snap length and record of 4 GB: peak {peak}");
    assert!(peak <= MB, "peak {peak}");
}
