//! A deterministic generator of realistic RTMP publish captures, for tests, benchmarks and
//! `rtmpscope generate`.
//!
//! [`write_capture`] streams a pcap (Ethernet, IPv4) of one TCP connection on which an
//! ffmpeg-like client publishes to an nginx-rtmp-like server: TCP 3-way handshake, the digest
//! RTMP handshake, `connect`/`_result` with Window Acknowledgement Size, Set Peer Bandwidth and
//! Set Chunk Size 4096 both ways, `releaseStream`/`FCPublish`/`createStream`/`publish`/
//! `onStatus`, `@setDataFrame onMetaData`, then H.264-like video (AVC sequence header, a
//! keyframe every `keyframe_interval_ms` several times larger than the inter frames, composition
//! times) and AAC-like audio (sequence header, 1024-sample frames) interleaved by timestamp,
//! `onFI` data messages now and then, an Acknowledgement from the server per window, and finally
//! the end-of-sequence, `FCUnpublish`/`deleteStream`/`onStatus` and a FIN close. Messages are
//! chunked with ffmpeg's fmt 0/1/2/3 header choice; TCP segments are at most one MSS and the
//! receiver acknowledges every second one.
//!
//! Everything follows from [`SynthConfig`]: the same config gives the same bytes. Nothing is
//! held in memory beyond one message (and a 2 MiB noise pool), so a gigabyte streams straight to
//! a file. The returned [`SynthSummary`] says what was written, for checking an analysis.

mod amf;
mod chunk;
mod handshake;
mod media;
mod publish;
mod rng;
mod wire;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::rtmp::Dir;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// Seeds every random choice (frame sizes, jitter, handshake bytes, ports).
    pub seed: u64,
    /// Media duration: the last frame's timestamp is below this.
    pub duration_ms: u64,
    /// Stop the media early once the file reaches this size (the close still follows).
    pub max_bytes: Option<u64>,
    pub video_kbps: u32,
    pub audio_kbps: u32,
    pub fps: u32,
    pub keyframe_interval_ms: u32,
    pub width: u32,
    pub height: u32,
    /// Chunk size both sides announce and use after the handshake.
    pub chunk_size: u32,
    /// TCP maximum segment size: 1448 for Ethernet with timestamps, 65483 for Linux loopback.
    pub mss: u16,
    /// The server acknowledges every this many received bytes (its Window Acknowledgement Size).
    pub ack_window: u32,
    /// An `onFI` data message this often (0: never).
    pub data_interval_ms: u32,
    /// Keep a log of every message in [`SynthSummary::log`] (grows with the capture: for tests).
    pub record_messages: bool,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            duration_ms: 10_000,
            max_bytes: None,
            video_kbps: 4000,
            audio_kbps: 128,
            fps: 30,
            keyframe_interval_ms: 2000,
            width: 1280,
            height: 720,
            chunk_size: 4096,
            mss: 1448,
            ack_window: 5_000_000,
            data_interval_ms: 5000,
            record_messages: false,
        }
    }
}

impl SynthConfig {
    /// Linux loopback: 64 KiB segments.
    pub const LOOPBACK_MSS: u16 = 65483;
    /// Ethernet with TCP timestamps.
    pub const ETHERNET_MSS: u16 = 1448;
}

/// One message as the generator wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthMessage {
    pub dir: Dir,
    pub csid: u32,
    pub msid: u32,
    pub type_id: u8,
    pub timestamp: u32,
    pub length: u32,
    /// fmt of the first chunk header.
    pub fmt: u8,
    pub chunks: u32,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SynthSummary {
    pub packets: u64,
    pub file_bytes: u64,
    /// TCP payload bytes client to server and server to client (handshake included).
    pub stream_bytes: [u64; 2],
    pub messages: u64,
    pub messages_c2s: u64,
    pub messages_s2c: u64,
    /// Messages by type id.
    pub by_type: BTreeMap<u8, u64>,
    /// Coded video frames (not counting the sequence header and end of sequence).
    pub video_frames: u64,
    pub keyframes: u64,
    /// Coded audio frames (not counting the sequence header).
    pub audio_frames: u64,
    pub last_video_timestamp: u32,
    pub last_audio_timestamp: u32,
    /// Body bytes of audio and video messages.
    pub media_bytes: u64,
    /// Every message, in the order written, when [`SynthConfig::record_messages`] is set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<SynthMessage>,
}

/// Writes a capture to `out` (wrap a file in a `BufWriter`). Returns what was written.
pub fn write_capture<W: Write>(config: &SynthConfig, out: W) -> io::Result<SynthSummary> {
    publish::Publisher::new(config, out)?.run()
}

/// Generates a capture in memory (for tests and benchmarks of small captures).
pub fn generate(config: &SynthConfig) -> (Vec<u8>, SynthSummary) {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let summary = write_capture(config, &mut bytes).unwrap_or_default();
    (bytes, summary)
}
