//! RTMP: handshake, chunk stream demultiplexing and message decoding.
//!
//! The layer is fed per connection and direction with the reassembled TCP byte stream (data
//! slices, gaps, close) through [`RtmpConnection`], and reports [`RtmpEvent`]s: detection, the
//! handshake, every decoded [`RtmpMessage`] and [`Diagnostic`]s. It does not depend on the TCP
//! module: [`Origin`] says where a data slice came from.
//!
//! Pieces, each usable on its own:
//! * [`handshake`]: C0/C1/C2 and S0/S1/S2, digest ("complex") handshake verification;
//! * [`header`]: chunk basic and message headers, pure byte parsing;
//! * [`chunk`]: [`ChunkStreamDemuxer`], one direction's chunk streams into whole messages;
//! * [`resync`]: finding a plausible chunk boundary after a gap or decode error;
//! * [`message`], [`control`], [`media`], [`aggregate`]: message bodies;
//! * [`pairing`]: linking `_result`/`_error` to the command they answer.
//! * [`body_spans`]: where each message body lies in the capture file (opt-in).
//!
//! Decisions where implementations (and Wireshark) disagree:
//! * A fmt 3 header that starts a new message reuses the chunk stream's last delta; after a fmt 0
//!   header that delta is the fmt 0 timestamp itself (spec 5.3.1.2.4, as ffmpeg reads it;
//!   nginx-rtmp reads 0 there).
//! * When a chunk stream's last fmt 0/1/2 header had an extended timestamp, every fmt 3 header on
//!   it (continuation or new message) carries 4 more bytes. Some senders leave them out of
//!   continuation chunks, so the 4 bytes are taken as the header's only when they equal the
//!   expected value (the header's extended value, or the message's absolute timestamp);
//!   otherwise they are payload and an Info diagnostic says so once.
//! * A new chunk size applies from the byte after the Set Chunk Size message's last byte, also
//!   to the next chunk of a message already in progress on another chunk stream. A value with
//!   the top bit set is reported and its low 31 bits used; 0 is reported and ignored.
//! * Impossible headers (type 0 or above 22, control messages longer than 16 bytes, User
//!   Control longer than 1024, commands/data longer than [`RtmpConfig::max_nonmedia_length`])
//!   and fmt 1/2/3 headers on a chunk stream never introduced by fmt 0 lose sync. A TCP gap
//!   that lies inside the current chunk's payload only damages that message; any other gap
//!   loses sync. Sync is found again by the [`resync`] scanner, which follows chains of headers
//!   across gaps (their lengths are known). After a loss of sync a fmt 1 header may introduce a
//!   chunk stream (its fmt 0 was lost): its message stream id is guessed and its timestamps
//!   count from 0. Messages whose header fields come from chunk-stream state older than the
//!   resynchronisation, or guessed, are marked `inferred`.
//! * A connection whose first bytes are no handshake (or, without its SYN in the capture, bytes
//!   that parse as a fmt 0 chunk header) is probed for a long chain of chunk headers at every
//!   common chunk size; it is RTMP once one direction shows one ([`RtmpEvent::Detected`] with
//!   `midstream`), and not RTMP after [`RtmpConfig::probe_limit`] bytes without.
//! * A connection is taken for RTMP when it opens with 0x03 and a side then sends all of C0+C1
//!   or S0+S1; 0x06/0x08 is RTMPE (reported, not decoded).

// Input-derived data never panics here: no unwrap/expect, no unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod aggregate;
pub mod body_spans;
pub mod chunk;
pub mod command;
mod connection;
pub mod control;
pub mod decode_budget;
pub mod handshake;
pub mod header;
mod hex;
pub mod media;
pub mod media_ex;
mod media_json;
mod media_names;
pub mod message;
pub mod pairing;
mod queue;
pub mod resync;
mod stream;

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::diagnostic::{Diagnostic, Location, Severity};

