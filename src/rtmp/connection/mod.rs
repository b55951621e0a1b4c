//! [`RtmpConnection`]: one TCP connection's two directions, from the handshake to messages.

mod detect;
mod probe;

pub use probe::RTMP_PORTS;

use crate::capture::Timestamp;
use crate::diagnostic::Severity;

use super::chunk::{ChunkStreamDemuxer, DemuxEvent};
use super::decode_budget;
use super::handshake::{HandshakeSide, BLOCK_LEN};
use super::message::{is_known_type, RtmpMessage};
use super::{diagnostic, Dir, Origin, RtmpConfig, RtmpEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No byte seen yet.
    Undetected,
    /// C0 = 3 seen; confirmed once a side has sent C0+C1 / S0+S1 (other protocols open with
    /// 0x03 too, e.g. RDP's TPKT, but exchange short messages).
    Tentative {
        first: Origin,
        dir: Dir,
    },
    /// The first bytes are no handshake: looking for a chain of chunk headers (a capture that
    /// starts mid-connection).
    Probing {
        first: Origin,
    },
    Rtmp,
    /// Not RTMP, or encrypted: nothing more is decoded.
    Ignored,
}

#[derive(Debug)]
struct Side {
    handshake: HandshakeSide,
    demuxer: ChunkStreamDemuxer,
    /// Origin just past the last byte seen.
    end: Origin,
    finished: bool,
    /// The direction was closed (its demuxer is finished once the connection is decided).
    closed: bool,
    /// Bytes fed while probing.
    probed: u64,
}

/// Decodes one RTMP connection. Feed each direction's TCP byte stream in order (data, gaps,
/// close); events come out through the `sink` closures.
#[derive(Debug)]
pub struct RtmpConnection {
    state: State,
    roles_swapped: bool,
    /// Indexed by RTMP role: 0 = client to server.
    sides: [Side; 2],
    handshake_reported: bool,
    fwd: Forwarding,
    config: RtmpConfig,
    /// The TCP handshake is in the capture, so the first bytes are the RTMP handshake's.
    syn_seen: bool,
    /// One of the ports is an RTMP port: a shorter chain proves a mid-stream connection.
    rtmp_port: bool,
    /// Decoded without a handshake (the capture starts mid-connection).
    midstream: bool,
    first_byte: u8,
    first_dir: Dir,
}

/// What turning raw messages into decoded ones keeps across messages.
#[derive(Debug)]
struct Forwarding {
    /// Unknown message types already reported.
    reported: Vec<u8>,
    /// Approximate bytes decoded AMF values may still take, and what they took since asked.
    amf_left: usize,
    amf_spent: usize,
    /// Hand the body bytes over on each message ([`RtmpConfig::keep_payload`]).
    keep_payload: bool,
}

impl Default for Forwarding {
    fn default() -> Self {
        Forwarding {
            reported: Vec::new(),
            amf_left: usize::MAX,
            amf_spent: 0,
            keep_payload: false,
        }
    }
}

fn forward<F: FnMut(RtmpEvent)>(role: Dir, ev: DemuxEvent, fwd: &mut Forwarding, sink: &mut F) {
    match ev {
        DemuxEvent::Diagnostic(d) => sink(RtmpEvent::Diagnostic(d)),
        DemuxEvent::Message(raw) => {
            let first = raw.first;
            let limits = decode_budget::limits(fwd.amf_left);
            let (msg, note) = RtmpMessage::from_raw_with(raw, role, limits, fwd.keep_payload);
            let heap = decode_budget::body_heap(&msg.body);
            fwd.amf_left = fwd.amf_left.saturating_sub(heap);
            fwd.amf_spent = fwd.amf_spent.saturating_add(heap);
            let reported = &mut fwd.reported;
            if let Some(note) = note {
                sink(RtmpEvent::Diagnostic(diagnostic(
                    Severity::Info,
                    "message.extra_bytes",
                    format!("{} message: {note}", msg.type_name()),
                    first,
                    role,
                )));
            }
            if !is_known_type(msg.type_id) && !reported.contains(&msg.type_id) {
                reported.push(msg.type_id);
                sink(RtmpEvent::Diagnostic(diagnostic(
                    Severity::Warning,
                    "message.unknown_type",
                    format!("message type {} is not defined by the spec", msg.type_id),
                    first,
                    role,
                )));
            }
            sink(RtmpEvent::Message(Box::new(msg)));
        }
    }
}

