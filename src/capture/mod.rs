//! Capture reading: pcap and pcapng, fed in pieces of any size, emitting packets.
//!
//! [`CaptureReader`] is the streaming core (for a browser's `File` slices); [`read_bytes`] and
//! [`read_path`] wrap it. Choices worth knowing:
//! - Every packet record gets a callback and a frame number, as Wireshark numbers frames,
//!   including packets on link types that are not decoded (they come with
//!   [`LinkType::Other`]; the summary has one notice per such interface).
//! - pcapng Simple Packet Blocks have no timestamp: they get the previous packet's time (and a
//!   notice), and do not move the summary's time span.
//! - No record may be longer than [`MAX_RECORD_LEN`] (16 MiB); longer length fields are
//!   reported as [`CaptureError::RecordTooLarge`] before anything is buffered. An absurd snap
//!   length in a file header is only a notice, as in Wireshark.
//! - An error from [`CaptureReader::finish`] (typically a last record cut off because the
//!   capture was killed) comes after every complete packet was delivered: callers can keep
//!   their analysis and show the error as a warning.

// Input-derived data never panics here: no unwrap/expect, no unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

mod error;
#[cfg(not(target_arch = "wasm32"))]
mod file;
mod pcap;
mod pcapng;
mod reader;
mod sniff;
mod summary;
#[cfg(test)]
mod test_files;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bad_input;

pub use error::CaptureError;
#[cfg(not(target_arch = "wasm32"))]
pub use file::for_each_piece;
#[cfg(not(target_arch = "wasm32"))]
pub use reader::read_path;
pub use reader::{read_bytes, CaptureReader, MAX_RECORD_LEN};
pub(crate) use sniff::link_name;
pub use summary::{ByteOrder, CaptureFormat, CaptureSummary, InterfaceInfo};

/// A capture timestamp: seconds and nanoseconds since the Unix epoch.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    pub fn new(secs: i64, nanos: u32) -> Self {
        Timestamp { secs, nanos }
    }

    /// Seconds since the epoch as a float (what Wireshark shows as `frame.time_epoch`).
    pub fn as_f64(self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// Whole nanoseconds since the epoch (saturating).
    pub fn as_nanos(self) -> i128 {
        i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// `self - earlier` in seconds.
    pub fn seconds_since(self, earlier: Timestamp) -> f64 {
        (self.as_nanos() - earlier.as_nanos()) as f64 / 1e9
    }
}

/// Link-layer type of an interface (numbers as in tcpdump's LINKTYPE_ registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkType {
    /// BSD loopback, 4-byte address family in host byte order (LINKTYPE_NULL = 0).
    Null,
    /// Ethernet II, with optional 802.1Q / QinQ tags (1).
    Ethernet,
    /// Raw IP, version from the first nibble (101; also DLT_RAW 12 and 14 on some systems).
    RawIp,
    /// OpenBSD loopback, 4-byte address family in network byte order (108).
    Loop,
    /// Linux cooked capture v1 (113).
    LinuxSll,
    /// Raw IPv4 (228).
    Ipv4,
    /// Raw IPv6 (229).
    Ipv6,
    /// Linux cooked capture v2 (276).
    LinuxSll2,
    /// Anything else; its packets are skipped.
    Other(u32),
}

impl LinkType {
    pub fn from_number(n: u32) -> Self {
        match n {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::RawIp,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            other => LinkType::Other(other),
        }
    }

    pub fn number(self) -> u32 {
        match self {
            LinkType::Null => 0,
            LinkType::Ethernet => 1,
            LinkType::RawIp => 101,
            LinkType::Loop => 108,
            LinkType::LinuxSll => 113,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
            LinkType::LinuxSll2 => 276,
            LinkType::Other(n) => n,
        }
    }

    /// The name tcpdump and Wireshark use (`EN10MB`, `LINUX_SLL2`, ...).
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Null => "NULL",
            LinkType::Ethernet => "EN10MB",
            LinkType::RawIp => "RAW",
            LinkType::Loop => "LOOP",
            LinkType::LinuxSll => "LINUX_SLL",
            LinkType::Ipv4 => "IPV4",
            LinkType::Ipv6 => "IPV6",
            LinkType::LinuxSll2 => "LINUX_SLL2",
            LinkType::Other(_) => "unsupported",
        }
    }

    pub fn is_supported(self) -> bool {
        !matches!(self, LinkType::Other(_))
    }
}

/// One captured packet, borrowed from the reader's input.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// 1-based frame number, as Wireshark numbers frames.
    pub frame: u64,
    pub time: Timestamp,
    /// Index into [`CaptureSummary::interfaces`]: the pcapng interface id for single-section
    /// files, 0 for legacy pcap.
    pub interface: u32,
    pub link: LinkType,
    /// The captured bytes (may be shorter than `orig_len` when the snap length cut them).
    pub data: &'a [u8],
    /// The packet's length on the wire.
    pub orig_len: u32,
    /// Byte offset of `data[0]` in the capture file.
    pub file_offset: u64,
}
