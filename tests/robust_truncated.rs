//! Captures cut off anywhere: everything before the cut is analyzed exactly as in the whole
//! file, the report says where the file ended, and the CLI still only fails (exit 2, one line)
//! when there is nothing to analyze.
#![allow(clippy::unwrap_used)]

mod common;

use rtmpscope::rtmp::Dir;
use rtmpscope::{AnalyzerOptions, Report};

/// (dir, type, length, timestamp, csid) of the undamaged messages, per direction.
fn messages(report: &Report, dir: Dir) -> Vec<(u8, u32, u32, u32)> {
    report
        .messages
        .iter()
        .map(|r| &r.message)
        .filter(|m| m.dir == dir && !m.damaged)
        .map(|m| (m.type_id, m.length, m.timestamp, m.csid))
        .collect()
}

fn check_cuts(name: &str) {
    let bytes = std::fs::read(common::data(name)).unwrap();
    let whole = rtmpscope::analyze_bytes(&bytes, AnalyzerOptions::default()).unwrap();
    assert!(whole.capture.ended_early.is_none());
    for fraction in [0.13, 0.5, 0.77, 0.999] {
        let cut = (bytes.len() as f64 * fraction) as usize;
        for at in [cut, cut + 1, cut + 17] {
            let report =
                rtmpscope::analyze_bytes(&bytes[..at], AnalyzerOptions::default()).unwrap();
            let ended = report.capture.ended_early.as_deref().unwrap_or_default();
            assert!(
                !ended.is_empty(),
                "{name} cut at {at}: the report says where"
            );
            let diagnostic = report
                .diagnostics
                .iter()
                .find(|d| d.code == "capture.ended_early")
                .unwrap();
            let offset = diagnostic.at.file_offset.unwrap();
            assert!(
                offset <= at as u64 && offset + 65_600 > at as u64,
                "{offset} vs {at}"
            );
            // Every message decoded before the cut is the whole file's, in the same order.
            for dir in [Dir::C2S, Dir::S2C] {
                let part = messages(&report, dir);
                let all = messages(&whole, dir);
                assert_eq!(&all[..part.len()], &part[..], "{name} cut at {at} {dir:?}");
            }
            assert!(report.connections.len() <= whole.connections.len());
        }
    }
}

#[test]
fn pcap_cut_anywhere() {
    check_cuts("nginx-ffmpeg-publish.pcap");
    check_cuts("nginx-ffmpeg-publish-midstream.pcap");
}

#[test]
fn pcapng_cut_anywhere() {
    check_cuts("nginx-ffmpeg-publish-dumpcap.pcapng");
}

#[test]
fn nothing_to_analyze_is_exit_2_with_one_line() {
    let dir = std::env::temp_dir().join(format!("rtmpscope-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let header_only = dir.join("junk.pcap");
    std::fs::write(&header_only, b"\xd4\xc3\xb2").unwrap();
    for path in [&dir, &empty, &header_only] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
            .args(["summary", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(out.stdout.is_empty());
    }
    let _ = std::fs::remove_dir_all(dir);
}
