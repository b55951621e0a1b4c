//! Inputs the fuzz targets (fuzz/) found, each replayed the way its target runs it.
#![allow(clippy::unwrap_used)]

#[path = "robust_support/fuzz_chunk.rs"]
mod fuzz_chunk;
#[path = "robust_support/fuzz_tcp.rs"]
mod fuzz_tcp;
#[path = "robust_support/tcp_tiling.rs"]
mod tcp_tiling;

use rtmpscope::tcp::{FlowTable, TcpConfig};

fn tcp_reassembly(data: &[u8]) {
    let config = TcpConfig {
        max_buffered_per_direction: 4096,
        max_buffered_total: 16384,
    };
    let mut table = FlowTable::new(config);
    let mut tiling = tcp_tiling::Tiling::default();
    fuzz_tcp::segments(data, |meta, segment| {
        table.push(meta, segment, &mut |e| tiling.check(e));
        assert!(table.buffered_bytes() <= config.max_buffered_total + 65536);
    });
    table.finish(&mut |e| tiling.check(e));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn tcp_data_after_close() {
    tcp_reassembly(&hex(include_str!("data/robust-fuzz-tcp-1.hex").trim()));
}

#[test]
fn chunk_demux_cut_independence_1() {
    fuzz_chunk::check(&hex(include_str!("data/robust-fuzz-chunk-1.hex").trim()));
}

#[test]
fn chunk_demux_cut_independence_2() {
    fuzz_chunk::check(&hex(include_str!("data/robust-fuzz-chunk-2.hex").trim()));
}
