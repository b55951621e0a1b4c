//! TCP reassembly on real captures, checked against Wireshark: the connection list against
//! `-z conv,tcp`, the reassembled bytes against `-z follow,tcp,raw`.

use rtmpscope::capture::{read_path, Packet};
use rtmpscope::net::decode_tcp;
use rtmpscope::tcp::{
    CloseReason, ConnectionStats, Direction, FlowEvent, FlowTable, GapReason, PacketMeta, TcpConfig,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn data(name: &str) -> PathBuf {
    Path::new(DATA).join(name)
}

/// Every capture under tests/data and tests/data/public, as paths relative to tests/data.
fn all_captures() -> Vec<String> {
    let mut names = Vec::new();
    for sub in ["", "public"] {
        let dir = Path::new(DATA).join(sub);
        let mut found: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".cap"))
            .map(|n| {
                if sub.is_empty() {
                    n
                } else {
                    format!("{sub}/{n}")
                }
            })
            .collect();
        found.sort();
        names.extend(found);
    }
    assert!(names.len() >= 17, "captures missing from {DATA}: {names:?}");
    names
}

/// Non-comment lines of an expectation file, split on whitespace.
fn expect_rows(name: &str) -> Vec<Vec<String>> {
    expect_file(name)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn expect_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/expect")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Default)]
struct StreamRecord {
    data: Vec<u8>,
    /// Next stream offset: data and gaps must tile the stream.
    next: u64,
    gaps: Vec<(u64, u64, GapReason, u64)>,
    closed: Option<CloseReason>,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    frame: u64,
    src: SocketAddr,
    captured: usize,
    wire: u32,
}

#[derive(Debug)]
struct Reassembled {
    connections: Vec<ConnectionStats>,
    streams: BTreeMap<(u32, Direction), StreamRecord>,
    /// Every TCP segment: frame, source, captured payload length, payload length on the wire.
    segments: Vec<Segment>,
}

impl Reassembled {
    fn stream(&self, conn: u32, dir: Direction) -> &StreamRecord {
        self.streams
            .get(&(conn, dir))
            .unwrap_or_else(|| panic!("no stream {conn} {dir}"))
    }
}

fn reassemble(path: &Path) -> Reassembled {
    let mut table = FlowTable::new(TcpConfig::default());
    let mut streams: BTreeMap<(u32, Direction), StreamRecord> = BTreeMap::new();
    let mut segments = Vec::new();
    let mut sink = |event: FlowEvent<'_>| match event {
        FlowEvent::Opened { .. } => {}
        FlowEvent::Data {
            conn,
            dir,
            data,
            stream_offset,
            ..
        } => {
            let s = streams.entry((conn.0, dir)).or_default();
            assert_eq!(stream_offset, s.next, "data out of place in {conn} {dir}");
            s.data.extend_from_slice(data);
            s.next += data.len() as u64;
        }
        FlowEvent::Gap {
            conn,
            dir,
            stream_offset,
            len,
            frame,
            reason,
            ..
        } => {
            let s = streams.entry((conn.0, dir)).or_default();
            assert_eq!(stream_offset, s.next, "gap out of place in {conn} {dir}");
            s.gaps.push((stream_offset, len, reason, frame));
            s.next += len;
        }
        FlowEvent::Closed {
            conn, dir, reason, ..
        } => {
            let s = streams.entry((conn.0, dir)).or_default();
            assert!(s.closed.is_none(), "closed twice");
            s.closed = Some(reason);
        }
    };
    read_path(path, |p: &Packet<'_>| {
        if let Ok(Some(seg)) = decode_tcp(p.link, p.data) {
            segments.push(Segment {
                frame: p.frame,
                src: seg.src,
                captured: seg.payload.len(),
                wire: seg.wire_payload_len,
            });
            let meta = PacketMeta {
                frame: p.frame,
                time: p.time,
                file_offset: p.file_offset,
                wire_len: p.orig_len,
            };
            table.push(meta, &seg, &mut sink);
        }
    })
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    table.finish(&mut sink);
    assert_eq!(table.open_connections(), 0);
    assert_eq!(table.buffered_bytes(), 0);
    Reassembled {
        connections: table.connections().to_vec(),
        streams,
        segments,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Wireshark's `format_size` with SI prefixes, as `-z conv,tcp` prints byte counts: truncated,
/// a prefix only once the number reaches 10 of it.
fn wireshark_size(bytes: u64) -> String {
    let prefixes = ["T", "G", "M", "k"];
    for (i, prefix) in prefixes.iter().enumerate() {
        let scaled = bytes / 1000u64.pow(4 - i as u32);
        if scaled >= 10 {
            return format!("{scaled} {prefix}B");
        }
    }
    format!("{bytes} bytes")
}

/// One connection as a `-z conv,tcp` row: endpoint A sent the connection's first packet, the
/// `<-` columns count B to A, the `->` columns A to B.
fn conv_row(c: &ConnectionStats, segments: &[Segment]) -> String {
    let first = segments
        .iter()
        .find(|s| s.frame == c.first_frame)
        .expect("first segment");
    let (a, b, a_dir) = if first.src == c.client {
        (c.client, c.server, Direction::ClientToServer)
    } else {
        (c.server, c.client, Direction::ServerToClient)
    };
    let from_a = c.direction(a_dir);
    let to_a = c.direction(a_dir.reverse());
    format!(
        "{a} <-> {b} {} {} {} {} {} {}",
        to_a.frames,
        wireshark_size(to_a.wire_bytes),
        from_a.frames,
        wireshark_size(from_a.wire_bytes),
        c.frames(),
        wireshark_size(c.wire_bytes())
    )
}

/// The rows of a `-z conv,tcp` table, without the time columns.
fn parse_conv_table(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("<->"))
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(t.len(), 14, "unexpected conv row: {l}");
            format!(
                "{} <-> {} {} {} {} {} {} {} {} {} {}",
                t[0], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]
            )
        })
        .collect()
}

