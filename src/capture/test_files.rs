//! Builders for hand-made pcap and pcapng files, and ways to read them, for the unit tests.

use super::{CaptureError, CaptureReader, CaptureSummary, LinkType, Packet, Timestamp};

/// Byte order a test file is written in.
#[derive(Clone, Copy)]
pub(super) enum Order {
    Le,
    Be,
}

impl Order {
    pub(super) fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Order::Le => v.to_le_bytes(),
            Order::Be => v.to_be_bytes(),
        }
    }
    pub(super) fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Order::Le => v.to_le_bytes(),
            Order::Be => v.to_be_bytes(),
        }
    }
    pub(super) fn u64(self, v: u64) -> [u8; 8] {
        match self {
            Order::Le => v.to_le_bytes(),
            Order::Be => v.to_be_bytes(),
        }
    }
}

/// A legacy pcap file header.
pub(super) fn pcap_header(order: Order, nanos: bool, snaplen: u32, link: u32) -> Vec<u8> {
    let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    let mut out = Vec::new();
    out.extend(order.u32(magic));
    out.extend(order.u16(2));
    out.extend(order.u16(4));
    out.extend(order.u32(0));
    out.extend(order.u32(0));
    out.extend(order.u32(snaplen));
    out.extend(order.u32(link));
    out
}

/// A legacy pcap record.
pub(super) fn pcap_record(
    order: Order,
    secs: u32,
    frac: u32,
    data: &[u8],
    orig_len: u32,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(order.u32(secs));
    out.extend(order.u32(frac));
    out.extend(order.u32(data.len() as u32));
    out.extend(order.u32(orig_len));
    out.extend_from_slice(data);
    out
}

/// A pcapng block with the given type and body (padded to 4 bytes here).
pub(super) fn block(order: Order, block_type: u32, body: &[u8]) -> Vec<u8> {
    let mut padded = body.to_vec();
    while padded.len() % 4 != 0 {
        padded.push(0);
    }
    let len = (padded.len() + 12) as u32;
    let mut out = Vec::new();
    out.extend(order.u32(block_type));
    out.extend(order.u32(len));
    out.extend(padded);
    out.extend(order.u32(len));
    out
}

/// One pcapng option (code, value), padded.
pub(super) fn option(order: Order, code: u16, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(order.u16(code));
    out.extend(order.u16(value.len() as u16));
    out.extend_from_slice(value);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

pub(super) fn end_of_options() -> Vec<u8> {
    vec![0; 4]
}

pub(super) fn shb(order: Order) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(order.u32(0x1A2B_3C4D));
    body.extend(order.u16(1));
    body.extend(order.u16(0));
    body.extend(order.u64(u64::MAX)); // section length unknown
    body.extend(option(order, 4, b"rtmpscope tests")); // shb_userappl
    body.extend(end_of_options());
    block(order, 0x0A0D_0D0A, &body)
}

/// An Interface Description Block with optional if_tsresol and if_tsoffset.
pub(super) fn idb(
    order: Order,
    link: u16,
    snaplen: u32,
    tsresol: Option<u8>,
    tsoffset: Option<i64>,
) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(order.u16(link));
    body.extend(order.u16(0));
    body.extend(order.u32(snaplen));
    body.extend(option(order, 2, b"eth0"));
    if let Some(r) = tsresol {
        body.extend(option(order, 9, &[r]));
    }
    if let Some(off) = tsoffset {
        body.extend(option(order, 14, &order.u64(off as u64)));
    }
    body.extend(end_of_options());
    block(order, 1, &body)
}

pub(super) fn epb(order: Order, iface: u32, ticks: u64, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(order.u32(iface));
    body.extend(order.u32((ticks >> 32) as u32));
    body.extend(order.u32(ticks as u32));
    body.extend(order.u32(data.len() as u32));
    body.extend(order.u32(orig_len));
    body.extend_from_slice(data);
    while body.len() % 4 != 0 {
        body.push(0);
    }
    body.extend(option(order, 1, b"a comment")); // opt_comment: must not disturb the packet
    body.extend(end_of_options());
    block(order, 6, &body)
}

pub(super) fn spb(order: Order, data: &[u8], orig_len: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(order.u32(orig_len));
    body.extend_from_slice(data);
    block(order, 3, &body)
}

