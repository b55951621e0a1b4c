//! The library API: a path, a byte slice, or pieces fed one by one give the same report.

mod common;

use rtmpscope::{analyze_bytes, Analyzer, AnalyzerOptions, Report};

fn options(name: &str) -> AnalyzerOptions {
    AnalyzerOptions {
        file_name: Some(name.to_string()),
        ..AnalyzerOptions::default()
    }
}

fn fed_in_pieces(bytes: &[u8], name: &str, sizes: &[usize]) -> Report {
    let mut analyzer = Analyzer::new(options(name));
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        let (piece, tail) = rest.split_at(n);
        analyzer.feed(piece).expect("feed");
        rest = tail;
        i += 1;
    }
    analyzer.finish().expect("report")
}

#[test]
fn path_bytes_and_pieces_agree() {
    for name in [
        "nginx-ffmpeg-publish.pcap",
        "nginx-ffmpeg-publish-dumpcap.pcapng",
        "nginx-ffmpeg-publish-lossy.pcap",
        "nginx-ffmpeg-publish-snap200.pcap",
        "public/ndpi-rtmp.pcap",
    ] {
        let path = common::data(name);
        let bytes = std::fs::read(&path).expect("read");
        let file_name = path.file_name().and_then(|n| n.to_str()).expect("name");
        let from_path = rtmpscope::analyze_path(&path).expect("path");
        let from_bytes = analyze_bytes(&bytes, options(file_name)).expect("bytes");
        assert_eq!(from_path, from_bytes, "{name}: path vs bytes");
        for sizes in [
            &[1usize, 7, 1500][..],
            &[65_536],
            &[8 << 20],
            &[3, 100_000, 17],
        ] {
            let pieces = fed_in_pieces(&bytes, file_name, sizes);
            assert_eq!(from_bytes, pieces, "{name}: pieces {sizes:?}");
        }
    }
}

#[test]
fn not_a_capture_is_an_error_and_an_empty_capture_is_an_empty_report() {
    let err = analyze_bytes(b"hello, this is not a capture", AnalyzerOptions::default());
    assert!(matches!(
        err,
        Err(rtmpscope::capture::CaptureError::NotACapture { .. })
    ));
    let bytes = std::fs::read(common::data("nginx-ffmpeg-publish.pcap")).expect("read");
    let header_only = analyze_bytes(&bytes[..24], AnalyzerOptions::default()).expect("report");
    assert_eq!(header_only.capture.summary.packets, 0);
    assert!(header_only.messages.is_empty());
}
