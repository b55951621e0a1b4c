//! TCP reassembly on segments derived from the input: never panics, and for every direction of
//! every connection the data and gap events tile the stream (offsets start at 0, never overlap,
//! never skip) and nothing follows its close; buffered bytes stay within the caps.
#![no_main]

#[path = "../../tests/robust_support/fuzz_tcp.rs"]
mod fuzz_tcp;

use libfuzzer_sys::fuzz_target;
use rtmpscope::tcp::{FlowTable, TcpConfig};

#[path = "../../tests/robust_support/tcp_tiling.rs"]
mod tcp_tiling;

fuzz_target!(|data: &[u8]| {
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
});
