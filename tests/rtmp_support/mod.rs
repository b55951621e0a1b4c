//! Helpers shared by the rtmp_* integration tests: a chunk writer and feeding helpers.
#![allow(dead_code, clippy::unwrap_used)]

use rtmpscope::capture::Timestamp;
use rtmpscope::diagnostic::Diagnostic;
use rtmpscope::rtmp::header::{encode_basic_header, encode_chunk_header};
use rtmpscope::rtmp::{ChunkStreamDemuxer, DemuxEvent, Dir, Origin, RawMessage, RtmpConfig};

/// Writes messages as chunks, the way a sender would.
pub struct ChunkWriter {
    pub chunk_size: u32,
    pub out: Vec<u8>,
}

impl ChunkWriter {
    pub fn new() -> Self {
        ChunkWriter {
            chunk_size: 128,
            out: Vec::new(),
        }
    }

    /// One message: a header of `fmt` (`timestamp` is the absolute value for fmt 0, the delta
    /// otherwise), then the body in chunks. `fmt3_ext`: 4 bytes written after every fmt 3
    /// header (the header's own when `fmt` is 3, and each continuation's).
    #[allow(clippy::too_many_arguments)]
    pub fn message(
        &mut self,
        fmt: u8,
        csid: u32,
        timestamp: u32,
        type_id: u8,
        msid: u32,
        body: &[u8],
        fmt3_ext: Option<u32>,
    ) -> &mut Self {
        encode_chunk_header(
            fmt,
            csid,
            timestamp,
            body.len() as u32,
            type_id,
            msid,
            fmt3_ext,
            &mut self.out,
        );
        let mut chunks = body.chunks(self.chunk_size as usize);
        if let Some(first) = chunks.next() {
            self.out.extend_from_slice(first);
        }
        for c in chunks {
            self.continuation(csid, fmt3_ext);
            self.out.extend_from_slice(c);
        }
        self
    }

    pub fn continuation(&mut self, csid: u32, ext: Option<u32>) -> &mut Self {
        encode_basic_header(3, csid, &mut self.out);
        if let Some(e) = ext {
            self.out.extend_from_slice(&e.to_be_bytes());
        }
        self
    }

    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// Set Chunk Size on csid 2; the writer uses the new size from the next message on.
    pub fn set_chunk_size(&mut self, size: u32) -> &mut Self {
        self.message(0, 2, 0, 1, 0, &size.to_be_bytes(), None);
        self.chunk_size = size & 0x7fff_ffff;
        self
    }
}

pub fn body(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

pub fn origin_at(offset: usize, frame: u64) -> Origin {
    Origin::new(
        frame,
        Timestamp::new(1000 + frame as i64, 0),
        offset as u64,
        Some(10_000 + offset as u64),
    )
}

#[derive(Default, Debug)]
pub struct Collected {
    pub messages: Vec<RawMessage>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Collected {
    pub fn codes(&self) -> Vec<&str> {
        self.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    pub fn push(&mut self, ev: DemuxEvent) {
        match ev {
            DemuxEvent::Message(m) => self.messages.push(m),
            DemuxEvent::Diagnostic(d) => self.diagnostics.push(d),
        }
    }

    /// (csid, type, timestamp, length, body) of every message.
    pub fn summary(&self) -> Vec<(u32, u8, u32, u32, Vec<u8>)> {
        self.messages
            .iter()
            .map(|m| (m.csid, m.type_id, m.timestamp, m.length, m.body.clone()))
            .collect()
    }
}

/// Feeds `bytes` in pieces of `piece` bytes (each piece its own frame) and finishes.
pub fn demux_with(
    bytes: &[u8],
    piece: usize,
    config: RtmpConfig,
) -> (Collected, ChunkStreamDemuxer) {
    let mut d = ChunkStreamDemuxer::new(Dir::C2S, config);
    let mut c = Collected::default();
    for (i, p) in bytes.chunks(piece.max(1)).enumerate() {
        d.feed(p, origin_at(i * piece, i as u64 + 1), &mut |e| c.push(e));
    }
    d.finish(origin_at(bytes.len(), 0), &mut |e| c.push(e));
    (c, d)
}

pub fn demux(bytes: &[u8], piece: usize) -> Collected {
    demux_with(bytes, piece, RtmpConfig::default()).0
}
