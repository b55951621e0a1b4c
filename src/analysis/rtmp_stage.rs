//! Feeds each TCP connection's byte streams to an RTMP decoder and collects what comes out:
//! sessions, numbered messages, command pairs and diagnostics.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::diagnostic::Diagnostic;
use crate::rtmp::pairing::CommandPairer;
use crate::rtmp::{Dir, MessageBody, Origin, RtmpConfig, RtmpConnection, RtmpEvent, RTMP_PORTS};
use crate::tcp::{Direction, FlowEvent};

use super::closing::TcpClose;
use super::message_log::MessageLog;
use super::report::MessageRecord;
use super::session::Session;

/// What a TCP connection carried, as far as RTMP is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// RTMP, decoded.
    Rtmp,
    /// RTMPE: encrypted after the handshake, not decodable.
    Rtmpe,
    /// Something else.
    NotRtmp,
    /// No payload was seen (or only gaps).
    Unknown,
}

struct ConnState {
    decoder: RtmpConnection,
    closed: [bool; 2],
    meta: ConnMeta,
}

/// What routing a connection's events needs (apart from its decoder, which produces them).
struct ConnMeta {
    pairer: CommandPairer,
    client: SocketAddr,
    server: SocketAddr,
    protocol: Protocol,
    /// Index into `RtmpStage::sessions` once the handshake was seen.
    session: Option<usize>,
    /// Capture time of the data or gap being decoded (events carry no time of their own).
    now: Option<Timestamp>,
}

/// Live connections by TCP connection index, which counts up from 0: a vector lookup per data
/// event instead of hashing.
#[derive(Default)]
struct LiveConns(Vec<Option<Box<ConnState>>>);

impl LiveConns {
    fn insert(&mut self, conn: u32, state: ConnState) {
        let index = conn as usize;
        if self.0.len() <= index {
            self.0.resize_with(index + 1, || None);
        }
        if let Some(slot) = self.0.get_mut(index) {
            *slot = Some(Box::new(state));
        }
    }

    fn get(&self, conn: &u32) -> Option<&ConnState> {
        self.0.get(*conn as usize)?.as_deref()
    }

    fn get_mut(&mut self, conn: &u32) -> Option<&mut ConnState> {
        self.0.get_mut(*conn as usize)?.as_deref_mut()
    }

    fn remove(&mut self, conn: &u32) -> Option<ConnState> {
        self.0.get_mut(*conn as usize)?.take().map(|state| *state)
    }

    /// Open connections, in index order.
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.is_some())
            .map(|(index, _)| index as u32)
    }
}

/// The RTMP stage of the pipeline.
pub(crate) struct RtmpStage {
    config: RtmpConfig,
    live: LiveConns,
    /// By connection index; filled as connections open.
    pub protocols: Vec<Protocol>,
    pub sessions: Vec<Session>,
    pub messages: Vec<MessageRecord>,
    /// With `keep_messages` off: the compact log the analytics read instead of `messages`.
    pub log: Option<MessageLog>,
    pub diagnostics: Vec<Diagnostic>,
    cap: MessageCap,
    /// Stream bytes the live decoders hold, and the most they may hold together.
    held: usize,
    max_held: usize,
    /// Approximate bytes decoded AMF values may still take, across connections.
    amf_left: usize,
}

/// Messages kept in the report: past [`RtmpConfig::max_messages`] they are only counted (in
/// sessions and streams), so memory follows the cap, not the input (a message can take one byte
/// of capture but some hundred bytes of report).
struct MessageCap {
    max: usize,
    dropped: u64,
}

fn rtmp_dir(dir: Direction) -> Dir {
    match dir {
        Direction::ClientToServer => Dir::C2S,
        Direction::ServerToClient => Dir::S2C,
    }
}

impl RtmpStage {
    pub fn new(config: RtmpConfig, keep_messages: bool) -> Self {
        let max = config.max_messages;
        let max_held = config.max_held_total;
        let amf_left = config.max_amf_total;
        RtmpStage {
            config,
            live: LiveConns::default(),
            protocols: Vec::new(),
            sessions: Vec::new(),
            messages: Vec::new(),
            log: (!keep_messages).then(MessageLog::default),
            diagnostics: Vec::new(),
            cap: MessageCap { max, dropped: 0 },
            held: 0,
            max_held,
            amf_left,
        }
    }