pub use chunk::{ChunkStreamDemuxer, DemuxEvent, RawMessage};
pub use connection::{RtmpConnection, RTMP_PORTS};
pub use handshake::{DigestScheme, HandshakeInfo};
pub use hex::HexBytes;
pub use message::{InvalidBody, KeptBody, MessageBody, RtmpMessage};

/// A TCP direction. `C2S` is client to server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dir {
    #[serde(rename = "c2s")]
    C2S,
    #[serde(rename = "s2c")]
    S2C,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::C2S => "c2s",
            Dir::S2C => "s2c",
        }
    }

    pub fn reverse(self) -> Dir {
        match self {
            Dir::C2S => Dir::S2C,
            Dir::S2C => Dir::C2S,
        }
    }
}

/// Where a data slice's first byte came from. The position of byte `i` of the slice is
/// [`Origin::advanced`]`(i)`: TCP payload bytes of one slice are contiguous in the capture file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// 1-based frame number of the packet holding the byte.
    pub frame: u64,
    pub time: Timestamp,
    /// Byte offset in this direction's reassembled TCP stream.
    pub stream_offset: u64,
    /// Byte offset in the capture file, when the byte is in one place of it.
    pub file_offset: Option<u64>,
}

impl Origin {
    pub fn new(frame: u64, time: Timestamp, stream_offset: u64, file_offset: Option<u64>) -> Self {
        Origin {
            frame,
            time,
            stream_offset,
            file_offset,
        }
    }

    /// The origin of the byte `n` bytes further on in the same slice.
    pub fn advanced(self, n: u64) -> Origin {
        Origin {
            stream_offset: self.stream_offset.saturating_add(n),
            file_offset: self.file_offset.map(|f| f.saturating_add(n)),
            ..self
        }
    }

    /// A diagnostic location for this byte in direction `dir`.
    pub fn location(self, dir: Dir) -> Location {
        Location {
            frame: Some(self.frame),
            file_offset: self.file_offset,
            dir: Some(dir.as_str().to_string()),
            stream_offset: Some(self.stream_offset),
            ..Location::default()
        }
    }
}

/// Limits and choices of the RTMP layer. The defaults suit analysis of real captures; every
/// limit bounds memory on hostile input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtmpConfig {
    /// Bodies of non-media messages (commands, data, control, and aggregates, which are split
    /// once whole) are kept up to this many bytes; a longer body is decoded from its prefix and
    /// marked truncated.
    pub max_body: usize,
    /// Audio and video: bytes kept from the start of each body (enough for the tag header).
    pub media_prefix: usize,
    /// Audio and video sequence headers / codec configurations are kept whole up to this size.
    pub max_media_config: usize,
    /// Declared lengths above this are taken as a broken header for non-media messages
    /// (commands, data, shared objects): real ones are far smaller. Media and aggregate messages
    /// may use the whole 24-bit range.
    pub max_nonmedia_length: u32,
    /// Total body bytes buffered in unfinished messages of one direction.
    pub max_buffered: usize,
    /// Bytes held while looking for a chunk boundary after a gap or a decode error.
    pub max_resync_buffer: usize,
    /// Bytes one direction of a connection without a handshake may take without a chunk
    /// boundary being found before the connection is given up as not RTMP.
    #[serde(default = "default_probe_limit")]
    pub probe_limit: u64,
    /// Messages an analysis lists one by one (the rest are only counted): a message can take
    /// one byte of capture but some hundred bytes of report.
    #[serde(default = "default_max_messages")]
    pub max_messages: usize,
    /// Stream bytes all connections of an analysis may hold together (unfinished bodies,
    /// resync buffers, handshakes); past it the connection that grew sheds what it can
    /// ([`RtmpConnection::shed`]). Each direction alone is bounded by `max_buffered` and
    /// `max_resync_buffer`; this bounds many connections at once.
    #[serde(default = "default_max_held_total")]
    pub max_held_total: usize,
    /// Approximate bytes the decoded AMF values of all messages of an analysis may take (the
    /// report keeps them); past it, bodies decode only as far as
    /// [`decode_budget::SPENT_ALLOWANCE`] reaches. See [`decode_budget`].
    #[serde(default = "default_max_amf_total")]
    pub max_amf_total: usize,
    /// Hand each message's kept body bytes over on [`RtmpMessage::payload`] (for exporters,
    /// which also raise `media_prefix` to keep audio and video bodies whole).
    #[serde(default)]
    pub keep_payload: bool,
    /// Record where each message's body lies in the capture file
    /// ([`RtmpMessage::body_spans`], see [`body_spans`]), for viewers that re-read bodies from
    /// the file. Off by default: it costs up to 16 bytes per chunk and per TCP segment a body
    /// is cut into ([`body_spans::MAX_BODY_SPANS`] per message).
    #[serde(default)]
    pub record_body_spans: bool,
}

