//! The TCP connection on the wire: segments of at most one MSS with TCP timestamps, ACKs from the
//! receiver, Ethernet/IPv4 framing with real checksums, written as pcap records as they happen.

use std::io::{self, Write};

/// Which end sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Client,
    Server,
}

impl End {
    fn index(self) -> usize {
        match self {
            End::Client => 0,
            End::Server => 1,
        }
    }

    fn peer(self) -> End {
        match self {
            End::Client => End::Server,
            End::Server => End::Client,
        }
    }
}

#[derive(Debug, Clone)]
struct Host {
    mac: [u8; 6],
    ip: [u8; 4],
    port: u16,
    /// Next sequence number to send.
    seq: u32,
    ip_id: u16,
    /// TCP timestamp clock offset (each host has its own).
    ts_offset: u32,
    /// Data segments received and not acknowledged yet.
    unacked: u32,
}

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// The pcap file and the connection's state.
pub(crate) struct Wire<W: Write> {
    out: W,
    hosts: [Host; 2],
    mss: usize,
    /// Capture clock, microseconds since the epoch.
    pub clock_us: u64,
    pub packets: u64,
    pub file_bytes: u64,
    /// Payload bytes sent by each end.
    pub sent: [u64; 2],
    record: Vec<u8>,
}

pub(crate) struct Addresses {
    pub client: ([u8; 4], u16),
    pub server: ([u8; 4], u16),
    pub isn: [u32; 2],
}

impl<W: Write> Wire<W> {
    pub fn new(mut out: W, addrs: Addresses, mss: u16, start_us: u64) -> io::Result<Self> {
        // Microsecond pcap, version 2.4, snaplen 262144, Ethernet.
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        header.extend_from_slice(&2u16.to_le_bytes());
        header.extend_from_slice(&4u16.to_le_bytes());
        header.extend_from_slice(&[0; 8]);
        header.extend_from_slice(&262_144u32.to_le_bytes());
        header.extend_from_slice(&1u32.to_le_bytes());
        out.write_all(&header)?;
        let host = |mac_last: u8, (ip, port): ([u8; 4], u16), seq: u32, ts: u32| Host {
            mac: [0x02, 0, 0, 0, 0, mac_last],
            ip,
            port,
            seq,
            ip_id: seq as u16,
            ts_offset: ts,
            unacked: 0,
        };
        Ok(Wire {
            out,
            hosts: [
                host(1, addrs.client, addrs.isn[0], addrs.isn[0] >> 3),
                host(2, addrs.server, addrs.isn[1], addrs.isn[1] >> 3),
            ],
            mss: usize::from(mss.max(64)),
            clock_us: start_us,
            packets: 0,
            file_bytes: 24,
            sent: [0; 2],
            record: Vec::with_capacity(70_000),
        })
    }

    /// Moves the clock forward to `us` (never back), at least by one microsecond.
    pub fn at(&mut self, us: u64) {
        self.clock_us = (self.clock_us + 1).max(us);
    }