impl RtmpConnection {
    pub fn new(config: RtmpConfig) -> Self {
        let side = |dir| Side {
            handshake: HandshakeSide::default(),
            demuxer: ChunkStreamDemuxer::new(dir, config.clone()),
            end: Origin::default(),
            finished: false,
            closed: false,
            probed: 0,
        };
        RtmpConnection {
            state: State::Undetected,
            roles_swapped: false,
            sides: [side(Dir::C2S), side(Dir::S2C)],
            handshake_reported: false,
            fwd: Forwarding {
                keep_payload: config.keep_payload,
                ..Forwarding::default()
            },
            config,
            syn_seen: true,
            rtmp_port: true,
            midstream: false,
            first_byte: 0,
            first_dir: Dir::C2S,
        }
    }

    /// What the TCP layer knows about the connection's start: whether its SYN is in the capture
    /// (without it, the first bytes may be chunks that happen to look like a C0), and whether a
    /// port is an RTMP port ([`RTMP_PORTS`]; a hint for recognising RTMP without a handshake,
    /// not a rule). Both default to `true`.
    pub fn set_start(&mut self, syn_seen: bool, rtmp_port: bool) {
        self.syn_seen = syn_seen;
        self.rtmp_port = rtmp_port;
    }

    /// Whether the connection is decoded without its handshake (mid-connection capture).
    pub fn is_midstream(&self) -> bool {
        self.midstream
    }

    pub fn is_rtmp(&self) -> bool {
        self.state == State::Rtmp
    }

    pub fn roles_swapped(&self) -> bool {
        self.roles_swapped
    }

    /// Approximate bytes the decoded AMF values of this connection's next messages may take
    /// (shared with other connections by the caller; unlimited by default). Resets the count
    /// [`RtmpConnection::take_amf_spent`] returns.
    pub fn set_amf_budget(&mut self, bytes: usize) {
        self.fwd.amf_left = bytes;
        self.fwd.amf_spent = 0;
    }

    /// Approximate bytes of AMF values decoded since [`RtmpConnection::set_amf_budget`].
    pub fn take_amf_spent(&mut self) -> usize {
        std::mem::take(&mut self.fwd.amf_spent)
    }

    /// Stream bytes held for both directions (unfinished bodies, resync buffers, handshake).
    pub fn held_bytes(&self) -> usize {
        self.sides
            .iter()
            .map(|s| s.demuxer.held_bytes() + s.handshake.held_bytes())
            .sum()
    }

