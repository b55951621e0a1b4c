//! Connections by 4-tuple: numbering, client/server roles, lifetime, and dispatch of each
//! segment to its two directions' reassemblers.

use super::conn_index::ConnIndex;
use super::emit::{Now, Out};
use super::reassembler::{Reassembler, SegmentIn};
use super::stats::{ConnectionStats, DirectionStats};
use super::{CloseReason, ConnId, Direction, FlowEvent, GapReason, PacketMeta, TcpConfig};
use crate::net::TcpSegment;
use std::net::SocketAddr;

/// Ports that mark the server when the SYN is not in the capture (RTMP, RTMPS, RTMPT, and
/// nginx-rtmp / node-media-server's usual extra ports).
const SERVER_PORTS: [u16; 7] = [1935, 1936, 1937, 443, 80, 8080, 8443];

/// Reassembly state of a connection that is still open.
#[derive(Debug, Default)]
struct LiveConn {
    /// Indexed by `Direction::index`; `None` until that side sends its first packet.
    dirs: [Option<Reassembler>; 2],
}

impl LiveConn {
    fn buffered(&self) -> usize {
        self.dirs.iter().flatten().map(Reassembler::buffered).sum()
    }

    fn dir_mut(&mut self, dir: Direction) -> &mut Option<Reassembler> {
        let [c2s, s2c] = &mut self.dirs;
        match dir {
            Direction::ClientToServer => c2s,
            Direction::ServerToClient => s2c,
        }
    }

    fn all_closed(&self) -> bool {
        self.dirs
            .iter()
            .all(|r| r.as_ref().is_some_and(Reassembler::is_closed))
    }
}

/// All TCP connections of a capture; see the [module docs](super).
#[derive(Debug, Default)]
pub struct FlowTable {
    config: TcpConfig,
    by_tuple: ConnIndex,
    connections: Vec<ConnectionStats>,
    /// Parallel to `connections`; `None` once a connection is closed and its buffers freed.
    live: Vec<Option<Box<LiveConn>>>,
    open: usize,
    total_buffered: usize,
}

impl FlowTable {
    pub fn new(config: TcpConfig) -> Self {
        FlowTable {
            config,
            ..FlowTable::default()
        }
    }

    /// Every connection seen so far, indexed by `ConnId`.
    pub fn connections(&self) -> &[ConnectionStats] {
        &self.connections
    }

    pub fn connection(&self, conn: ConnId) -> Option<&ConnectionStats> {
        self.connections.get(conn.0 as usize)
    }

    /// Connections whose reassembly state is still held.
    pub fn open_connections(&self) -> usize {
        self.open
    }

    /// Out-of-order bytes currently held across all connections (with per-piece overhead).
    pub fn buffered_bytes(&self) -> usize {
        self.total_buffered
    }

