//! Builders for hand-made pcap and pcapng files, for the unit tests.

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
