//! The capture reader (pcap, pcapng), fed in pieces of a size the input chooses: never panics,
//! and gives the same packets however the file is cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtmpscope::capture::{CaptureReader, Packet};

fn read(data: &[u8], piece: usize) -> (Vec<(u64, u64, u32, Vec<u8>)>, bool) {
    let mut reader = CaptureReader::new();
    let mut packets = Vec::new();
    let mut sink =
        |p: &Packet<'_>| packets.push((p.frame, p.file_offset, p.orig_len, p.data.to_vec()));
    let mut ok = true;
    for part in data.chunks(piece.max(1)) {
        if reader.feed(part, &mut sink).is_err() {
            ok = false;
            break;
        }
    }
    ok &= reader.finish().is_ok();
    (packets, ok)
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, file)) = data.split_first() else {
        return;
    };
    let whole = read(file, file.len());
    let cut = read(file, usize::from(k) + 1);
    assert_eq!(whole, cut, "piece size {}", usize::from(k) + 1);
});
