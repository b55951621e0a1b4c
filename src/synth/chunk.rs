//! RTMP chunking as ffmpeg's `ff_rtmp_packet_write` does it: a message's first chunk header is
//! fmt 0 the first time a chunk stream is used (or when the message stream id changes or time
//! goes back), fmt 1 when type or length changed, fmt 2 when only the delta changed, and fmt 3
//! when type, length and delta all repeat; continuation chunks have fmt 3 headers.

/// What a chunk stream's last message header set up.
#[derive(Debug, Clone, Copy)]
struct Last {
    msid: u32,
    type_id: u8,
    length: u32,
    timestamp: u32,
    /// The value the last header carried in its timestamp field (absolute for fmt 0, else the
    /// delta): a fmt 3 header repeats it.
    field: u32,
}

/// One message to chunk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outgoing<'a> {
    pub csid: u32,
    pub msid: u32,
    pub type_id: u8,
    pub timestamp: u32,
    pub body: &'a [u8],
}

/// The chunk header a message started with, for the generator's own log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Written {
    pub fmt: u8,
    pub chunks: u32,
}

/// One direction's chunk writer. Chunk stream ids are 2..=63 (one-byte basic headers), which is
/// all a publisher and server use.
#[derive(Debug, Clone)]
pub(crate) struct ChunkWriter {
    chunk_size: usize,
    /// Reuse header fields (fmt 1/2/3) as ffmpeg does; `false` writes fmt 0 for every message,
    /// as nginx-rtmp does for most of what it sends.
    compress: bool,
    last: [Option<Last>; 64],
}

const MAX_FIELD: u32 = 0x00ff_ffff;

impl ChunkWriter {
    pub fn new(compress: bool) -> Self {
        ChunkWriter {
            chunk_size: 128,
            compress,
            last: [None; 64],
        }
    }

    /// Applies from the next message on (the Set Chunk Size message itself uses the old size).
    pub fn set_chunk_size(&mut self, size: u32) {
        self.chunk_size = size.max(1) as usize;
    }

    /// Appends the chunks of `m` to `out`.
    pub fn write(&mut self, m: &Outgoing<'_>, out: &mut Vec<u8>) -> Written {
        let csid = (m.csid & 63).max(2);
        let slot = self.last.get_mut(csid as usize);
        let prev = slot.as_ref().and_then(|s| **s);
        let length = m.body.len() as u32;
        let (fmt, field) = match prev {
            Some(p) if self.compress && p.msid == m.msid && m.timestamp >= p.timestamp => {
                let delta = m.timestamp - p.timestamp;
                if p.type_id == m.type_id && p.length == length {
                    (if delta == p.field { 3 } else { 2 }, delta)
                } else {
                    (1, delta)
                }
            }
            _ => (0, m.timestamp),
        };
        if let Some(slot) = slot {
            *slot = Some(Last {
                msid: m.msid,
                type_id: m.type_id,
                length,
                timestamp: m.timestamp,
                field,
            });
        }
        let extended = field >= MAX_FIELD;
        out.reserve(m.body.len() + 16 + m.body.len() / self.chunk_size * 5);
        out.push((fmt << 6) | csid as u8);
        if fmt <= 2 {
            out.extend_from_slice(&field.min(MAX_FIELD).to_be_bytes()[1..]);
        }
        if fmt <= 1 {
            out.extend_from_slice(&length.to_be_bytes()[1..]);
            out.push(m.type_id);
        }
        if fmt == 0 {
            out.extend_from_slice(&m.msid.to_le_bytes());
        }
        if extended {
            out.extend_from_slice(&field.to_be_bytes());
        }
        let mut chunks = 0;
        for (i, piece) in m.body.chunks(self.chunk_size).enumerate() {
            if i > 0 {
                out.push(0xc0 | csid as u8);
                if extended {
                    out.extend_from_slice(&field.to_be_bytes());
                }
            }
            out.extend_from_slice(piece);
            chunks += 1;
        }
        Written {
            fmt,
            chunks: chunks.max(1),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rtmp::{ChunkStreamDemuxer, DemuxEvent, Dir, Origin, RtmpConfig};

    fn msg(csid: u32, type_id: u8, timestamp: u32, body: &[u8]) -> Outgoing<'_> {
        Outgoing {
            csid,
            msid: 1,
            type_id,
            timestamp,
            body,
        }
    }

    #[test]
    fn header_compression_as_ffmpeg() {
        let mut w = ChunkWriter::new(true);
        w.set_chunk_size(4);
        let mut out = Vec::new();
        let body = [1u8; 10];
        assert_eq!(w.write(&msg(6, 9, 0, &body), &mut out).fmt, 0);
        // 12-byte header, 10 bytes in chunks of 4 with two 1-byte continuation headers.
        assert_eq!(out.len(), 12 + 10 + 2);
        assert_eq!(out[0], 0x06);
        assert_eq!(out[16], 0xc6);
        assert_eq!(w.write(&msg(6, 9, 33, &body), &mut out).fmt, 2);
        assert_eq!(w.write(&msg(6, 9, 66, &body), &mut out).fmt, 3);
        assert_eq!(w.write(&msg(6, 9, 100, &[1; 3]), &mut out).fmt, 1);
        assert_eq!(w.write(&msg(6, 9, 90, &[1; 3]), &mut out).fmt, 0);
        let mut plain = ChunkWriter::new(false);
        assert_eq!(plain.write(&msg(6, 9, 0, &body), &mut out).fmt, 0);
        assert_eq!(plain.write(&msg(6, 9, 33, &body), &mut out).fmt, 0);
    }

    #[test]
    fn the_demuxer_reads_back_what_was_written() {
        let mut w = ChunkWriter::new(true);
        let mut out = Vec::new();
        let big = vec![7u8; 300];
        let stamps = [0u32, 23, 46, 70, 0x0100_0000, 0x0100_0017];
        for &ts in &stamps {
            w.write(&msg(4, 8, ts, &big), &mut out);
        }
        let mut d = ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default());
        let mut got = Vec::new();
        d.feed(&out, Origin::default(), &mut |e| match e {
            DemuxEvent::Message(m) => got.push((m.timestamp, m.length, m.chunks)),
            DemuxEvent::Diagnostic(diag) => panic!("{diag:?}"),
        });
        let want: Vec<_> = stamps.iter().map(|&t| (t, 300, 3)).collect();
        assert_eq!(got, want);
    }
}
