//! Shared by the tcp_* integration tests: runs a capture through `FlowTable`, checking as it
//! goes that each direction's data and gaps tile the stream, and reads the expectation files.
#![allow(dead_code)]

use rtmpscope::capture::{read_path, Packet};
use rtmpscope::net::decode_tcp;
use rtmpscope::tcp::{
    CloseReason, ConnectionStats, Direction, FlowEvent, FlowTable, GapReason, PacketMeta, TcpConfig,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

pub fn data(name: &str) -> PathBuf {
    Path::new(DATA).join(name)
}

/// Every capture under tests/data and tests/data/public, as paths relative to tests/data.
pub fn all_captures() -> Vec<String> {
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
pub fn expect_rows(name: &str) -> Vec<Vec<String>> {
    expect_file(name)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

pub fn expect_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/expect")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Default)]
pub struct StreamRecord {
    pub data: Vec<u8>,
    /// Next stream offset: data and gaps must tile the stream.
    pub next: u64,
    pub gaps: Vec<(u64, u64, GapReason, u64)>,
    pub closed: Option<CloseReason>,
}

#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub frame: u64,
    pub src: SocketAddr,
    pub captured: usize,
    pub wire: u32,
}

#[derive(Debug)]
pub struct Reassembled {
    pub connections: Vec<ConnectionStats>,
    pub streams: BTreeMap<(u32, Direction), StreamRecord>,
    /// Every TCP segment: frame, source, captured payload length, payload length on the wire.
    pub segments: Vec<Segment>,
}

impl Reassembled {
    pub fn stream(&self, conn: u32, dir: Direction) -> &StreamRecord {
        self.streams
            .get(&(conn, dir))
            .unwrap_or_else(|| panic!("no stream {conn} {dir}"))
    }
}

pub fn reassemble(path: &Path) -> Reassembled {
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

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
