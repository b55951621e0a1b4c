//! `AnalyzerOptions::keep_messages` off: the report has no message list, and everything else
//! (sessions, streams, analytics, diagnostics) is what the full analysis gives, on the real
//! captures and on damaged copies of them (lost packets, flipped bytes, cut files) that make
//! the decoders resynchronise and hold messages back.

use rtmpscope::{analyze_bytes, AnalyzerOptions, Report};

mod common;

const CAPTURES: &[&str] = &[
    "nginx-ffmpeg-publish.pcap",
    "nginx-ffmpeg-publish-any-sll.pcap",
    "nginx-ffmpeg-publish-any-sll2.pcap",
    "nginx-ffmpeg-publish-dumpcap.pcapng",
    "nginx-ffmpeg-publish-lossy.pcap",
    "nginx-ffmpeg-publish-midstream.pcap",
    "nginx-ffmpeg-publish-snap200.pcap",
    "nginx-gst-rtmp2sink-publish.pcap",
    "nginx-gst-rtmpsink-publish.pcap",
    "nginx-rtmpdump-play.pcap",
    "nms-ffmpeg-publish.pcap",
];

fn analyze(bytes: &[u8], keep_messages: bool) -> Report {
    analyze_bytes(
        bytes,
        AnalyzerOptions {
            keep_messages,
            ..AnalyzerOptions::default()
        },
    )
    .expect("a capture")
}

/// Asserts the lean analysis equals the full one apart from the message list.
fn assert_same(bytes: &[u8], what: &str) {
    let full = analyze(bytes, true);
    let mut lean = analyze(bytes, false);
    assert!(lean.messages.is_empty(), "{what}");
    lean.messages.clone_from(&full.messages);
    assert_eq!(lean, full, "{what}");
}

/// The packets of a legacy pcap file: (record start, record end).
fn packets(pcap: &[u8]) -> Vec<(usize, usize)> {
    let little = pcap.get(..4) == Some(&[0xd4, 0xc3, 0xb2, 0xa1][..])
        || pcap.get(..4) == Some(&[0x4d, 0x3c, 0xb2, 0xa1][..]);
    let mut out = Vec::new();
    let mut at = 24;
    while let Some(header) = pcap.get(at..at + 16) {
        let field: [u8; 4] = header[8..12].try_into().expect("4 bytes");
        let caplen = if little {
            u32::from_le_bytes(field)
        } else {
            u32::from_be_bytes(field)
        } as usize;
        let end = at + 16 + caplen;
        if end > pcap.len() {
            break;
        }
        out.push((at, end));
        at = end;
    }
    out
}

/// The capture without every `n`th packet (from the `skip`th on).
fn drop_packets(pcap: &[u8], n: usize, skip: usize) -> Vec<u8> {
    let mut out = pcap[..24].to_vec();
    for (i, (start, end)) in packets(pcap).into_iter().enumerate() {
        if i < skip || (i - skip) % n != 0 {
            out.extend_from_slice(&pcap[start..end]);
        }
    }
    out
}

/// The capture with one byte flipped near the end of every `n`th packet's payload.
fn flip_bytes(pcap: &[u8], n: usize) -> Vec<u8> {
    let mut out = pcap.to_vec();
    for (i, (start, end)) in packets(pcap).into_iter().enumerate() {
        if i % n == n / 2 && end - start > 16 + 120 {
            out[end - 7] ^= 0x5a;
        }
    }
    out
}

#[test]
fn lean_analysis_equals_the_full_one_on_real_captures() {
    for name in CAPTURES {
        let bytes = std::fs::read(common::data(name)).expect("a tests/data capture");
        assert_same(&bytes, name);
    }
}

#[test]
fn lean_analysis_equals_the_full_one_on_damaged_captures() {
    let mut resynced = 0;
    for name in CAPTURES.iter().filter(|n| n.ends_with(".pcap")) {
        let bytes = std::fs::read(common::data(name)).expect("a tests/data capture");
        let mut variants = vec![
            (
                format!("{name} cut at 60%"),
                bytes[..bytes.len() * 3 / 5].to_vec(),
            ),
            (format!("{name} flipped bytes"), flip_bytes(&bytes, 37)),
        ];
        for (n, skip) in [(50, 7), (13, 30), (5, 200)] {
            variants.push((
                format!("{name} without every {n}th packet"),
                drop_packets(&bytes, n, skip),
            ));
        }
        for (what, variant) in variants {
            let full = analyze(&variant, true);
            if full.diagnostics.iter().any(|d| d.code.starts_with("rtmp.")) {
                resynced += 1;
            }
            assert_same(&variant, &what);
        }
    }
    // The variants do damage the RTMP layer, not only TCP.
    assert!(resynced > 10, "{resynced}");
}

#[test]
fn lean_analysis_equals_the_full_one_on_a_synthetic_capture() {
    let (bytes, _) = rtmpscope::synth::generate(&rtmpscope::synth::SynthConfig::default());
    assert_same(&bytes, "synthetic");
}
