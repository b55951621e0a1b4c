//! Finishing chunks and messages: body bytes, completion, and the control messages that
//! change how later chunks are read (Set Chunk Size, Abort).

use crate::diagnostic::Severity;

use super::super::message::type_name;
use super::super::queue::Locator;
use super::super::Origin;
use super::{ChunkStreamDemuxer, DemuxEvent, RawMessage, TYPE_ABORT, TYPE_SET_CHUNK_SIZE};

impl ChunkStreamDemuxer {
    pub(super) fn append(&mut self, csid: u32, data: &[u8], last: Origin) {
        let budget = self.config.max_buffered.saturating_sub(self.buffered);
        if let Some(p) = self.streams.get_mut(&csid).and_then(|s| s.partial.as_mut()) {
            self.buffered += p.append(data, budget, &self.config);
            p.msg.last = last;
        }
    }

    /// Notes where body bytes `buf[i..i + n]` (about to be appended) lie in the file.
    pub(super) fn record_spans(&mut self, csid: u32, loc: Locator, i: usize, n: usize) {
        let Some(p) = self.streams.get_mut(&csid).and_then(|s| s.partial.as_mut()) else {
            return;
        };
        let mut body_offset = p.received;
        if let Some(spans) = p.msg.body_spans.as_mut() {
            loc.for_each_piece(i, n, |origin, len| {
                let len = u32::try_from(len).unwrap_or(u32::MAX);
                spans.record(body_offset, origin.file_offset, len);
                body_offset = body_offset.saturating_add(len);
            });
        }
    }

    /// A chunk's payload is complete: the message too, if this was its last chunk.
    pub(super) fn end_chunk<F: FnMut(DemuxEvent)>(
        &mut self,
        csid: u32,
        last: Origin,
        sink: &mut F,
    ) {
        let Some(state) = self.streams.get_mut(&csid) else {
            return;
        };
        if state.partial.as_ref().is_some_and(|p| p.remaining() > 0) {
            return;
        }
        let Some(mut partial) = state.partial.take() else {
            return;
        };
        partial.msg.complete = true;
        partial.msg.last = last;
        self.buffered = self.buffered.saturating_sub(partial.msg.body.len());
        if partial.msid_guessed && is_stream_command(&partial.msg) {
            partial.msg.msid = self.stream_hint.unwrap_or(1);
        }
        let msg = partial.msg;
        if msg.missing == 0 {
            self.apply_control(&msg, sink);
        }
        sink(DemuxEvent::Message(msg));
    }

    /// Set Chunk Size and Abort change how the following chunks are read.
    pub(super) fn apply_control<F: FnMut(DemuxEvent)>(&mut self, msg: &RawMessage, sink: &mut F) {
        let Some(value) = msg
            .body
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
        else {
            return;
        };
        match msg.type_id {
            TYPE_SET_CHUNK_SIZE => {
                if value & 0x8000_0000 != 0 {
                    self.emit_diag(
                        Severity::Warning,
                        "chunk.size_invalid",
                        format!(
                            "Set Chunk Size 0x{value:08x} has the top bit set (must be 0); \
                             using the low 31 bits"
                        ),
                        msg.first,
                        sink,
                    );
                }
                let size = value & 0x7fff_ffff;
                if size == 0 {
                    self.emit_diag(
                        Severity::Error,
                        "chunk.size_invalid",
                        format!(
                            "Set Chunk Size 0 is invalid; keeping chunk size {}",
                            self.chunk_size
                        ),
                        msg.first,
                        sink,
                    );
                } else {
                    self.chunk_size = size;
                    self.size_known = true;
                }
            }
            TYPE_ABORT => {
                let target = self.streams.get_mut(&value).and_then(|s| s.partial.take());
                if let Some(p) = target {
                    self.buffered = self.buffered.saturating_sub(p.msg.body.len());
                    self.emit_diag(
                        Severity::Info,
                        "chunk.aborted",
                        format!(
                            "Abort Message discards the unfinished {} message on chunk stream \
                             {value} ({} of {} bytes received)",
                            type_name(p.msg.type_id),
                            p.received,
                            p.msg.length
                        ),
                        msg.first,
                        sink,
                    );
                }
            }
            _ => {}
        }
    }
}

/// NetStream commands: sent on the message stream they are about (the others, NetConnection
/// commands such as `FCUnpublish` or `deleteStream`, go on stream 0).
const STREAM_COMMANDS: [&[u8]; 9] = [
    b"play",
    b"play2",
    b"publish",
    b"pause",
    b"seek",
    b"receiveAudio",
    b"receiveVideo",
    b"closeStream",
    b"onStatus",
];

/// Whether a command message's name (its first AMF0 string) is a NetStream command.
fn is_stream_command(msg: &RawMessage) -> bool {
    let body = match msg.type_id {
        20 => msg.body.as_slice(),
        17 => match msg.body.split_first() {
            Some((0, rest)) => rest,
            _ => msg.body.as_slice(),
        },
        _ => return false,
    };
    let Some(&[0x02, hi, lo]) = body.get(..3) else {
        return false;
    };
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    body.get(3..3 + len)
        .is_some_and(|name| STREAM_COMMANDS.contains(&name))
}
