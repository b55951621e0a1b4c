//! What the reader learned about the capture file as a whole.

use serde::{Deserialize, Serialize};

use super::{LinkType, Timestamp};
use crate::diagnostic::{Diagnostic, Location, Severity};

/// At most this many notices are kept; later ones are counted in `notices_dropped`.
const MAX_NOTICES: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureFormat {
    /// Legacy libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ByteOrder {
    Little,
    Big,
}

/// One capture interface. Legacy pcap files have exactly one; pcapng files have one per
/// Interface Description Block, numbered across all sections in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceInfo {
    /// pcapng section (0-based) the interface belongs to; 0 for legacy pcap.
    pub section: u32,
    /// The interface id inside its section (what the section's packet blocks refer to).
    pub id_in_section: u32,
    pub link: LinkType,
    /// The raw LINKTYPE_ number (kept even when `link` is [`LinkType::Other`]).
    pub link_number: u32,
    /// Maximum captured bytes per packet (0 = not set).
    pub snaplen: u32,
    /// Timestamp units per second (1_000_000 for microseconds, 1_000_000_000 for nanoseconds,
    /// 2^n for pcapng's power-of-two resolutions).
    pub ts_units_per_sec: u64,
    /// pcapng `if_tsoffset`: seconds added to every timestamp of this interface.
    pub ts_offset_secs: i64,
    /// pcapng `if_name`, when present.
    pub name: Option<String>,
    /// Packet records read on this interface.
    pub packets: u64,
}

impl InterfaceInfo {
    /// Decimal digits of the timestamp fraction (6 for microseconds, 9 for nanoseconds), as
    /// capinfos prints the "timestamp precision".
    pub fn ts_precision_digits(&self) -> u32 {
        let mut digits = 0;
        let mut scale = 1u64;
        while scale < self.ts_units_per_sec && digits < 19 {
            scale = scale.saturating_mul(10);
            digits += 1;
        }
        digits
    }
}

/// The capture as a whole: format, interfaces, counts, time span and notices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureSummary {
    /// `None` until the file header was read.
    pub format: Option<CaptureFormat>,
    /// Byte order of the file header (of the first section for pcapng).
    pub byte_order: Option<ByteOrder>,
    pub interfaces: Vec<InterfaceInfo>,
    /// Packet records read (= the last frame number).
    pub packets: u64,
    /// Captured packet bytes (sum of the records' captured lengths).
    pub captured_bytes: u64,
    /// Packet bytes on the wire (sum of the records' original lengths).
    pub wire_bytes: u64,
    /// Packet records whose captured length is shorter than the original length.
    pub cut_packets: u64,
    /// Earliest packet timestamp (what capinfos calls "First packet time").
    pub start_time: Option<Timestamp>,
    /// Latest packet timestamp (capinfos' "Last packet time").
    pub end_time: Option<Timestamp>,
    /// False when some packet's timestamp is earlier than the packet before it.
    pub time_ordered: bool,
    /// Bytes of the file consumed so far.
    pub file_bytes: u64,
    /// Things worth telling the user that do not stop reading (unsupported link types, ...).
    pub notices: Vec<Diagnostic>,
    /// Notices beyond the first 100, not kept.
    pub notices_dropped: u64,
    #[serde(skip)]
    last_time: Option<Timestamp>,
}

impl CaptureSummary {
    pub(crate) fn new() -> Self {
        CaptureSummary {
            time_ordered: true,
            ..CaptureSummary::default()
        }
    }

    /// Link type of the first interface, which for a legacy pcap file is the file's link type.
    pub fn link(&self) -> Option<LinkType> {
        self.interfaces.first().map(|i| i.link)
    }

    /// Seconds between the earliest and the latest packet.
    pub fn duration_secs(&self) -> Option<f64> {
        Some(self.end_time?.seconds_since(self.start_time?))
    }

    pub(crate) fn notice(&mut self, severity: Severity, code: &str, text: String, at: Location) {
        if self.notices.len() < MAX_NOTICES {
            self.notices.push(Diagnostic::new(severity, code, text, at));
        } else {
            self.notices_dropped += 1;
        }
    }

    /// Counts one packet record. `time` is `None` for packets without a timestamp (pcapng
    /// Simple Packet Blocks), which then do not move the time span.
    #[inline]
    pub(crate) fn count_packet(
        &mut self,
        interface: usize,
        captured: usize,
        orig_len: u32,
        time: Option<Timestamp>,
    ) {
        self.packets += 1;
        self.captured_bytes += captured as u64;
        self.wire_bytes += u64::from(orig_len);
        if (captured as u64) < u64::from(orig_len) {
            self.cut_packets += 1;
        }
        if let Some(info) = self.interfaces.get_mut(interface) {
            info.packets += 1;
        }
        let Some(time) = time else { return };
        // In time order (almost every packet): the start, the minimum so far, is at most the
        // last time, so only the end can move.
        if let (Some(last), Some(end)) = (&mut self.last_time, &mut self.end_time) {
            if time >= *last {
                *last = time;
                if time > *end {
                    *end = time;
                }
                return;
            }
        }
        if self.last_time.is_some_and(|last| time < last) {
            self.time_ordered = false;
        }
        self.last_time = Some(time);
        self.start_time = Some(self.start_time.map_or(time, |t| t.min(time)));
        self.end_time = Some(self.end_time.map_or(time, |t| t.max(time)));
    }

    /// Timestamp of the last packet in file order.
    pub(crate) fn last_packet_time(&self) -> Option<Timestamp> {
        self.last_time
    }
}