/// Obsolete Packet Block (type 2).
pub(super) fn obsolete_pb(order: Order, iface: u16, ticks: u64, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(order.u16(iface));
    body.extend(order.u16(0));
    body.extend(order.u32((ticks >> 32) as u32));
    body.extend(order.u32(ticks as u32));
    body.extend(order.u32(data.len() as u32));
    body.extend(order.u32(data.len() as u32));
    body.extend_from_slice(data);
    block(order, 2, &body)
}

/// A deterministic pseudo-random sequence of slice sizes in 1..=max.
pub(super) fn slice_sizes(seed: u64, max: usize) -> impl Iterator<Item = usize> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize % max) + 1
    })
}

/// A delivered packet, owned, for comparisons.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Got {
    pub(super) frame: u64,
    pub(super) time: Timestamp,
    pub(super) interface: u32,
    pub(super) link: LinkType,
    pub(super) data: Vec<u8>,
    pub(super) orig_len: u32,
    pub(super) file_offset: u64,
}

pub(super) fn got(p: &Packet<'_>) -> Got {
    Got {
        frame: p.frame,
        time: p.time,
        interface: p.interface,
        link: p.link,
        data: p.data.to_vec(),
        orig_len: p.orig_len,
        file_offset: p.file_offset,
    }
}

/// Feeds `file` in the given slice sizes (cycled), returns packets, summary and the result.
pub(super) fn read_in_pieces(
    file: &[u8],
    mut sizes: impl Iterator<Item = usize>,
) -> (Vec<Got>, CaptureSummary, Result<(), CaptureError>) {
    let mut reader = CaptureReader::new();
    let mut packets = Vec::new();
    let mut rest = file;
    let mut result = Ok(());
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        result = reader.feed(piece, &mut |p: &Packet<'_>| packets.push(got(p)));
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        result = reader.finish();
    }
    (packets, reader.summary().clone(), result)
}

pub(super) fn read_whole(file: &[u8]) -> (Vec<Got>, CaptureSummary, Result<(), CaptureError>) {
    read_in_pieces(file, std::iter::once(file.len().max(1)))
}

/// Whole, one byte at a time, and random slice sizes must agree exactly.
pub(super) fn assert_piecewise_same(file: &[u8]) -> (Vec<Got>, CaptureSummary) {
    let (whole, summary, result) = read_whole(file);
    result.expect("whole file reads");
    let (bytes, summary_bytes, result) = read_in_pieces(file, std::iter::repeat(1));
    result.expect("byte-wise read");
    assert_eq!(whole, bytes);
    assert_eq!(summary, summary_bytes);
    for seed in 0..20 {
        let (random, summary_random, result) = read_in_pieces(file, slice_sizes(seed, 97));
        result.expect("random-slice read");
        assert_eq!(whole, random, "seed {seed}");
        assert_eq!(summary, summary_random);
    }
    (whole, summary)
}

pub(super) fn pcap_file(order: Order, nanos: bool) -> Vec<u8> {
    let mut file = pcap_header(order, nanos, 65535, 1);
    file.extend(pcap_record(order, 1_700_000_000, 123_456, &[0xaa; 60], 60));
    file.extend(pcap_record(
        order,
        1_700_000_001,
        999_999,
        &[0xbb; 30],
        1514,
    ));
    file.extend(pcap_record(order, 1_700_000_002, 0, &[], 0));
    file
}

/// Two interfaces with different link types and resolutions (10^-9, 2^-10 with an offset), an
/// EPB on each, an SPB, an obsolete PB, and blocks to skip.
pub(super) fn pcapng_file(order: Order) -> Vec<u8> {
    let mut file = shb(order);
    file.extend(idb(order, 1, 262_144, Some(9), None));
    file.extend(block(order, 4, &[0, 0, 0, 0])); // Name Resolution Block, empty
    file.extend(idb(order, 101, 0, Some(0x80 | 10), Some(1000)));
    file.extend(epb(
        order,
        0,
        1_700_000_000_123_456_789,
        &[1, 2, 3, 4, 5],
        5,
    ));
    file.extend(block(order, 0x0BAD_F00D, &[9; 10])); // unknown block
    file.extend(epb(order, 1, 5 * 1024 + 256, &[0x45, 0, 0], 40));
    file.extend(spb(order, &[7; 6], 6));
    file.extend(obsolete_pb(order, 0, 1_700_000_002_000_000_000, &[8; 3]));
    file.extend(block(order, 5, &[0; 16])); // Interface Statistics Block
    file
}
