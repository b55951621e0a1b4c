//! The floor for capture reading: a bare `pcap-parser` loop over a legacy pcap file that only
//! touches each packet (counts it, sums its length, reads its first and last byte). No TCP, no
//! RTMP. `scripts/bench.sh` compares rtmpscope's throughput with this.
//!
//! Usage: `pcap_floor FILE` — prints `packets=N bytes=N checksum=N`.

use std::fs::File;
use std::process::ExitCode;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pcap_floor FILE.pcap");
        return ExitCode::from(2);
    };
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("pcap_floor: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    // Reads of 256 KiB, as rtmpscope's analyze_path: small enough to stay in the L2 cache.
    let mut reader = match LegacyPcapReader::new(256 << 10, file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pcap_floor: {path}: not a legacy pcap ({e:?})");
            return ExitCode::from(2);
        }
    };
    let (mut packets, mut bytes, mut checksum) = (0u64, 0u64, 0u64);
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                if let PcapBlockOwned::Legacy(packet) = block {
                    packets += 1;
                    bytes += u64::from(packet.caplen);
                    let first = packet.data.first().copied().unwrap_or(0);
                    let last = packet.data.last().copied().unwrap_or(0);
                    checksum = checksum.wrapping_add(u64::from(first) ^ u64::from(last));
                }
                reader.consume_noshift(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                if let Err(e) = reader.refill() {
                    eprintln!("pcap_floor: {path}: {e:?}");
                    return ExitCode::from(1);
                }
            }
            Err(e) => {
                eprintln!("pcap_floor: {path}: {e:?}");
                return ExitCode::from(1);
            }
        }
    }
    println!("packets={packets} bytes={bytes} checksum={checksum}");
    ExitCode::SUCCESS
}
