//! Per chunk stream state and messages being assembled.

use serde::{Deserialize, Serialize};

use super::body_spans::BodySpans;
use super::{media, Origin, RtmpConfig};

/// What a chunk stream's last fmt 0/1/2 header established, inherited by later headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownStream {
    /// Absolute timestamp of the last message started on the chunk stream.
    pub timestamp: u32,
    /// The delta a fmt 3 header that starts a new message reuses. After a fmt 0 header this is
    /// its absolute timestamp, as the spec says (5.3.1.2.4).
    pub delta: u32,
    pub length: u32,
    pub type_id: u8,
    pub msid: u32,
    /// The extended timestamp of the last fmt 0/1/2 header, when its 24-bit field was 0xFFFFFF.
    /// fmt 3 headers of the stream then carry 4 more bytes.
    pub extended: Option<u32>,
}

/// One message as the chunk layer reassembled it, before its body is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    pub csid: u32,
    pub msid: u32,
    pub type_id: u8,
    /// Absolute timestamp in ms (32-bit, wraps as RTMP timestamps do).
    pub timestamp: u32,
    /// The delta the first chunk header gave (`None` for fmt 0).
    pub timestamp_delta: Option<u32>,
    /// Declared body length.
    pub length: u32,
    /// fmt of the message's first chunk header.
    pub first_fmt: u8,
    /// The first chunk header had (or inherited) an extended timestamp.
    pub extended_timestamp: bool,
    pub chunks: u32,
    /// Origin of the first chunk's first header byte.
    pub first: Origin,
    /// Origin of the byte that completed the message (or the last byte seen of it).
    pub last: Origin,
    /// The kept prefix of the body (all of it for non-media messages within the caps).
    pub body: Vec<u8>,
    /// A cap cut off body bytes the decoder would have wanted.
    pub truncated: bool,
    /// Body bytes that never arrived (gaps, or the message was cut off).
    pub missing: u64,
    /// Every chunk of the message was accounted for (possibly with gap bytes in it).
    pub complete: bool,
    /// Header fields were inherited from chunk-stream state from before a resynchronisation: the
    /// timestamp in particular may be off by the deltas of lost messages.
    pub inferred: bool,
    /// The message starts at the boundary the resynchroniser found.
    pub resync_point: bool,
    /// Where the body's bytes lie in the file, with [`RtmpConfig::record_body_spans`].
    pub body_spans: Option<Box<BodySpans>>,
}

impl RawMessage {
    pub fn damaged(&self) -> bool {
        self.missing > 0 || !self.complete
    }
}

/// A message whose chunks are still arriving.
#[derive(Debug)]
pub(crate) struct Partial {
    pub(crate) msg: RawMessage,
    /// Body bytes accounted for so far (kept, skipped by policy, or lost in a gap).
    pub(crate) received: u32,
    /// How many body bytes to keep.
    pub(crate) keep_limit: usize,
    /// A gap cut the body: later bytes are not kept, so the kept body stays a true prefix.
    pub(crate) hole: bool,
    /// Values a continuation chunk's extended timestamp may carry.
    pub(crate) extended_expect: Option<[u32; 2]>,
    /// The message stream id is a guess (the chunk stream's fmt 0 header is unknown).
    pub(crate) msid_guessed: bool,
}

impl Partial {
    pub(crate) fn new(msg: RawMessage, config: &RtmpConfig) -> Self {
        let keep_limit = if media::is_media_type(msg.type_id) {
            config.media_prefix.min(msg.length as usize)
        } else {
            config.max_body.min(msg.length as usize)
        };
        let mut partial = Partial {
            msg,
            received: 0,
            keep_limit,
            hole: false,
            extended_expect: None,
            msid_guessed: false,
        };
        if !media::is_media_type(partial.msg.type_id)
            && partial.msg.length as usize > config.max_body
        {
            partial.msg.truncated = true;
        }
        partial
    }

    pub(crate) fn remaining(&self) -> u32 {
        self.msg.length.saturating_sub(self.received)
    }

    /// Accounts for `data` and keeps what the policy and `budget` allow. Returns the number of
    /// bytes newly kept.
    pub(crate) fn append(&mut self, data: &[u8], budget: usize, config: &RtmpConfig) -> usize {
        self.received = self.received.saturating_add(data.len() as u32);
        if self.hole {
            return 0;
        }
        let mut kept = 0;
        let mut data = data;
        loop {
            let want = self
                .keep_limit
                .saturating_sub(self.msg.body.len())
                .min(data.len());
            if want == 0 {
                break;
            }
            let take = want.min(budget - kept);
            if let Some(part) = data.get(..take) {
                self.msg.body.extend_from_slice(part);
            }
            kept += take;
            if take < want {
                self.msg.truncated = true;
                break;
            }
            data = data.get(take..).unwrap_or_default();
            // A media body turns out to be a sequence header, or a multitrack message whose
            // track headers lie between the tracks' data: keep it (up to its cap).
            if media::is_media_type(self.msg.type_id)
                && self.keep_limit == config.media_prefix.min(self.msg.length as usize)
                && media::is_kept_whole_prefix(self.msg.type_id, &self.msg.body)
            {
                let limit = config.max_media_config.min(self.msg.length as usize);
                if limit > self.keep_limit {
                    self.keep_limit = limit;
                    if (self.msg.length as usize) > limit {
                        self.msg.truncated = true;
                    }
                    continue;
                }
            }
            break;
        }
        kept
    }

    /// Gives up kept body bytes past `keep` (memory pressure across connections); no more are
    /// kept after. Returns the bytes freed.
    pub(crate) fn shed(&mut self, keep: usize) -> usize {
        let before = self.msg.body.len();
        if before <= keep {
            return 0;
        }
        self.msg.body.truncate(keep);
        self.msg.body.shrink_to_fit();
        self.msg.truncated = true;
        self.hole = true;
        before - keep
    }

    /// Notes `n` body bytes lost in a gap.
    pub(crate) fn lose(&mut self, n: u32) {
        self.received = self.received.saturating_add(n);
        self.msg.missing += u64::from(n);
        self.hole = true;
    }
}

/// A chunk stream: its inherited header state and the message being assembled on it.
#[derive(Debug)]
pub(crate) struct StreamState {
    pub(crate) known: KnownStream,
    /// The header state predates a resynchronisation, or was never fully known (cleared by the
    /// next fmt 0 header).
    pub(crate) inferred: bool,
    /// The message stream id came from a fmt 0 header (not a guess).
    pub(crate) msid_known: bool,
    pub(crate) partial: Option<Box<Partial>>,
}
