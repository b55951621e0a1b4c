//! Unit tests with hand-built segments. `Harness` plays a two-host conversation through a
//! `FlowTable` and records the events in owned form.

mod gaps;
mod lifecycle;
mod overlap;
mod random;
mod reorder;

use super::{
    CloseReason, ConnId, Direction, FlowEvent, FlowTable, GapReason, PacketMeta, TcpConfig,
};
use crate::capture::Timestamp;
use crate::net::{TcpFlags, TcpSegment};
use std::net::SocketAddr;

pub(super) const C2S: Direction = Direction::ClientToServer;
pub(super) const S2C: Direction = Direction::ServerToClient;

/// The two hosts of most tests: a client on an ephemeral port, a server on 1935.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Host {
    Client,
    Server,
}

pub(super) fn addr(host: Host) -> SocketAddr {
    match host {
        Host::Client => "10.0.0.1:50000".parse().unwrap(),
        Host::Server => "10.0.0.2:1935".parse().unwrap(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ev {
    Opened {
        conn: u32,
        client: SocketAddr,
        server: SocketAddr,
        syn: bool,
        frame: u64,
    },
    Data {
        conn: u32,
        dir: Direction,
        at: u64,
        bytes: Vec<u8>,
        frame: u64,
        completed: u64,
        file_offset: u64,
    },
    Gap {
        conn: u32,
        dir: Direction,
        at: u64,
        len: u64,
        frame: u64,
        reason: GapReason,
    },
    Closed {
        conn: u32,
        dir: Direction,
        reason: CloseReason,
        frame: u64,
    },
}

impl Ev {
    fn from_event(e: &FlowEvent<'_>) -> Ev {
        match *e {
            FlowEvent::Opened {
                conn,
                client,
                server,
                syn_seen,
                frame,
                ..
            } => Ev::Opened {
                conn: conn.0,
                client,
                server,
                syn: syn_seen,
                frame,
            },
            FlowEvent::Data {
                conn,
                dir,
                data,
                stream_offset,
                frame,
                file_offset,
                completed_frame,
                ..
            } => Ev::Data {
                conn: conn.0,
                dir,
                at: stream_offset,
                bytes: data.to_vec(),
                frame,
                completed: completed_frame,
                file_offset: file_offset.unwrap(),
            },
            FlowEvent::Gap {
                conn,
                dir,
                stream_offset,
                len,
                frame,
                reason,
                ..
            } => Ev::Gap {
                conn: conn.0,
                dir,
                at: stream_offset,
                len,
                frame,
                reason,
            },
            FlowEvent::Closed {
                conn,
                dir,
                reason,
                frame,
                ..
            } => Ev::Closed {
                conn: conn.0,
                dir,
                reason,
                frame,
            },
        }
    }
}

/// File offset given to frame `n`'s packet data; payload starts 54 bytes in.
pub(super) fn packet_offset(frame: u64) -> u64 {
    frame * 10_000
}
pub(super) const PAYLOAD_OFFSET: usize = 54;

pub(super) struct Harness {
    pub table: FlowTable,
    config: TcpConfig,
    pub events: Vec<Ev>,
    frame: u64,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(TcpConfig::default())
    }

    pub fn with_config(config: TcpConfig) -> Self {
        Harness {
            table: FlowTable::new(config),
            config,
            events: Vec::new(),
            frame: 0,
        }
    }

    /// Send a segment; `flags` holds S, A, F, R, P. Returns its frame number.
    pub fn send(&mut self, from: Host, seq: u32, ack: u32, flags: &str, payload: &[u8]) -> u64 {
        self.send_cut(from, seq, ack, flags, payload, payload.len() as u32)
    }

    /// Send a segment whose payload was `wire_len` bytes on the wire, of which `payload` was captured.
    pub fn send_cut(
        &mut self,
        from: Host,
        seq: u32,
        ack: u32,
        flags: &str,
        payload: &[u8],
        wire_len: u32,
    ) -> u64 {
        let to = if from == Host::Client {
            Host::Server
        } else {
            Host::Client
        };
        self.send_between(addr(from), addr(to), seq, ack, flags, payload, wire_len)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn send_between(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        ack: u32,
        flags: &str,
        payload: &[u8],
        wire_len: u32,
    ) -> u64 {
        self.frame += 1;
        let flags = TcpFlags {
            syn: flags.contains('S'),
            ack: flags.contains('A'),
            fin: flags.contains('F'),
            rst: flags.contains('R'),
            psh: flags.contains('P'),
        };
        let seg = TcpSegment {
            src,
            dst,
            seq,
            ack,
            flags,
            window: 65535,
            payload,
            wire_payload_len: wire_len,
            payload_offset: PAYLOAD_OFFSET,
        };
        let meta = PacketMeta {
            frame: self.frame,
            time: Timestamp::new(1_700_000_000 + self.frame as i64, 0),
            file_offset: packet_offset(self.frame),
            wire_len: wire_len.saturating_add(54),
        };
        let events = &mut self.events;
        self.table
            .push(meta, &seg, &mut |e| events.push(Ev::from_event(&e)));
        assert!(self.table.buffered_bytes() <= self.config.max_buffered_total);
        self.frame
    }

    /// Client ISN `c`, server ISN `s`: SYN, SYN-ACK, ACK.
    pub fn handshake(&mut self, c: u32, s: u32) {
        self.send(Host::Client, c, 0, "S", b"");
        self.send(Host::Server, s, c.wrapping_add(1), "SA", b"");
        self.send(Host::Client, c.wrapping_add(1), s.wrapping_add(1), "A", b"");
    }

    pub fn finish(&mut self) {
        let events = &mut self.events;
        self.table.finish(&mut |e| events.push(Ev::from_event(&e)));
    }

    /// Take the events recorded so far.
    pub fn take(&mut self) -> Vec<Ev> {
        std::mem::take(&mut self.events)
    }

    /// The stream of one direction rebuilt from all events so far, checking that data and gaps
    /// tile it without overlap. Gap bytes read as `?`.
    pub fn stream_bytes(&self, conn: u32, dir: Direction) -> Vec<u8> {
        let mut text = Vec::new();
        for e in &self.events {
            match e {
                Ev::Data {
                    conn: c,
                    dir: d,
                    at,
                    bytes,
                    ..
                } if *c == conn && *d == dir => {
                    assert_eq!(*at, text.len() as u64, "data out of place: {e:?}");
                    text.extend_from_slice(bytes);
                }
                Ev::Gap {
                    conn: c,
                    dir: d,
                    at,
                    len,
                    ..
                } if *c == conn && *d == dir => {
                    assert_eq!(*at, text.len() as u64, "gap out of place: {e:?}");
                    text.extend(std::iter::repeat_n(b'?', *len as usize));
                }
                _ => {}
            }
        }
        text
    }
    pub fn stream(&self, conn: u32, dir: Direction) -> String {
        String::from_utf8(self.stream_bytes(conn, dir)).unwrap()
    }

    pub fn gaps(&self) -> Vec<(u64, u64, GapReason, u64)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Gap {
                    at,
                    len,
                    reason,
                    frame,
                    ..
                } => Some((*at, *len, *reason, *frame)),
                _ => None,
            })
            .collect()
    }

    pub fn closes(&self) -> Vec<(u32, Direction, CloseReason, u64)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Ev::Closed {
                    conn,
                    dir,
                    reason,
                    frame,
                } => Some((*conn, *dir, *reason, *frame)),
                _ => None,
            })
            .collect()
    }

    pub fn stats(&self, conn: u32) -> &super::ConnectionStats {
        let stats = &self.table.connections()[conn as usize];
        assert_eq!(stats.conn, ConnId(conn));
        stats
    }
}
