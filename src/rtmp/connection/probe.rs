//! Connections whose start is not in the capture: no handshake to recognise RTMP by, no Set
//! Chunk Size, no fmt 0 headers. Both directions go to probing demuxers
//! ([`ChunkStreamDemuxer::new_probing`]); a long chain of consistent chunk headers in either
//! proves RTMP (and the chunk size), then the other direction is decoded with ordinary
//! resynchronisation. Nothing is reported for a connection until it is decided.

use crate::diagnostic::Severity;

use super::super::chunk::{ChunkStreamDemuxer, DemuxEvent};
use super::super::header::{parse_basic_header, parse_chunk_header, ExtendedRule};
use super::super::resync::{self, PROBE_CHAIN};
use super::super::{diagnostic, Dir, Origin, RtmpEvent};
use super::{forward, pick, RtmpConnection, State};

/// Server ports of RTMP (1935; node-media-server and nginx setups use 1936 and 1937): headers
/// needed to prove RTMP elsewhere are [`PROBE_CHAIN`] plus this.
pub const RTMP_PORTS: [u16; 3] = [1935, 1936, 1937];
pub const OFF_PORT_EXTRA_CHAIN: u32 = 2;

/// Whether `data` starts with a plausible fmt 0 chunk header: a mid-stream capture that happens
/// to start at one whose first byte (fmt 0, chunk stream 3, 6 or 8) looks like a C0.
pub(super) fn starts_with_chunk_header(data: &[u8]) -> bool {
    let Some(basic) = parse_basic_header(data) else {
        return false;
    };
    let Some(h) = parse_chunk_header(data, basic, ExtendedRule::Absent) else {
        return false;
    };
    let (Some(type_id), Some(length), Some(msid)) = (h.type_id, h.length, h.msid) else {
        return false;
    };
    let body = data.get(h.len..).unwrap_or_default();
    basic.fmt == 0
        && msid <= resync::MAX_PLAUSIBLE_MSID
        && resync::length_plausible(type_id, length, &Default::default())
        && resync::body_plausible(type_id, length, body)
}

impl RtmpConnection {
    /// Whether the first bytes of the connection are not a handshake but chunks.
    pub(super) fn starts_midstream(&self, data: &[u8]) -> bool {
        match data.first() {
            Some(3 | 6 | 8) => !self.syn_seen && starts_with_chunk_header(data),
            Some(_) => true,
            None => false,
        }
    }

    pub(super) fn start_probe(&mut self, origin: Origin) {
        self.state = State::Probing { first: origin };
        let chain = if self.rtmp_port {
            PROBE_CHAIN
        } else {
            PROBE_CHAIN + OFF_PORT_EXTRA_CHAIN
        };
        for (side, dir) in self.sides.iter_mut().zip([Dir::C2S, Dir::S2C]) {
            side.demuxer = ChunkStreamDemuxer::new_probing(dir, self.config.clone());
            side.demuxer.set_probe_chain(chain);
        }
    }

    /// Data of a connection decoded without a handshake (probing, or proven RTMP).
    pub(super) fn probe_data<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        data: &[u8],
        origin: Origin,
        sink: &mut F,
    ) {
        let side = pick(&mut self.sides, dir);
        side.end = origin.advanced(data.len() as u64);
        side.probed = side.probed.saturating_add(data.len() as u64);
        let mut events = Vec::new();
        side.demuxer.feed(data, origin, &mut |e| events.push(e));
        self.after_probe_step(dir, events, sink);
    }

    pub(super) fn probe_gap<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        at: Origin,
        len: u64,
        sink: &mut F,
    ) {
        let side = pick(&mut self.sides, dir);
        side.end = at.advanced(len);
        let mut events = Vec::new();
        side.demuxer.gap(at, len, &mut |e| events.push(e));
        self.after_probe_step(dir, events, sink);
    }

    fn after_probe_step<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        events: Vec<DemuxEvent>,
        sink: &mut F,
    ) {
        if let State::Probing { first } = self.state {
            let side = pick(&mut self.sides, dir);
            if side.demuxer.has_synced() {
                self.confirm_midstream(first, dir, sink);
            } else if side.probed > self.config.probe_limit {
                self.give_up_probe(first, sink);
                return;
            }
        }
        if self.state != State::Rtmp {
            return;
        }
        let fwd = &mut self.fwd;
        for ev in events {
            forward(dir, ev, fwd, sink);
        }
        self.share_stream_hint(dir);
    }

    /// A direction's media stream id helps the other direction guess its own.
    fn share_stream_hint(&mut self, from: Dir) {
        let [c2s, s2c] = &mut self.sides;
        let (src, dst) = match from {
            Dir::C2S => (c2s, s2c),
            Dir::S2C => (s2c, c2s),
        };
        if let Some(hint) = src.demuxer.stream_hint() {
            dst.demuxer.set_stream_hint(hint);
        }
    }

    fn confirm_midstream<F: FnMut(RtmpEvent)>(&mut self, first: Origin, by: Dir, sink: &mut F) {
        self.state = State::Rtmp;
        self.midstream = true;
        // There is no handshake to report.
        self.handshake_reported = true;
        sink(RtmpEvent::Detected {
            version: 3,
            roles_swapped: false,
            frame: first.frame,
            midstream: true,
        });
        let side = pick(&mut self.sides, by);
        let size = side.demuxer.chunk_size();
        let how = if side.demuxer.chunk_size_known() {
            "shown by the chunks"
        } else {
            "assumed: no message so far was long enough to show it"
        };
        sink(RtmpEvent::Diagnostic(diagnostic(
            Severity::Info,
            "rtmp.midstream",
            format!(
                "no handshake in the capture (it starts mid-connection): RTMP recognised from a \
                 chain of consistent chunk headers in the {} direction; chunk size {size} ({how}); \
                 client and server roles are guessed from the ports",
                by.as_str()
            ),
            first,
            by,
        )));
        // The other direction: ordinary chains now, and what it already holds is decided.
        let other = by.reverse();
        let fwd = &mut self.fwd;
        let side = pick(&mut self.sides, other);
        side.demuxer
            .end_probe(&mut |ev| forward(other, ev, fwd, sink));
        if side.closed {
            self.finish_side(other, sink);
        }
    }

    fn give_up_probe<F: FnMut(RtmpEvent)>(&mut self, first: Origin, sink: &mut F) {
        self.state = State::Ignored;
        let first_byte = self.first_byte;
        sink(RtmpEvent::NotRtmp {
            first_byte,
            dir: self.first_dir,
            frame: first.frame,
        });
        // No diagnostic: the connection's protocol says it, and a capture of a million
        // short non-RTMP connections should not carry a million notes.
        for side in &mut self.sides {
            side.demuxer = ChunkStreamDemuxer::new(Dir::C2S, Default::default());
        }
    }

    /// The end of the capture while still probing: what both directions hold is decided.
    pub(super) fn finish_probe<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        let State::Probing { first } = self.state else {
            return;
        };
        for dir in [Dir::C2S, Dir::S2C] {
            let side = pick(&mut self.sides, dir);
            let end = side.end;
            let mut events = Vec::new();
            side.demuxer.finish(end, &mut |e| events.push(e));
            side.finished = true;
            if side.demuxer.has_synced() {
                self.confirm_midstream(first, dir, sink);
                let fwd = &mut self.fwd;
                for ev in events {
                    forward(dir, ev, fwd, sink);
                }
                return;
            }
        }
        self.give_up_probe(first, sink);
    }
}