    /// Makes room for about `total` messages in `messages` (see
    /// [`super::Analyzer::expect_messages`]).
    pub fn expect_messages(&mut self, total: usize) {
        if self.log.is_some() {
            return;
        }
        let total = total.min(self.cap.max);
        let capacity = self.messages.capacity();
        if total > capacity {
            // Headroom, and at least half as much again, so an estimate that creeps up does not
            // copy the list again and again.
            let room = total
                .saturating_add(total / 4)
                .max(capacity.saturating_add(capacity / 2))
                .min(self.cap.max);
            self.messages
                .reserve_exact(room.saturating_sub(self.messages.len()));
        }
    }

    pub fn on_flow_event(&mut self, event: FlowEvent<'_>) {
        let conn = event.conn().0;
        match event {
            FlowEvent::Opened {
                client,
                server,
                syn_seen,
                ..
            } => {
                let index = conn as usize;
                if self.protocols.len() <= index {
                    self.protocols.resize(index + 1, Protocol::Unknown);
                }
                let mut decoder = RtmpConnection::new(self.config.clone());
                let rtmp_port = [client.port(), server.port()]
                    .iter()
                    .any(|p| RTMP_PORTS.contains(p));
                decoder.set_start(syn_seen, rtmp_port);
                self.live.insert(
                    conn,
                    ConnState {
                        decoder,
                        closed: [false; 2],
                        meta: ConnMeta {
                            pairer: CommandPairer::new(),
                            client,
                            server,
                            protocol: Protocol::Unknown,
                            session: None,
                            now: None,
                        },
                    },
                );
            }
            FlowEvent::Data {
                dir,
                data,
                stream_offset,
                time,
                file_offset,
                completed_frame,
                ..
            } => {
                let origin = Origin::new(completed_frame, time, stream_offset, file_offset);
                self.set_now(conn, time);
                self.with_conn(conn, |decoder, sink| {
                    decoder.on_data(rtmp_dir(dir), data, origin, &mut |e| sink(e))
                });
            }
            FlowEvent::Gap {
                dir,
                stream_offset,
                len,
                frame,
                time,
                ..
            } => {
                self.set_now(conn, time);
                self.with_conn(conn, |decoder, sink| {
                    decoder.on_gap(rtmp_dir(dir), stream_offset, len, frame, time, &mut |e| {
                        sink(e)
                    })
                });
            }
            FlowEvent::Closed {
                dir,
                reason,
                frame,
                time,
                ..
            } => {
                let d = rtmp_dir(dir);
                self.with_conn(conn, |decoder, sink| decoder.on_close(d, &mut |e| sink(e)));
                let both = self.live.get_mut(&conn).map(|state| {
                    state.closed[usize::from(d == Dir::S2C)] = true;
                    state.closed == [true, true]
                });
                self.note_close(conn, dir, reason, frame, time);
                if both == Some(true) {
                    self.retire(conn);
                }
            }
        }
    }

    /// Records a TCP close on the session, by RTMP role.
    fn note_close(
        &mut self,
        conn: u32,
        dir: Direction,
        reason: crate::tcp::CloseReason,
        frame: u64,
        time: Timestamp,
    ) {
        let Some(state) = self.live.get(&conn) else {
            return;
        };
        let Some(session) = state.meta.session.and_then(|i| self.sessions.get_mut(i)) else {
            return;
        };
        let sender = match dir {
            Direction::ClientToServer => state.meta.client,
            Direction::ServerToClient => state.meta.server,
        };
        let dir = if sender == session.client {
            Dir::C2S
        } else {
            Dir::S2C
        };
        session.tcp_closes.push(TcpClose {
            dir,
            reason,
            frame,
            time,
        });
    }

    fn set_now(&mut self, conn: u32, time: Timestamp) {
        if let Some(state) = self.live.get_mut(&conn) {
            state.meta.now = Some(time);
        }
    }