fn default_max_amf_total() -> usize {
    256 << 20
}

fn default_max_held_total() -> usize {
    256 << 20
}

fn default_max_messages() -> usize {
    2_000_000
}

fn default_probe_limit() -> u64 {
    4 << 20
}

impl Default for RtmpConfig {
    fn default() -> Self {
        RtmpConfig {
            max_body: 4 << 20,
            media_prefix: 32,
            max_media_config: 64 << 10,
            max_nonmedia_length: 4 << 20,
            max_buffered: 32 << 20,
            max_resync_buffer: 1 << 20,
            probe_limit: default_probe_limit(),
            keep_payload: false,
            record_body_spans: false,
            max_messages: default_max_messages(),
            max_held_total: default_max_held_total(),
            max_amf_total: default_max_amf_total(),
        }
    }
}

/// What the RTMP layer reports about one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RtmpEvent {
    /// C0 = 3 seen: this is RTMP. `roles_swapped` when C0+C1 came from the side the TCP layer
    /// took for the server; from then on every event's `Dir` is the RTMP role (C2S = from the
    /// RTMP client), while stream offsets stay those of the TCP direction the bytes came in.
    Detected {
        version: u8,
        roles_swapped: bool,
        frame: u64,
        /// No handshake in the capture: recognised from a chain of chunk headers, decoded
        /// from the first chunk boundary found (roles are guessed from the ports).
        #[serde(default)]
        midstream: bool,
    },
    /// C0 = 6 or 8: RTMPE, encrypted after the handshake; nothing more is decoded.
    Encrypted {
        version: u8,
        frame: u64,
    },
    /// The first byte is no RTMP version; the rest of the connection is ignored.
    NotRtmp {
        first_byte: u8,
        dir: Dir,
        frame: u64,
    },
    Handshake(HandshakeInfo),
    Message(Box<RtmpMessage>),
    Diagnostic(Diagnostic),
}

fn diagnostic(severity: Severity, code: &str, text: String, at: Origin, dir: Dir) -> Diagnostic {
    Diagnostic::new(severity, code, text, at.location(dir))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dir_and_origin() {
        assert_eq!(serde_json::to_string(&Dir::C2S).unwrap(), "\"c2s\"");
        assert_eq!(serde_json::from_str::<Dir>("\"s2c\"").unwrap(), Dir::S2C);
        assert_eq!(Dir::C2S.reverse(), Dir::S2C);
        let o = Origin::new(3, Timestamp::new(1, 2), 10, Some(100));
        let a = o.advanced(5);
        assert_eq!(
            (a.frame, a.stream_offset, a.file_offset),
            (3, 15, Some(105))
        );
        let l = a.location(Dir::S2C);
        assert_eq!(
            (l.frame, l.stream_offset, l.dir.as_deref()),
            (Some(3), Some(15), Some("s2c"))
        );
        assert_eq!(
            Origin::new(1, Timestamp::default(), 0, None)
                .advanced(4)
                .file_offset,
            None
        );
    }
}
