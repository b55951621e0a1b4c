//! TCP segments derived from fuzz bytes, shared by the `tcp_reassembly` fuzz target and its
//! regression tests: each segment is 8 header bytes (flags, side, sequence step, ack step,
//! payload length, bytes cut by the snap length, client port), then its payload.

use std::net::{Ipv4Addr, SocketAddr};

use rtmpscope::capture::Timestamp;
use rtmpscope::net::{TcpFlags, TcpSegment};
use rtmpscope::tcp::PacketMeta;

/// Calls `push` with each segment the bytes describe.
pub fn segments(data: &[u8], mut push: impl FnMut(PacketMeta, &TcpSegment<'_>)) {
    let mut rest = data;
    let mut frame = 0u64;
    let mut seqs = [1000u32, 5000u32, 90_000u32, 70_000u32];
    while let Some((h, tail)) = rest.split_first_chunk::<8>() {
        let [flags, who, d0, d1, a0, len, cut, port] = *h;
        let len = usize::from(len);
        let payload = tail.get(..len).unwrap_or(tail);
        rest = tail.get(payload.len()..).unwrap_or_default();
        frame += 1;
        let side = usize::from(who & 3);
        let client = SocketAddr::from((Ipv4Addr::new(10, 0, 0, 1), 40000 + u16::from(port & 3)));
        let server = SocketAddr::from((Ipv4Addr::new(10, 0, 0, 2), 1935));
        let (src, dst) = if side & 1 == 0 {
            (client, server)
        } else {
            (server, client)
        };
        // Sequence numbers mostly advance, sometimes jump back or ahead.
        let base = seqs[side];
        let seq = base.wrapping_add(u32::from(u16::from_be_bytes([d0, d1])).wrapping_sub(0x100));
        let ack = seqs[side ^ 1].wrapping_add(u32::from(a0)).wrapping_sub(16);
        if who & 0x80 == 0 {
            seqs[side] = seq.wrapping_add(payload.len() as u32);
        }
        let captured = payload.len().saturating_sub(usize::from(cut & 0x3f));
        let segment = TcpSegment {
            src,
            dst,
            seq,
            ack,
            flags: TcpFlags {
                syn: flags & 1 != 0,
                ack: flags & 2 != 0,
                fin: flags & 4 != 0,
                rst: flags & 8 != 0 && flags & 0x70 == 0x70,
                psh: flags & 16 != 0,
            },
            window: 65535,
            payload: payload.get(..captured).unwrap_or_default(),
            wire_payload_len: payload.len() as u32,
            payload_offset: 54,
        };
        let meta = PacketMeta {
            frame,
            time: Timestamp::new(frame as i64, 0),
            file_offset: frame * 100,
            wire_len: 54 + payload.len() as u32,
        };
        push(meta, &segment);
    }
}