fn conv_table_for(capture: &str) -> String {
    match capture.strip_prefix("public/") {
        Some(public) => {
            let base = public.rsplit_once('.').map_or(public, |(b, _)| b);
            expect_file(&format!("tcp-{base}.conv.txt"))
        }
        None => {
            let base = capture.rsplit_once('.').map_or(capture, |(b, _)| b);
            let stats = std::fs::read_to_string(data(&format!("{base}.tshark-stats.txt")))
                .unwrap_or_else(|e| panic!("{base}.tshark-stats.txt: {e}"));
            let start = stats
                .find("## tshark -q -z conv,tcp")
                .expect("conv section");
            let rest = &stats[start..];
            let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
            rest[..end].to_string()
        }
    }
}

#[test]
fn connection_lists_match_wireshark_conv_tables() {
    for capture in all_captures() {
        let r = reassemble(&data(&capture));
        let mut ours: Vec<String> = r
            .connections
            .iter()
            .map(|c| conv_row(c, &r.segments))
            .collect();
        let mut theirs = parse_conv_table(&conv_table_for(&capture));
        assert!(
            !theirs.is_empty(),
            "{capture}: no conversations in the reference"
        );
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{capture}");
    }
}

#[test]
fn connection_numbers_and_exact_byte_counts_match_tcp_stream() {
    let rows = expect_rows("tcp-streams-all.tsv");
    for capture in all_captures() {
        let r = reassemble(&data(&capture));
        let mut theirs: Vec<String> = rows
            .iter()
            .filter(|row| row[0] == capture)
            .map(|row| row[1..].join(" "))
            .collect();
        let mut ours = Vec::new();
        for c in &r.connections {
            for dir in [Direction::ClientToServer, Direction::ServerToClient] {
                let d = c.direction(dir);
                if d.frames > 0 {
                    ours.push(format!(
                        "{} {} {} {}",
                        c.conn,
                        c.source(dir),
                        d.frames,
                        d.wire_bytes
                    ));
                }
            }
        }
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "{capture}");
    }
}

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
