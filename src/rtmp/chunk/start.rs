//! Applying a chunk header to its chunk stream: inherited fields, timestamps, the start of a
//! message or the continuation of one.

use crate::diagnostic::Severity;

use super::super::header::{ChunkHeader, ExtendedRule};
use super::super::message::{header_problem, type_name};
use super::super::stream::{Partial, StreamState};
use super::super::Origin;
use super::{ChunkStreamDemuxer, DemuxEvent, KnownStream, RawMessage};

impl ChunkStreamDemuxer {
    pub(super) fn extended_rule(&self, fmt: u8, csid: u32) -> ExtendedRule {
        if fmt != 3 {
            return ExtendedRule::Absent;
        }
        let Some(state) = self.streams.get(&csid) else {
            return ExtendedRule::Absent;
        };
        match &state.partial {
            Some(p) => p
                .extended_expect
                .map_or(ExtendedRule::Absent, ExtendedRule::Expect),
            None => match state.known.extended {
                Some(ext) => ExtendedRule::Expect([
                    ext,
                    state.known.timestamp.wrapping_add(state.known.delta),
                ]),
                None => ExtendedRule::Absent,
            },
        }
    }

    /// Applies a chunk header; returns the chunk's payload length, or `None` after losing sync.
    pub(super) fn start_chunk<F: FnMut(DemuxEvent)>(
        &mut self,
        h: &ChunkHeader,
        at: Origin,
        end: Origin,
        sink: &mut F,
    ) -> Option<u32> {
        let csid = h.csid;
        if h.extended_omitted && !self.omitted_extended_reported {
            self.omitted_extended_reported = true;
            self.emit_diag(
                Severity::Info,
                "chunk.extended_timestamp_omitted",
                format!(
                    "the sender leaves the extended timestamp out of fmt 3 headers on chunk \
                     stream {csid} (allowed by some implementations, not by the spec)"
                ),
                at,
                sink,
            );
        }
        let known_before = self.streams.get(&csid).map(|s| s.known);
        // After a loss of sync a fmt 1 header may introduce a chunk stream (its fmt 0 was lost).
        if h.fmt != 0 && known_before.is_none() && !(self.lenient && h.fmt == 1) {
            self.lose_sync(
                at,
                "chunk.unknown_stream",
                format!(
                    "fmt {} chunk header on chunk stream {csid}, which has had no fmt 0 header: \
                     its message header is unknown",
                    h.fmt
                ),
                sink,
            );
            return None;
        }
        if let (Some(type_id), Some(length)) = (
            h.type_id.or(known_before.map(|k| k.type_id)),
            h.length.or(known_before.map(|k| k.length)),
        ) {
            if let Some(problem) = header_problem(type_id, length, &self.config) {
                // After a fmt 3 continuation the header is the known one, already checked.
                self.lose_sync(
                    at,
                    "chunk.bad_header",
                    format!(
                        "impossible fmt {} chunk header on chunk stream {csid}: {problem}",
                        h.fmt
                    ),
                    sink,
                );
                return None;
            }
        }
        // A continuation chunk of the message in progress.
        if h.fmt == 3 {
            if let Some(state) = self.streams.get_mut(&csid) {
                if let Some(p) = state.partial.as_mut() {
                    p.msg.chunks += 1;
                    p.msg.last = end;
                    // A message longer than the chunk size continued where that size said.
                    self.size_known = true;
                    return Some(p.remaining().min(self.chunk_size));
                }
            }
        }
        let had_partial = self.streams.get(&csid).is_some_and(|s| s.partial.is_some());
        if had_partial {
            self.emit_diag(
                Severity::Warning,
                "chunk.interrupted",
                format!(
                    "fmt {} header on chunk stream {csid} while a message on it was unfinished; \
                     the unfinished message is dropped as damaged",
                    h.fmt
                ),
                at,
                sink,
            );
            self.flush_stream(csid, at, sink);
        }
        let resync_point = std::mem::take(&mut self.at_resync_point);
        if known_before.is_none() && h.fmt != 0 {
            self.report_guessed_stream(csid, h, at, sink);
        }
        if h.fmt == 0 && h.msid.is_some_and(|m| m != 0) {
            self.stream_hint = h.msid;
        }
        let stream_msid = self.stream_hint.unwrap_or(1);
        let state = self.streams.get_or_insert_with(csid, || StreamState {
            known: KnownStream {
                timestamp: 0,
                delta: 0,
                length: 0,
                type_id: 0,
                msid: 0,
                extended: None,
            },
            // A chunk stream first seen without fmt 0: its message stream id and timestamp
            // base are unknown (a timestamp base of 0 keeps the deltas exact).
            inferred: h.fmt != 0,
            msid_known: false,
            partial: None,
        });
        let k = &mut state.known;
        let value = h.timestamp_value().unwrap_or(0);
        let delta = match h.fmt {
            0 => {
                k.timestamp = value;
                k.delta = value;
                state.inferred = false;
                state.msid_known = true;
                None
            }
            1 | 2 => {
                k.delta = value;
                k.timestamp = k.timestamp.wrapping_add(value);
                Some(value)
            }
            _ => {
                k.timestamp = k.timestamp.wrapping_add(k.delta);
                Some(k.delta)
            }
        };
        if let Some(length) = h.length {
            k.length = length;
        }
        if let Some(type_id) = h.type_id {
            k.type_id = type_id;
        }
        if let Some(msid) = h.msid {
            k.msid = msid;
        }
        let msid_guessed = !state.msid_known;
        if msid_guessed {
            k.msid = guess_msid(k.type_id, stream_msid);
        }
        if h.fmt <= 2 {
            k.extended = h.extended;
        }
        let extended_timestamp = k.extended.is_some();
        let msg = RawMessage {
            csid,
            msid: k.msid,
            type_id: k.type_id,
            timestamp: k.timestamp,
            timestamp_delta: delta,
            length: k.length,
            first_fmt: h.fmt,
            extended_timestamp,
            chunks: 1,
            first: at,
            last: end,
            body: Vec::new(),
            truncated: false,
            missing: 0,
            complete: false,
            inferred: state.inferred,
            resync_point,
            body_spans: self.config.record_body_spans.then(Box::default),
        };
        let extended_expect = k.extended.map(|ext| [ext, k.timestamp]);
        let mut partial = Partial::new(msg, &self.config);
        partial.extended_expect = extended_expect;
        partial.msid_guessed = msid_guessed;
        let first_chunk = partial.remaining().min(self.chunk_size);
        state.partial = Some(Box::new(partial));
        Some(first_chunk)
    }
}

/// The message stream id a message most likely has when its chunk stream's fmt 0 header is
/// unknown: control and NetConnection messages go on stream 0, media and data on the stream
/// being published or played (commands are looked at again by name once whole).
pub(super) fn guess_msid(type_id: u8, stream: u32) -> u32 {
    match type_id {
        8 | 9 | 15 | 18 | 22 => stream,
        _ => 0,
    }
}

impl ChunkStreamDemuxer {
    fn report_guessed_stream<F: FnMut(DemuxEvent)>(
        &mut self,
        csid: u32,
        h: &ChunkHeader,
        at: Origin,
        sink: &mut F,
    ) {
        self.guessed_reported += 1;
        if self.guessed_reported > 8 {
            return;
        }
        let type_id = h.type_id.unwrap_or(0);
        let msid = guess_msid(type_id, self.stream_hint.unwrap_or(1));
        self.emit_diag(
            Severity::Info,
            "chunk.state_guessed",
            format!(
                "chunk stream {csid} starts with a fmt {} header ({} message) and its fmt 0 \
                 header is not in the capture: message stream id taken as {msid}, timestamps \
                 counted from 0",
                h.fmt,
                type_name(type_id)
            ),
            at,
            sink,
        );
    }
}