    pub fn wait(&mut self, us: u64) {
        self.clock_us += us;
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// The 3-way handshake.
    pub fn connect(&mut self) -> io::Result<()> {
        self.packet(End::Client, SYN, &[])?;
        self.wait(40);
        self.packet(End::Server, SYN | ACK, &[])?;
        self.wait(40);
        self.packet(End::Client, ACK, &[])
    }

    /// Both sides close: FIN, FIN+ACK, ACK.
    pub fn close(&mut self) -> io::Result<()> {
        self.flush_acks(End::Server)?;
        self.packet(End::Client, FIN | ACK, &[])?;
        self.wait(60);
        self.packet(End::Server, FIN | ACK, &[])?;
        self.wait(40);
        self.packet(End::Client, ACK, &[])
    }

    /// One application write: segments of at most one MSS, PSH on the last; the receiver
    /// acknowledges every second segment and what is left at the end of the write.
    pub fn send(&mut self, from: End, data: &[u8]) -> io::Result<()> {
        let to = from.peer();
        let count = data.len().div_ceil(self.mss);
        for (i, seg) in data.chunks(self.mss).enumerate() {
            let flags = if i + 1 == count { ACK | PSH } else { ACK };
            self.packet(from, flags, seg)?;
            // About 1 Gbit/s on the wire.
            self.wait(1 + seg.len() as u64 / 125);
            let peer = &mut self.hosts[to.index()];
            peer.unacked += 1;
            if peer.unacked >= 2 {
                self.wait(4);
                self.ack(to)?;
            }
        }
        self.wait(20);
        self.flush_acks(to)
    }

    fn flush_acks(&mut self, by: End) -> io::Result<()> {
        if self.hosts[by.index()].unacked > 0 {
            self.ack(by)?;
        }
        Ok(())
    }

    fn ack(&mut self, by: End) -> io::Result<()> {
        self.packet(by, ACK, &[])
    }

    fn packet(&mut self, from: End, flags: u8, payload: &[u8]) -> io::Result<()> {
        let ms = (self.clock_us / 1000) as u32;
        let [a, b] = &mut self.hosts;
        let (me, peer) = match from {
            End::Client => (a, &mut *b),
            End::Server => (b, &mut *a),
        };
        me.unacked = 0;
        let syn = flags & SYN != 0;
        let options_len = if syn { 20 } else { 12 };
        let tcp_len = 20 + options_len + payload.len();
        let ip_len = 20 + tcp_len;
        let r = &mut self.record;
        r.clear();
        let (secs, usecs) = (self.clock_us / 1_000_000, self.clock_us % 1_000_000);
        r.extend_from_slice(&(secs as u32).to_le_bytes());
        r.extend_from_slice(&(usecs as u32).to_le_bytes());
        let frame_len = (14 + ip_len) as u32;
        r.extend_from_slice(&frame_len.to_le_bytes());
        r.extend_from_slice(&frame_len.to_le_bytes());
        // Ethernet II
        r.extend_from_slice(&peer.mac);
        r.extend_from_slice(&me.mac);
        r.extend_from_slice(&[0x08, 0x00]);
        // IPv4, DF, TTL 64, TCP
        let ip_at = r.len();
        r.extend_from_slice(&[0x45, 0]);
        r.extend_from_slice(&(ip_len as u16).to_be_bytes());
        r.extend_from_slice(&me.ip_id.to_be_bytes());
        r.extend_from_slice(&[0x40, 0, 64, 6, 0, 0]);
        r.extend_from_slice(&me.ip);
        r.extend_from_slice(&peer.ip);
        let ip_sum = checksum(0, &r[ip_at..ip_at + 20]);
        r[ip_at + 10..ip_at + 12].copy_from_slice(&ip_sum.to_be_bytes());
        me.ip_id = me.ip_id.wrapping_add(1);
        // TCP
        let tcp_at = r.len();
        let ack_no = if syn && from == End::Client {
            0
        } else {
            peer.seq
        };
        r.extend_from_slice(&me.port.to_be_bytes());
        r.extend_from_slice(&peer.port.to_be_bytes());
        r.extend_from_slice(&me.seq.to_be_bytes());
        r.extend_from_slice(&ack_no.to_be_bytes());
        let data_offset = ((20 + options_len) / 4) as u8;
        let flags = if syn && from == End::Client {
            flags & !ACK
        } else {
            flags
        };
        r.extend_from_slice(&[data_offset << 4, flags]);
        let window: u16 = if syn { 65_535 } else { 502 };
        r.extend_from_slice(&window.to_be_bytes());
        r.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
        let ts_val = me.ts_offset.wrapping_add(ms);
        let ts_ecr = if syn && from == End::Client {
            0
        } else {
            peer.ts_offset.wrapping_add(ms)
        };
        if syn {
            // MSS, SACK permitted, timestamps, NOP, window scale 7
            r.extend_from_slice(&[2, 4]);
            r.extend_from_slice(&(self.mss as u16).to_be_bytes());
            r.extend_from_slice(&[4, 2, 8, 10]);
            r.extend_from_slice(&ts_val.to_be_bytes());
            r.extend_from_slice(&ts_ecr.to_be_bytes());
            r.extend_from_slice(&[1, 3, 3, 7]);
        } else {
            r.extend_from_slice(&[1, 1, 8, 10]);
            r.extend_from_slice(&ts_val.to_be_bytes());
            r.extend_from_slice(&ts_ecr.to_be_bytes());
        }
        r.extend_from_slice(payload);
        let mut pseudo = [0u8; 12];
        pseudo[..4].copy_from_slice(&me.ip);
        pseudo[4..8].copy_from_slice(&peer.ip);
        pseudo[9] = 6;
        pseudo[10..12].copy_from_slice(&(tcp_len as u16).to_be_bytes());
        let sum = checksum(sum_words(0, &pseudo), &r[tcp_at..]);
        r[tcp_at + 16..tcp_at + 18].copy_from_slice(&sum.to_be_bytes());
        let seq_used = payload.len() as u32 + u32::from(flags & (SYN | FIN) != 0);
        me.seq = me.seq.wrapping_add(seq_used);
        self.sent[from.index()] += payload.len() as u64;
        self.out.write_all(r)?;
        self.packets += 1;
        self.file_bytes += r.len() as u64;
        Ok(())
    }
}

/// Adds big-endian 16-bit words (an odd last byte padded with zero) to a running sum.
fn sum_words(mut sum: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(2);
    for w in &mut words {
        sum += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

/// The Internet checksum of `bytes` on top of a running sum.
fn checksum(sum: u64, bytes: &[u8]) -> u16 {
    let mut sum = sum_words(sum, bytes);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_a_known_ipv4_header() {
        // The example header from RFC 1071 discussions: checksum over the header with its
        // checksum field in place is zero.
        let mut h = [
            0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0,
            0xc7,
        ];
        let sum = checksum(0, &h);
        assert_eq!(sum, 0xb861);
        h[10..12].copy_from_slice(&sum.to_be_bytes());
        assert_eq!(checksum(0, &h), 0);
    }

    #[test]
    fn segments_and_acks() {
        let addrs = Addresses {
            client: ([10, 0, 0, 2], 50000),
            server: ([10, 0, 0, 1], 1935),
            isn: [1000, 2000],
        };
        let mut w = Wire::new(Vec::new(), addrs, 1448, 1_000_000).unwrap();
        w.connect().unwrap();
        w.send(End::Client, &[1u8; 3000]).unwrap();
        // SYN, SYN/ACK, ACK, 3 data segments, an ACK after the second and one at the end.
        assert_eq!(w.packets, 3 + 3 + 2);
        assert_eq!(w.sent, [3000, 0]);
        let bytes = w.into_inner();
        let mut frames = Vec::new();
        crate::capture::read_bytes(&bytes, |p| frames.push(p.data.len())).unwrap();
        assert_eq!(frames.len(), 8);
        assert_eq!(frames[3], 14 + 20 + 32 + 1448);
    }
}
