//! Shared by the robust_* tests: a heap-counting allocator and a pcap writer for generated
//! captures.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the heap bytes the current thread holds (each test runs on its own thread, and the
/// code under test does not spawn threads), and the peak since the last [`reset_peak`].
pub struct CountingAllocator;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| {
            if now > p.get() {
                p.set(now);
            }
        });
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Heap bytes this thread holds now.
pub fn heap_now() -> isize {
    CURRENT.with(Cell::get)
}

/// Forgets the peak: the next [`heap_peak_since`] measures from the current level.
pub fn reset_peak() -> isize {
    let now = heap_now();
    PEAK.with(|p| p.set(now));
    now
}

/// The highest heap level since [`reset_peak`], above `base`.
pub fn heap_peak_since(base: isize) -> usize {
    (PEAK.with(Cell::get) - base).max(0) as usize
}

/// Writes a classic pcap (Ethernet, microseconds) packet by packet.
pub struct PcapWriter {
    pub out: Vec<u8>,
    pub snaplen: u32,
}

pub const CLIENT: [u8; 4] = [10, 0, 0, 1];
pub const SERVER: [u8; 4] = [10, 0, 0, 2];

pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;
pub const PSH_ACK: u8 = 0x18;
pub const FIN_ACK: u8 = 0x11;
pub const RST: u8 = 0x04;

impl PcapWriter {
    pub fn new(snaplen: u32) -> Self {
        let mut out = Vec::new();
        out.extend(0xa1b2_c3d4u32.to_le_bytes());
        out.extend(2u16.to_le_bytes());
        out.extend(4u16.to_le_bytes());
        out.extend([0; 8]);
        out.extend(snaplen.to_le_bytes());
        out.extend(1u32.to_le_bytes());
        PcapWriter { out, snaplen }
    }

    /// One TCP/IPv4 segment; `payload` is cut to the snap length (the record keeps the wire
    /// length).
    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        &mut self,
        usec: u64,
        src: ([u8; 4], u16),
        dst: ([u8; 4], u16),
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let mut frame = Vec::with_capacity(54 + payload.len());
        frame.extend([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]);
        let total = (40 + payload.len()) as u16;
        frame.extend([0x45, 0]);
        frame.extend(total.to_be_bytes());
        frame.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
        frame.extend(src.0);
        frame.extend(dst.0);
        frame.extend(src.1.to_be_bytes());
        frame.extend(dst.1.to_be_bytes());
        frame.extend(seq.to_be_bytes());
        frame.extend(ack.to_be_bytes());
        frame.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        frame.extend(payload);
        self.record(usec, &frame);
    }

    pub fn record(&mut self, usec: u64, frame: &[u8]) {
        let incl = frame.len().min(self.snaplen as usize);
        self.out.extend(((usec / 1_000_000) as u32).to_le_bytes());
        self.out.extend(((usec % 1_000_000) as u32).to_le_bytes());
        self.out.extend((incl as u32).to_le_bytes());
        self.out.extend((frame.len() as u32).to_le_bytes());
        self.out.extend(&frame[..incl]);
    }

    /// Takes the bytes written so far (the global header is only in the first piece).
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

/// A capture of one RTMP connection: TCP handshake, a simple RTMP handshake, then `c2s` as the
/// client's chunk stream, sent in segments of at most `mss` bytes, one every `step_usec`.
pub fn rtmp_capture(c2s: &[u8], mss: usize, step_usec: u64) -> Vec<u8> {
    let mut w = PcapWriter::new(65535);
    let c = (CLIENT, 40000);
    let s = (SERVER, 1935);
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    w.tcp(0, c, s, cseq, 0, SYN, &[]);
    w.tcp(1, s, c, sseq, cseq + 1, SYN | ACK, &[]);
    cseq += 1;
    sseq += 1;
    let mut c0c1 = vec![3];
    c0c1.extend(vec![0; 1536]);
    let mut s0s1s2 = vec![3];
    s0s1s2.extend(vec![0; 3072]);
    let mut usec = 2;
    let mut send = |w: &mut PcapWriter, from_client: bool, data: &[u8], usec: &mut u64| {
        for piece in data.chunks(mss) {
            if from_client {
                w.tcp(*usec, c, s, cseq, sseq, PSH_ACK, piece);
                cseq = cseq.wrapping_add(piece.len() as u32);
            } else {
                w.tcp(*usec, s, c, sseq, cseq, PSH_ACK, piece);
                sseq = sseq.wrapping_add(piece.len() as u32);
            }
            *usec += step_usec;
        }
    };
    send(&mut w, true, &c0c1, &mut usec);
    send(&mut w, false, &s0s1s2, &mut usec);
    let mut rest = vec![0; 1536];
    rest.extend(c2s);
    send(&mut w, true, &rest, &mut usec);
    w.out
}

/// One little-endian pcapng block of type `kind`.
pub fn pcapng_block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    let len = 12 + body.len() as u32;
    out.extend(kind.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(body);
    out.extend(len.to_le_bytes());
}

/// A little-endian pcapng section header and one Ethernet interface with `snaplen`.
pub fn pcapng_start(snaplen: u32) -> Vec<u8> {
    let mut ng = Vec::new();
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend([1, 0, 0, 0]);
    shb.extend(u64::MAX.to_le_bytes());
    pcapng_block(&mut ng, 0x0a0d_0d0a, &shb);
    let mut idb = 1u16.to_le_bytes().to_vec();
    idb.extend([0, 0]);
    idb.extend(snaplen.to_le_bytes());
    pcapng_block(&mut ng, 1, &idb);
    ng
}

/// An Enhanced Packet Block on interface 0 holding `data` of a packet `wire_len` bytes long.
pub fn pcapng_epb(out: &mut Vec<u8>, wire_len: u32, data: &[u8]) {
    let mut body = 0u32.to_le_bytes().to_vec();
    body.extend([0; 8]);
    body.extend((data.len() as u32).to_le_bytes());
    body.extend(wire_len.to_le_bytes());
    body.extend(data);
    body.resize(body.len().next_multiple_of(4), 0);
    pcapng_block(out, 6, &body);
}