    /// End of capture: flush every connection still open.
    pub fn finish(&mut self) {
        let open: Vec<u32> = self.live.keys().collect();
        for conn in open {
            self.retire(conn);
        }
        self.order_by_completion();
        if self.cap.dropped > 0 {
            self.diagnostics.push(Diagnostic::new(
                crate::diagnostic::Severity::Warning,
                "report.messages_capped",
                format!(
                    "the report lists the first {} RTMP messages; {} more are only counted in \
                     the sessions and streams",
                    self.cap.max, self.cap.dropped
                ),
                crate::diagnostic::Location::default(),
            ));
            self.first_and_last_messages();
        }
    }

    fn first_and_last_messages(&mut self) {
        for session in &mut self.sessions {
            let conn = session.conn;
            let (first, last) = match &self.log {
                Some(log) => {
                    let mut mine = log.messages.iter().filter(|m| m.conn == conn);
                    (
                        mine.next().map(|m| m.index),
                        mine.next_back().map(|m| m.index),
                    )
                }
                None => {
                    let mut mine = self.messages.iter().filter(|r| r.conn == conn);
                    (
                        mine.next().map(|r| r.index),
                        mine.next_back().map(|r| r.index),
                    )
                }
            };
            session.first_message = first;
            session.last_message = last.or(first);
        }
    }

    /// Messages are numbered as they come out of the decoders, which is completion order except
    /// where a decoder held bytes back (while resynchronising, or until the end of the capture).
    /// A stable sort by completing frame restores capture order; every index is then remapped.
    fn order_by_completion(&mut self) {
        let new_index = match &mut self.log {
            Some(log) => {
                if log.messages.windows(2).all(|w| w[0].frame <= w[1].frame) {
                    return;
                }
                log.messages.sort_by_key(|m| m.frame);
                let new_index = new_indices(log.messages.iter().map(|m| m.index));
                let remap = |i: u64| new_index.get(i as usize).copied().unwrap_or(i);
                for new in 0..log.len() {
                    log.renumber(new, new as u64, &remap);
                }
                new_index
            }
            None => {
                if self
                    .messages
                    .windows(2)
                    .all(|w| w[0].message.frame <= w[1].message.frame)
                {
                    return;
                }
                self.messages.sort_by_key(|r| r.message.frame);
                let new_index = new_indices(self.messages.iter().map(|r| r.index));
                let remap = |i: u64| new_index.get(i as usize).copied().unwrap_or(i);
                for (new, record) in self.messages.iter_mut().enumerate() {
                    record.index = new as u64;
                    record.remap_pairing(&remap);
                }
                new_index
            }
        };
        let remap = |i: u64| new_index.get(i as usize).copied().unwrap_or(i);
        for session in &mut self.sessions {
            session.connect_message = session.connect_message.map(remap);
            for pair in &mut session.command_pairs {
                pair.request_index = remap(pair.request_index);
                pair.response_index = remap(pair.response_index);
            }
        }
        self.first_and_last_messages();
    }

    /// Finishes a connection's decoder and frees it.
    fn retire(&mut self, conn: u32) {
        self.with_conn(conn, |decoder, sink| decoder.finish(&mut |e| sink(e)));
        if let Some(state) = self.live.remove(&conn) {
            self.held = self.held.saturating_sub(state.decoder.held_bytes());
            if let Some(p) = self.protocols.get_mut(conn as usize) {
                *p = state.meta.protocol;
            }
        }
    }

