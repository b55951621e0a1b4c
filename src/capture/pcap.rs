//! Legacy libpcap files: the 24-byte file header and 16-byte record headers, either byte order,
//! microsecond or nanosecond timestamps.

use pcap_parser::parse_pcap_header;

use super::reader::{Framing, RawPacket, MAX_RECORD_LEN};
use super::summary::{ByteOrder, CaptureFormat, CaptureSummary, InterfaceInfo};
use super::{link_name, CaptureError, LinkType, Timestamp};
use crate::diagnostic::{Location, Severity};

pub(super) const FILE_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;

const MAGIC_USEC: u32 = 0xa1b2_c3d4;
const MAGIC_NSEC: u32 = 0xa1b2_3c4d;
/// Kuznetsov's "modified" libpcap format (24-byte record headers); recognised, not read.
pub(super) const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;

/// The magic read as a little-endian u32 names a legacy pcap file we can read.
pub(super) fn is_pcap_magic(magic_le: u32) -> bool {
    [MAGIC_USEC, MAGIC_NSEC]
        .iter()
        .any(|&m| magic_le == m || magic_le == m.swap_bytes())
}

/// State for a legacy pcap file once its header has been read.
#[derive(Debug, Clone, Copy)]
pub(super) struct PcapFile {
    big_endian: bool,
    nanos: bool,
}

impl PcapFile {
    /// Reads the 24-byte file header and registers the file's single interface.
    pub(super) fn open(header: &[u8], summary: &mut CaptureSummary) -> Result<Self, CaptureError> {
        let malformed = |reason: String| CaptureError::Malformed {
            offset: 0,
            frame: 1,
            what: "pcap file header",
            reason,
        };
        let (_, parsed) =
            parse_pcap_header(header).map_err(|e| malformed(format!("cannot parse it ({e})")))?;
        let big_endian = parsed.is_bigendian();
        let nanos = parsed.is_nanosecond_precision();
        // The top 6 bits may carry FCS information (LT_FCS_DATAWITHFCS...), not the link type.
        let link_number = (parsed.network.0 as u32) & 0x03ff_ffff;
        let link = LinkType::from_number(link_number);
        summary.format = Some(CaptureFormat::Pcap);
        summary.byte_order = Some(if big_endian {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        });
        if parsed.version_major != 2 {
            summary.notice(
                Severity::Warning,
                "capture.pcap_version",
                format!(
                    "pcap file version {}.{} (expected 2.4); reading it as 2.4",
                    parsed.version_major, parsed.version_minor
                ),
                Location::default(),
            );
        }
        if parsed.snaplen > MAX_RECORD_LEN {
            // Wireshark also reads such files; what matters is each record's own length, which is
            // checked against the limit before anything is buffered.
            summary.notice(
                Severity::Warning,
                "capture.absurd_snaplen",
                format!(
                    "the file header's snap length {} is absurd; ignored (each record is still \
                     limited to {MAX_RECORD_LEN} bytes)",
                    parsed.snaplen
                ),
                Location::default(),
            );
        }
        if !link.is_supported() {
            summary.notice(
                Severity::Warning,
                "capture.unsupported_link",
                format!(
                    "link type {} ({link_number}) is not supported: its packets are counted but \
                     not decoded",
                    link_name(link_number)
                ),
                Location::default(),
            );
        }
        summary.interfaces.push(InterfaceInfo {
            section: 0,
            id_in_section: 0,
            link,
            link_number,
            snaplen: parsed.snaplen,
            ts_units_per_sec: if nanos { 1_000_000_000 } else { 1_000_000 },
            ts_offset_secs: 0,
            name: None,
            packets: 0,
        });
        Ok(PcapFile { big_endian, nanos })
    }

    fn u32_at(&self, buf: &[u8], at: usize) -> Option<u32> {
        let bytes: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }

    /// How long the record starting at `buf[0]` is.
    pub(super) fn framing(
        &self,
        buf: &[u8],
        offset: u64,
        frame: u64,
    ) -> Result<Framing, CaptureError> {
        let what = "packet record";
        let Some(caplen) = self.u32_at(buf, 8) else {
            return Ok(Framing::Need {
                len: RECORD_HEADER_LEN,
                what,
            });
        };
        if caplen > MAX_RECORD_LEN {
            return Err(CaptureError::RecordTooLarge {
                offset,
                frame,
                what,
                length: u64::from(caplen),
                limit: u64::from(MAX_RECORD_LEN),
            });
        }
        Ok(Framing::Record {
            len: RECORD_HEADER_LEN + caplen as usize,
            what,
        })
    }

    /// The record at the start of `buf` when it is whole and within the length limit, with its
    /// length; `None` sends the caller to the general path ([`framing`](Self::framing) and
    /// [`packet`](Self::packet)), which buffers partial records and reports errors. This is the
    /// per-packet path of almost every pcap file, so it reads the header directly.
    #[inline]
    pub(super) fn whole_record<'a>(&self, buf: &'a [u8]) -> Option<(usize, RawPacket<'a>)> {
        let header = buf.get(..RECORD_HEADER_LEN)?;
        let field = |at: usize| {
            let bytes: [u8; 4] = header
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .unwrap_or_default();
            if self.big_endian {
                u32::from_be_bytes(bytes)
            } else {
                u32::from_le_bytes(bytes)
            }
        };
        let caplen = field(8);
        if caplen > MAX_RECORD_LEN {
            return None;
        }
        let len = RECORD_HEADER_LEN + caplen as usize;
        let data = buf.get(RECORD_HEADER_LEN..len)?;
        Some((
            len,
            RawPacket {
                interface: 0,
                time: Some(self.timestamp(field(0), field(4))),
                data,
                data_offset: RECORD_HEADER_LEN,
                orig_len: field(12),
            },
        ))
    }

    fn timestamp(&self, ts_sec: u32, ts_frac: u32) -> Timestamp {
        let per_sec: u32 = if self.nanos { 1_000_000_000 } else { 1_000_000 };
        // A fraction past one second is out of spec; carry it over rather than reject the file.
        // (Tested first: the division is a measurable share of reading a packet.)
        let (secs, frac) = if ts_frac < per_sec {
            (i64::from(ts_sec), ts_frac)
        } else {
            (
                i64::from(ts_sec) + i64::from(ts_frac / per_sec),
                ts_frac % per_sec,
            )
        };
        let nanos = if self.nanos { frac } else { frac * 1000 };
        Timestamp::new(secs, nanos)
    }

    /// Decodes one complete record (as delimited by [`framing`](Self::framing)).
    pub(super) fn packet<'a>(
        &self,
        record: &'a [u8],
        offset: u64,
        frame: u64,
    ) -> Result<RawPacket<'a>, CaptureError> {
        match self.whole_record(record) {
            Some((len, raw)) if len == record.len() => Ok(raw),
            _ => Err(CaptureError::Malformed {
                offset,
                frame,
                what: "packet record",
                reason: "its length does not match its header".into(),
            }),
        }
    }
}