    /// Feed the next segment of the capture.
    pub fn push<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        meta: PacketMeta,
        seg: &TcpSegment<'_>,
        sink: &mut F,
    ) {
        let now = Now {
            frame: meta.frame,
            time: meta.time,
        };
        let conn = match self.by_tuple.get(&seg.src, &seg.dst) {
            Some(conn) if !self.is_reuse(conn, seg) => conn,
            existing => {
                if let Some(old) = existing {
                    self.retire(old, now, sink);
                }
                let conn = self.open(meta, seg, sink);
                self.by_tuple.insert(seg.src, seg.dst, conn);
                conn
            }
        };
        let Some(stats) = self.connections.get_mut(conn.0 as usize) else {
            return;
        };
        let dir = direction_of(stats, seg.src, seg.dst);
        stats.last_frame = meta.frame;
        stats.last_time = meta.time;
        let side = stats.direction_mut(dir);
        side.frames += 1;
        side.wire_bytes += u64::from(meta.wire_len);
        side.syn |= seg.flags.syn;
        side.fin |= seg.flags.fin;
        side.rst |= seg.flags.rst;
        if side.isn.is_none() {
            side.isn = Some(if seg.flags.syn {
                seg.seq
            } else {
                seg.seq.wrapping_sub(1)
            });
        }

        let slot = self
            .live
            .get_mut(conn.0 as usize)
            .and_then(Option::as_deref_mut);
        let Some(live) = slot else {
            if seg.wire_payload_len > 0 && !seg.flags.rst {
                side.after_close_segments += 1;
            }
            return;
        };
        let before = live.buffered();
        let config = self.config;
        let reset = dispatch(live, stats, conn, dir, meta, seg, config, sink);
        let after = live.buffered();
        self.total_buffered = self.total_buffered.saturating_sub(before) + after;
        if self.total_buffered > self.config.max_buffered_total {
            let excess = self.total_buffered - self.config.max_buffered_total;
            if let Some(own) = live.dir_mut(dir).as_mut() {
                let allowed = own.buffered().saturating_sub(excess);
                let before = own.buffered();
                let mut out = Out {
                    conn,
                    dir,
                    stats: stats.direction_mut(dir),
                    sink,
                };
                own.enforce_cap(allowed, GapReason::BufferLimit, now, &mut out);
                self.total_buffered = self.total_buffered.saturating_sub(before) + own.buffered();
            }
        }
        // giving up holes above may have reached a FIN, so look again
        if reset || live.all_closed() {
            self.free(conn);
        }
    }

    /// End of capture: every open hole becomes a gap and whatever waited behind it is delivered.
    /// Directions still open get no `Closed` event (they did not close; the capture stopped).
    pub fn finish<F: FnMut(FlowEvent<'_>)>(&mut self, sink: &mut F) {
        for (slot, stats) in self.live.iter_mut().zip(self.connections.iter_mut()) {
            let Some(mut live) = slot.take() else {
                continue;
            };
            let now = Now {
                frame: stats.last_frame,
                time: stats.last_time,
            };
            for dir in [Direction::ClientToServer, Direction::ServerToClient] {
                if let Some(r) = live.dir_mut(dir).as_mut() {
                    let mut out = Out {
                        conn: stats.conn,
                        dir,
                        stats: stats.direction_mut(dir),
                        sink,
                    };
                    r.abandon(GapReason::CaptureEnded, now, &mut out);
                }
            }
        }
        self.open = 0;
        self.total_buffered = 0;
    }

    /// Wireshark's rule: a SYN without ACK whose sequence number is not the one its sender
    /// started this connection with begins a new connection on the same 4-tuple.
    fn is_reuse(&self, conn: ConnId, seg: &TcpSegment<'_>) -> bool {
        if !seg.flags.syn || seg.flags.ack {
            return false;
        }
        let Some(stats) = self.connections.get(conn.0 as usize) else {
            return false;
        };
        let dir = direction_of(stats, seg.src, seg.dst);
        stats.direction(dir).isn.is_some_and(|isn| isn != seg.seq)
    }

    fn open<F: FnMut(FlowEvent<'_>)>(
        &mut self,
        meta: PacketMeta,
        seg: &TcpSegment<'_>,
        sink: &mut F,
    ) -> ConnId {
        let conn = ConnId(u32::try_from(self.connections.len()).unwrap_or(u32::MAX));
        let src_is_client = match (seg.flags.syn, seg.flags.ack) {
            (true, false) => true,
            (true, true) => false,
            _ => !first_is_server(seg.src, seg.dst),
        };
        let (client, server) = if src_is_client {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        self.connections.push(ConnectionStats {
            conn,
            client,
            server,
            syn_seen: seg.flags.syn,
            first_frame: meta.frame,
            last_frame: meta.frame,
            first_time: meta.time,
            last_time: meta.time,
            c2s: DirectionStats::default(),
            s2c: DirectionStats::default(),
        });
        self.live.push(Some(Box::default()));
        self.open += 1;
        sink(FlowEvent::Opened {
            conn,
            client,
            server,
            syn_seen: seg.flags.syn,
            frame: meta.frame,
            time: meta.time,
        });
        conn
    }

    /// A new connection takes over the 4-tuple: the old one's holes become gaps.
    fn retire<F: FnMut(FlowEvent<'_>)>(&mut self, conn: ConnId, now: Now, sink: &mut F) {
        let index = conn.0 as usize;
        let (Some(Some(live)), Some(stats)) =
            (self.live.get_mut(index), self.connections.get_mut(index))
        else {
            return;
        };
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            close_direction(live, stats, conn, dir, CloseReason::Reused, now, sink);
        }
        self.free(conn);
    }

    fn free(&mut self, conn: ConnId) {
        if let Some(slot) = self.live.get_mut(conn.0 as usize) {
            if let Some(live) = slot.take() {
                self.total_buffered = self.total_buffered.saturating_sub(live.buffered());
                self.open = self.open.saturating_sub(1);
            }
        }
    }
}