    /// Runs `f` on a live connection's decoder with a sink that routes its RTMP events into the
    /// report as they come (never a packet's worth of them held at once).
    fn with_conn<R>(
        &mut self,
        conn: u32,
        f: impl FnOnce(&mut RtmpConnection, &mut dyn FnMut(RtmpEvent)) -> R,
    ) -> Option<R> {
        let RtmpStage {
            live,
            sessions,
            messages,
            log,
            diagnostics,
            cap,
            ..
        } = self;
        let ConnState { decoder, meta, .. } = live.get_mut(&conn)?;
        let before = decoder.held_bytes();
        decoder.set_amf_budget(self.amf_left);
        let mut sink = |event| {
            let out = Out {
                sessions: &mut *sessions,
                messages: &mut *messages,
                log: log.as_mut(),
                diagnostics: &mut *diagnostics,
                cap: &mut *cap,
            };
            route(conn, meta, event, out)
        };
        let result = f(decoder, &mut sink);
        // Each decoder bounds itself; together they are bounded here: the one that grew past
        // the shared budget gives up what it can.
        let mut after = decoder.held_bytes();
        if self.held.saturating_sub(before) + after > self.max_held {
            decoder.shed(&mut sink);
            after = decoder.held_bytes();
        }
        self.held = self.held.saturating_sub(before) + after;
        self.amf_left = self.amf_left.saturating_sub(decoder.take_amf_spent());
        Some(result)
    }
}

/// The new index of each old one, given the old indices in their new order.
fn new_indices(old_in_new_order: impl ExactSizeIterator<Item = u64>) -> Vec<u64> {
    let mut new_index = vec![0u64; old_in_new_order.len()];
    for (new, old) in old_in_new_order.enumerate() {
        if let Some(slot) = new_index.get_mut(old as usize) {
            *slot = new as u64;
        }
    }
    new_index
}

/// Where [`route`] puts what the decoders give.
struct Out<'a> {
    sessions: &'a mut Vec<Session>,
    messages: &'a mut Vec<MessageRecord>,
    log: Option<&'a mut MessageLog>,
    diagnostics: &'a mut Vec<Diagnostic>,
    cap: &'a mut MessageCap,
}

fn route(conn: u32, state: &mut ConnMeta, event: RtmpEvent, out: Out<'_>) {
    let Out {
        sessions,
        messages,
        log,
        diagnostics,
        cap,
    } = out;
    match event {
        RtmpEvent::Detected { roles_swapped, .. } => {
            state.protocol = Protocol::Rtmp;
            let (client, server) = if roles_swapped {
                (state.server, state.client)
            } else {
                (state.client, state.server)
            };
            state.session = Some(sessions.len());
            sessions.push(Session::new(conn, client, server));
        }
        RtmpEvent::Encrypted { .. } => state.protocol = Protocol::Rtmpe,
        RtmpEvent::NotRtmp { .. } => state.protocol = Protocol::NotRtmp,
        RtmpEvent::Handshake(info) => {
            if let Some(session) = state.session.and_then(|i| sessions.get_mut(i)) {
                if info.complete {
                    session.handshake_time = state.now;
                }
                session.handshake = Some(info);
            }
        }
        RtmpEvent::Message(message) => {
            let kept = log.as_deref().map_or(messages.len(), MessageLog::len);
            let index = kept as u64 + cap.dropped;
            let pair = state.pairer.observe(index, &message);
            if let Some(session) = state.session.and_then(|i| sessions.get_mut(i)) {
                session.observe(index, &message);
                if let Some(pair) = &pair {
                    let result = match &message.body {
                        MessageBody::Command(cmd) => cmd.arguments.first(),
                        _ => None,
                    };
                    session.observe_pair(pair.clone(), result);
                }
            }
            if kept >= cap.max {
                cap.dropped += 1;
                return;
            }
            let mut message = *message;
            if let Some(spans) = message
                .kept
                .as_mut()
                .and_then(|kept| kept.body_spans.as_mut())
            {
                // Kept as long as the report: no room for more spans.
                spans.spans.shrink_to_fit();
            }
            let mut record = MessageRecord::new(index, conn, message);
            if let Some(pair) = pair {
                record.set_request(pair.request_index, pair.latency);
                if let Some(request) = messages.get_mut(pair.request_index as usize) {
                    request.set_response(index, pair.latency);
                }
            }
            match log {
                Some(log) => log.push(record),
                None => messages.push(record),
            }
        }
        RtmpEvent::Diagnostic(mut diagnostic) => {
            diagnostic.at.conn = Some(conn);
            if let Some(session) = state.session.and_then(|i| sessions.get_mut(i)) {
                session.diagnostics += 1;
            }
            diagnostics.push(diagnostic);
        }
    }
}
