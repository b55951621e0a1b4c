//! The connection list on real captures against Wireshark: `-z conv,tcp` tables and exact
//! per-`tcp.stream` frame and byte counts.

mod tcp_support;

use rtmpscope::tcp::{ConnectionStats, Direction};
use tcp_support::{all_captures, data, expect_file, expect_rows, reassemble, Segment};

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