/// Apply one segment to a live connection. Returns true when it reset the connection.
#[allow(clippy::too_many_arguments)]
fn dispatch<F: FnMut(FlowEvent<'_>)>(
    live: &mut LiveConn,
    stats: &mut ConnectionStats,
    conn: ConnId,
    dir: Direction,
    meta: PacketMeta,
    seg: &TcpSegment<'_>,
    config: TcpConfig,
    sink: &mut F,
) -> bool {
    let now = Now {
        frame: meta.frame,
        time: meta.time,
    };
    // The peer's older bytes that this ACK settles come before this packet's own data.
    let reverse = dir.reverse();
    if seg.flags.ack {
        if let Some(r) = live.dir_mut(reverse).as_mut() {
            let mut out = Out {
                conn,
                dir: reverse,
                stats: stats.direction_mut(reverse),
                sink,
            };
            r.on_peer_ack(seg.ack, now, &mut out);
        }
    }

    let data_seq = seg.seq.wrapping_add(u32::from(seg.flags.syn));
    let slot = live.dir_mut(dir);
    match slot {
        Some(r) if seg.flags.syn && r.is_untouched() && r.base() != data_seq => {
            *r = Reassembler::new(data_seq, false);
        }
        Some(_) => {}
        None => {
            let bare = !seg.flags.syn && !seg.flags.fin && seg.wire_payload_len == 0;
            *slot = Some(Reassembler::new(data_seq, bare));
        }
    }

    if seg.flags.rst {
        close_direction(live, stats, conn, dir, CloseReason::Rst, now, sink);
        close_direction(live, stats, conn, reverse, CloseReason::PeerRst, now, sink);
        return true;
    }

    if let Some(r) = live.dir_mut(dir).as_mut() {
        let wire_len = seg.wire_payload_len as usize;
        let captured = seg.payload.get(..wire_len).unwrap_or(seg.payload);
        let segment = SegmentIn {
            seq: data_seq,
            payload: captured,
            wire_len: u64::from(seg.wire_payload_len),
            fin: seg.flags.fin,
            frame: meta.frame,
            time: meta.time,
            file_offset: meta.file_offset + seg.payload_offset as u64,
        };
        let mut out = Out {
            conn,
            dir,
            stats: stats.direction_mut(dir),
            sink,
        };
        r.push_segment(&segment, config.max_buffered_per_direction, &mut out);
    }
    false
}

/// End a direction that did not end with a FIN: its holes become gaps, then `Closed`.
fn close_direction<F: FnMut(FlowEvent<'_>)>(
    live: &mut LiveConn,
    stats: &mut ConnectionStats,
    conn: ConnId,
    dir: Direction,
    reason: CloseReason,
    now: Now,
    sink: &mut F,
) {
    let Some(r) = live.dir_mut(dir).as_mut() else {
        return;
    };
    if r.is_closed() {
        return;
    }
    let mut out = Out {
        conn,
        dir,
        stats: stats.direction_mut(dir),
        sink,
    };
    r.abandon(GapReason::Closed, now, &mut out);
    if !r.is_closed() {
        r.mark_closed();
        out.closed(reason, now);
    }
}

fn direction_of(stats: &ConnectionStats, src: SocketAddr, dst: SocketAddr) -> Direction {
    if src == stats.client && dst == stats.server {
        Direction::ClientToServer
    } else {
        Direction::ServerToClient
    }
}

/// Without a SYN: is `a` (the first packet's source) the server rather than `b`?
fn first_is_server(a: SocketAddr, b: SocketAddr) -> bool {
    let a_known = SERVER_PORTS.contains(&a.port());
    let b_known = SERVER_PORTS.contains(&b.port());
    if a_known != b_known {
        return a_known;
    }
    a.port() < b.port()
}
