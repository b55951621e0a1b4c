//! The `chunk_demux` fuzz target's harness, shared with its regression tests: a demuxer
//! (synced, mid-stream or probing) fed a stream in pieces, some of them gaps.

use rtmpscope::capture::Timestamp;
use rtmpscope::rtmp::{ChunkStreamDemuxer, DemuxEvent, Dir, Origin, RawMessage, RtmpConfig};

pub fn config() -> RtmpConfig {
    RtmpConfig {
        max_body: 4096,
        max_buffered: 16384,
        max_resync_buffer: 8192,
        max_media_config: 1024,
        ..RtmpConfig::default()
    }
}

pub fn demuxer(mode: u8) -> ChunkStreamDemuxer {
    match mode % 3 {
        0 => ChunkStreamDemuxer::new(Dir::C2S, config()),
        1 => ChunkStreamDemuxer::new_unsynced(Dir::C2S, config(), 128),
        _ => ChunkStreamDemuxer::new_probing(Dir::C2S, config()),
    }
}

pub type Summary = Vec<(u32, u32, u8, u32, u32, Vec<u8>, u64, bool)>;

pub fn summary(messages: &[RawMessage]) -> Summary {
    messages
        .iter()
        .map(|m| {
            (
                m.csid,
                m.msid,
                m.type_id,
                m.timestamp,
                m.length,
                m.body.clone(),
                m.missing,
                m.complete,
            )
        })
        .collect()
}

/// Feeds `stream` in pieces; `gaps[i]` > 0 turns piece `i` into a gap of that many bytes.
pub fn run(mode: u8, stream: &[u8], piece: usize, gaps: &[u8]) -> Vec<RawMessage> {
    let c = config();
    let mut d = demuxer(mode);
    let mut out = Vec::new();
    let mut offset = 0u64;
    for (i, part) in stream.chunks(piece.max(1)).enumerate() {
        let at = Origin::new(i as u64 + 1, Timestamp::default(), offset, Some(offset));
        let mut sink = |e: DemuxEvent| {
            if let DemuxEvent::Message(m) = e {
                out.push(m);
            }
        };
        match gaps.get(i).copied().unwrap_or(0) {
            0 => d.feed(part, at, &mut sink),
            g => d.gap(at, u64::from(g) * 7, &mut sink),
        }
        offset += part.len() as u64;
        assert!(d.buffered_bytes() <= c.max_buffered);
        assert!(d.resync_buffered_bytes() <= c.max_resync_buffer + piece);
        assert!(d.chunk_stream_count() <= 65600);
    }
    d.finish(Origin::default(), &mut |e| {
        if let DemuxEvent::Message(m) = e {
            out.push(m);
        }
    });
    assert_eq!(d.buffered_bytes(), 0);
    out
}

/// What the target checks for one input.
pub fn check(data: &[u8]) {
    let Some((&[mode, piece, ngaps], rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let ngaps = usize::from(ngaps % 8).min(rest.len());
    let (gaps, stream) = rest.split_at(ngaps);
    let piece = usize::from(piece) + 1;
    let messages = run(mode, stream, piece, gaps);
    for m in &messages {
        assert!(m.body.len() <= 4096 || m.body.len() <= m.length as usize);
    }
    // Without gaps (and below the resync cap, where decisions are forced), cutting the stream
    // differently changes nothing.
    if gaps.iter().all(|&g| g == 0) && stream.len() < 8192 {
        let whole = run(mode, stream, stream.len(), &[]);
        assert_eq!(summary(&messages), summary(&whole), "piece {piece}");
    }
}
