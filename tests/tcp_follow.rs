//! Reassembled bytes on real captures against Wireshark's `-z follow,tcp,raw`, snap-length cuts
//! as gaps, and file offsets of delivered bytes.

mod tcp_support;

use rtmpscope::capture::{read_path, Packet};
use rtmpscope::net::decode_tcp;
use rtmpscope::tcp::{
    CloseReason, Direction, FlowEvent, FlowTable, GapReason, PacketMeta, TcpConfig,
};
use tcp_support::{
    all_captures, data, expect_rows, reassemble, sha256_hex, Reassembled, StreamRecord,
};

/// Compares one capture's reassembled directions with a `-z follow,tcp,raw` digest file.
fn assert_follow_digest(capture: &str, expect: &str) -> Reassembled {
    let r = reassemble(&data(capture));
    let rows = expect_rows(expect);
    assert_eq!(rows.len(), 2);
    for row in rows {
        let dir = if row[0] == "c2s" {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let s = r.stream(0, dir);
        assert_eq!(
            s.gaps,
            vec![],
            "{capture} {dir}: no bytes are missing from this capture"
        );
        assert_eq!(s.data.len().to_string(), row[1], "{capture} {dir} length");
        assert_eq!(sha256_hex(&s.data), row[2], "{capture} {dir} SHA-256");
        assert_eq!(
            r.connections[0].direction(dir).stream_bytes,
            s.data.len() as u64
        );
    }
    r
}

#[test]
fn lossy_capture_reassembles_to_wiresharks_bytes() {
    let r = assert_follow_digest("nginx-ffmpeg-publish-lossy.pcap", "tcp-lossy-follow.txt");
    let c2s = &r.connections[0].c2s;
    // the capture's README: 37 full duplicates, 48 late segments that fill a hole
    assert_eq!(c2s.retransmitted_segments, 37);
    assert_eq!(c2s.out_of_order_segments, 48);
    assert!(
        c2s.buffered_segments >= 38,
        "38 segments open a hole; more wait behind them"
    );
    assert_eq!(c2s.overlapping_segments, 0);
    assert_eq!(
        r.stream(0, Direction::ClientToServer).closed,
        Some(CloseReason::Fin)
    );
}

#[test]
fn clean_capture_reassembles_to_wiresharks_bytes() {
    let r = assert_follow_digest("nginx-ffmpeg-publish.pcap", "tcp-clean-follow.txt");
    let c2s = &r.connections[0].c2s;
    assert_eq!(
        (
            c2s.retransmitted_segments,
            c2s.out_of_order_segments,
            c2s.buffered_segments
        ),
        (0, 0, 0)
    );
    assert_eq!(c2s.payload_bytes, c2s.stream_bytes);
}

#[test]
fn every_stream_carries_wiresharks_follow_bytes() {
    let rows = expect_rows("tcp-follow-all.tsv");
    for capture in all_captures() {
        let r = reassemble(&data(&capture));
        let expected: Vec<&Vec<String>> = rows.iter().filter(|row| row[0] == capture).collect();
        assert!(!expected.is_empty(), "{capture}: no follow digests");
        for row in expected {
            let conn: u32 = row[1].parse().expect("stream number");
            let c = r
                .connections
                .get(conn as usize)
                .unwrap_or_else(|| panic!("{capture}: no connection {conn}"));
            let dir = if c.client.to_string() == row[2] {
                Direction::ClientToServer
            } else {
                assert_eq!(c.server.to_string(), row[2], "{capture} {conn}");
                Direction::ServerToClient
            };
            let empty = StreamRecord::default();
            let s = r.streams.get(&(conn, dir)).unwrap_or(&empty);
            // Wireshark's follow glues the captured bytes together across snap-length cuts; our
            // captured bytes must be the same, and the cuts must be gaps (see the snap200 test).
            let what = format!("{capture} stream {conn} {dir}");
            assert_eq!(s.data.len().to_string(), row[3], "{what}: length");
            assert_eq!(sha256_hex(&s.data), row[4], "{what}: SHA-256");
            if !capture.contains("snap200") {
                assert_eq!(s.gaps, vec![], "{what}: nothing is missing");
            }
        }
    }
}

#[test]
fn snap_length_cuts_are_gaps_not_data() {
    let r = reassemble(&data("nginx-ffmpeg-publish-snap200.pcap"));
    let c = &r.connections[0];
    for row in expect_rows("tcp-snap200-cuts.txt") {
        let dir = if row[0] == "c2s" {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let [payload_bytes, cut_segments, cut_bytes] =
            [&row[1], &row[2], &row[3]].map(|v| v.parse::<u64>().expect("number"));
        let s = r.stream(0, dir);
        let stats = c.direction(dir);
        assert_eq!(
            s.gaps.len() as u64,
            cut_segments,
            "{dir}: one gap per cut segment"
        );
        assert_eq!(
            stats.gap_bytes, cut_bytes,
            "{dir}: gap bytes are the bytes cut"
        );
        assert_eq!(s.gaps.iter().map(|g| g.1).sum::<u64>(), cut_bytes);
        assert_eq!(
            stats.stream_bytes + stats.gap_bytes,
            payload_bytes,
            "{dir}: every byte once"
        );
        assert_eq!(s.next, payload_bytes);
        // each gap is exactly the cut-off tail of the segment it is attributed to
        for &(_, len, reason, frame) in &s.gaps {
            assert_eq!(reason, GapReason::SnapLen);
            let seg = r
                .segments
                .iter()
                .find(|s| s.frame == frame)
                .expect("gap frame");
            assert_eq!(
                len,
                u64::from(seg.wire) - seg.captured as u64,
                "frame {frame}"
            );
            assert_eq!(seg.src, c.source(dir));
        }
    }
}

#[test]
fn delivered_bytes_point_back_into_the_file() {
    for capture in [
        "nginx-ffmpeg-publish-lossy.pcap",
        "nginx-ffmpeg-publish-dumpcap.pcapng",
    ] {
        let path = data(capture);
        let file = std::fs::read(&path).expect("capture");
        let mut table = FlowTable::new(TcpConfig::default());
        let mut checked = 0usize;
        let mut delayed = 0usize;
        let mut sink = |event: FlowEvent<'_>| {
            if let FlowEvent::Data {
                data,
                file_offset,
                frame,
                completed_frame,
                ..
            } = event
            {
                let at = file_offset.expect("file offset") as usize;
                assert_eq!(file.get(at..at + data.len()), Some(data), "frame {frame}");
                assert!(completed_frame >= frame);
                checked += data.len();
                delayed += usize::from(completed_frame > frame);
            }
        };
        read_path(&path, |p: &Packet<'_>| {
            if let Ok(Some(seg)) = decode_tcp(p.link, p.data) {
                let meta = PacketMeta {
                    frame: p.frame,
                    time: p.time,
                    file_offset: p.file_offset,
                    wire_len: p.orig_len,
                };
                table.push(meta, &seg, &mut sink);
            }
        })
        .expect("read");
        table.finish(&mut sink);
        assert!(checked > 500_000, "{capture}");
        if capture.contains("lossy") {
            assert!(
                delayed >= 38,
                "reordered data is completed by a later frame"
            );
        }
    }
}

#[test]
fn capture_started_mid_connection() {
    let r = reassemble(&data("nginx-ffmpeg-publish-midstream.pcap"));
    let c = &r.connections[0];
    assert!(!c.syn_seen);
    assert_eq!(
        c.server.port(),
        1935,
        "the well-known port marks the server"
    );
    assert_eq!(
        r.stream(0, Direction::ClientToServer).closed,
        Some(CloseReason::Fin)
    );
    assert_eq!(c.c2s.gap_bytes + c.s2c.gap_bytes, 0);
}