    /// Frees what both directions can without losing sync; see [`ChunkStreamDemuxer::shed`].
    pub fn shed<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        for role in [Dir::C2S, Dir::S2C] {
            let fwd = &mut self.fwd;
            let side = pick(&mut self.sides, role);
            side.demuxer.shed(&mut |ev| forward(role, ev, fwd, sink));
        }
    }

    /// The demuxer of one RTMP role (for its counters).
    pub fn demuxer(&self, role: Dir) -> &ChunkStreamDemuxer {
        &self.side(role).demuxer
    }

    fn side(&self, role: Dir) -> &Side {
        let [client, server] = &self.sides;
        match role {
            Dir::C2S => client,
            Dir::S2C => server,
        }
    }

    fn side_mut(&mut self, role: Dir) -> &mut Side {
        pick(&mut self.sides, role)
    }

    fn role(&self, dir: Dir) -> Dir {
        if self.roles_swapped {
            dir.reverse()
        } else {
            dir
        }
    }

    pub fn on_data<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        data: &[u8],
        origin: Origin,
        sink: &mut F,
    ) {
        let Some(&first) = data.first() else {
            return;
        };
        if self.state == State::Undetected {
            self.first_byte = first;
            self.first_dir = dir;
            if self.starts_midstream(data) {
                self.start_probe(origin);
            } else {
                self.detect(dir, first, origin, sink);
            }
        }
        if self.midstream || matches!(self.state, State::Probing { .. }) {
            self.probe_data(dir, data, origin, sink);
            return;
        }
        let role = self.role(dir);
        if matches!(self.state, State::Tentative { .. }) && role == Dir::C2S {
            // An RTMP server answers with all of S0+S1 and the client sends C2 only after it:
            // a client going on after a short answer speaks another protocol.
            let server = self.sides[1].handshake.received();
            let client = self.sides[0].handshake.received();
            let c0c1 = 1 + BLOCK_LEN;
            if server > 0 && server < c0c1 {
                if client + data.len() < c0c1 {
                    self.reject("the client sent more after a short answer", sink);
                } else if client >= c0c1 {
                    self.reject("the client went on past C0+C1 before S0+S1 came", sink);
                }
            }
        }
        if self.state == State::Ignored || self.state == State::Undetected {
            return;
        }
        let side = self.side_mut(role);
        side.end = origin.advanced(data.len() as u64);
        let mut used = 0;
        if !side.handshake.is_done() {
            let before = side.handshake.received();
            used = side.handshake.feed(data, origin);
            self.check_tentative(sink);
            if self.state == State::Ignored {
                return;
            }
            if role == Dir::S2C && before == 0 {
                let c0 = self.sides[0].handshake_c0();
                if c0 != Some(first) {
                    sink(RtmpEvent::Diagnostic(diagnostic(
                        Severity::Warning,
                        "handshake.version_mismatch",
                        format!("S0 = {first} differs from C0 = {}", c0.unwrap_or(0)),
                        origin,
                        role,
                    )));
                }
            }
            self.maybe_report_handshake(sink);
        }
        if let Some(rest) = data.get(used..).filter(|r| !r.is_empty()) {
            let fwd = &mut self.fwd;
            let side = pick(&mut self.sides, role);
            side.demuxer
                .feed(rest, origin.advanced(used as u64), &mut |ev| {
                    forward(role, ev, fwd, sink)
                });
        }
    }

    pub fn on_gap<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        stream_offset: u64,
        len: u64,
        frame: u64,
        time: Timestamp,
        sink: &mut F,
    ) {
        let at = Origin::new(frame, time, stream_offset, None);
        if matches!(self.state, State::Tentative { .. }) {
            self.confirm(sink);
        }
        if self.state == State::Undetected {
            sink(RtmpEvent::Diagnostic(diagnostic(
                Severity::Warning,
                "rtmp.gap",
                format!("{len} bytes missing before the first byte of the connection"),
                at,
                dir,
            )));
            return;
        }
        if len == 0 {
            return;
        }
        if self.midstream || matches!(self.state, State::Probing { .. }) {
            self.probe_gap(dir, at, len, sink);
            return;
        }
        if self.state != State::Rtmp {
            return;
        }
        let role = self.role(dir);
        let side = self.side_mut(role);
        side.end = at.advanced(len);
        let mut rest = len;
        if !side.handshake.is_done() {
            let used = side.handshake.gap(len, at);
            rest -= used;
            sink(RtmpEvent::Diagnostic(diagnostic(
                Severity::Warning,
                "handshake.gap",
                format!("{used} handshake bytes missing from the TCP stream"),
                at,
                role,
            )));
            self.maybe_report_handshake(sink);
        }
        if rest > 0 {
            let fwd = &mut self.fwd;
            let side = pick(&mut self.sides, role);
            side.demuxer.gap(at.advanced(len - rest), rest, &mut |ev| {
                forward(role, ev, fwd, sink)
            });
        }
    }

    /// The direction is closed (FIN or RST): unfinished messages in it are reported.
    pub fn on_close<F: FnMut(RtmpEvent)>(&mut self, dir: Dir, sink: &mut F) {
        if matches!(self.state, State::Tentative { .. }) {
            self.confirm(sink);
        }
        let role = self.role(dir);
        self.side_mut(role).closed = true;
        if self.state != State::Rtmp {
            return;
        }
        self.finish_side(role, sink);
    }

    /// The capture ended: everything still open is reported.
    pub fn finish<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        self.finish_probe(sink);
        // Too few bytes to tell: C0 = 3 and no contrary sign is taken as RTMP.
        self.confirm(sink);
        if self.state != State::Rtmp {
            return;
        }
        self.finish_side(Dir::C2S, sink);
        self.finish_side(Dir::S2C, sink);
        if !self.handshake_reported {
            self.handshake_reported = true;
            let info = self.handshake_info();
            let at = self.sides[0].end;
            sink(RtmpEvent::Diagnostic(diagnostic(
                Severity::Warning,
                "handshake.incomplete",
                format!(
                    "the handshake did not complete (client sent {} of 3073 bytes, server {})",
                    self.sides[0].handshake.received(),
                    self.sides[1].handshake.received()
                ),
                at,
                Dir::C2S,
            )));
            sink(RtmpEvent::Handshake(info));
        }
    }

    fn finish_side<F: FnMut(RtmpEvent)>(&mut self, role: Dir, sink: &mut F) {
        let fwd = &mut self.fwd;
        let side = pick(&mut self.sides, role);
        if side.finished {
            return;
        }
        side.finished = true;
        let end = side.end;
        side.demuxer
            .finish(end, &mut |ev| forward(role, ev, fwd, sink));
    }
}

fn pick(sides: &mut [Side; 2], role: Dir) -> &mut Side {
    let [client, server] = sides;
    match role {
        Dir::C2S => client,
        Dir::S2C => server,
    }
}

impl Side {
    fn handshake_c0(&self) -> Option<u8> {
        (self.handshake.received() > 0).then(|| self.handshake.first_byte())
    }
}
