//! The streaming reader: takes the file in pieces of any size and calls back for each packet.
//!
//! Records are framed here (how long is the record starting at this byte?) and decoded by the
//! format modules. A record that lies wholly inside a fed slice is decoded in place; only a record
//! that straddles two slices is copied, into a carry-over buffer that never holds more than one
//! record (at most [`MAX_RECORD_LEN`] bytes).

use super::pcap::{self, PcapFile};
use super::pcapng::{self, PcapNgFile};
use super::sniff::describe_start;
use super::summary::CaptureSummary;
use super::{CaptureError, LinkType, Packet, Timestamp};
use crate::diagnostic::{Location, Severity};

/// The largest record accepted: a legacy pcap record's captured length or a whole pcapng block.
/// Larger length fields are taken as corruption (Wireshark's own limit is 256 KiB for most link
/// types), so a hostile length never makes the reader buffer more than this.
pub const MAX_RECORD_LEN: u32 = 16 * 1024 * 1024;

/// How long the record at the start of a buffer is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Framing {
    /// At least `len` bytes are needed to tell the record's length.
    Need { len: usize, what: &'static str },
    /// The record is `len` bytes long.
    Record { len: usize, what: &'static str },
}

impl Framing {
    fn len(self) -> usize {
        match self {
            Framing::Need { len, .. } | Framing::Record { len, .. } => len,
        }
    }
}

/// A packet as a format module decodes it, before the reader numbers it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawPacket<'a> {
    /// Index into `CaptureSummary::interfaces`.
    pub interface: usize,
    /// `None` when the record has no timestamp (pcapng Simple Packet Block).
    pub time: Option<Timestamp>,
    pub data: &'a [u8],
    /// Offset of `data[0]` within the record.
    pub data_offset: usize,
    pub orig_len: u32,
}

/// Bytes shown when a file is not a capture.
const SNIFF_LEN: usize = 8;

enum Magic {
    Pcap,
    PcapNg,
}

fn known_magic(head: &[u8]) -> Option<Magic> {
    let magic = u32::from_le_bytes(head.get(..4)?.try_into().ok()?);
    if pcap::is_pcap_magic(magic) {
        Some(Magic::Pcap)
    } else if magic == pcapng::SHB_TYPE {
        Some(Magic::PcapNg)
    } else {
        None
    }
}

#[derive(Debug, Clone)]
enum Format {
    /// Nothing read yet: the first bytes decide.
    Undetected,
    Pcap(PcapFile),
    PcapNg(PcapNgFile),
}

/// Reads a pcap or pcapng capture fed in pieces of any size.
///
/// Every packet record gets a callback, in file order, numbered from 1 as Wireshark numbers
/// frames — including packets on link types rtmpscope does not decode: those arrive with
/// [`LinkType::Other`](super::LinkType::Other) (and a notice in the summary, once per interface),
/// and [`crate::net::decode_tcp`] skips them.
///
/// After an error the reader stays failed: later `feed` and `finish` calls return the same error.
#[derive(Debug, Clone)]
pub struct CaptureReader {
    format: Format,
    /// The start of a record cut by the end of the last fed slice.
    pub(super) carry: Vec<u8>,
    /// File offset of the first byte not yet consumed (the start of `carry`).
    offset: u64,
    summary: CaptureSummary,
    /// Packets without a timestamp (Simple Packet Blocks) seen so far.
    untimed_packets: u64,
    failed: Option<CaptureError>,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureReader {
    pub fn new() -> Self {
        CaptureReader {
            format: Format::Undetected,
            carry: Vec::new(),
            offset: 0,
            summary: CaptureSummary::new(),
            untimed_packets: 0,
            failed: None,
        }
    }

    /// Feeds the next piece of the file (any size, even one byte) and calls `on_packet` for each
    /// packet record completed by it, in file order.
    pub fn feed<F: FnMut(&Packet<'_>)>(
        &mut self,
        bytes: &[u8],
        on_packet: &mut F,
    ) -> Result<(), CaptureError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.feed_pieces(bytes, on_packet);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        self.summary.file_bytes = self.offset + self.carry.len() as u64;
        result
    }

    /// Marks the end of the input. Fails if the file ended inside a record (or before a
    /// complete file header); packets before that were already delivered.
    pub fn finish(&mut self) -> Result<(), CaptureError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.check_complete();
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        if self.untimed_packets > 0 {
            self.summary.notice(
                Severity::Info,
                "capture.untimed_packets",
                format!(
                    "{} packet(s) in Simple Packet Blocks have no timestamp; each is given the \
                     time of the packet before it",
                    self.untimed_packets
                ),
                Location::default(),
            );
            self.untimed_packets = 0;
        }
        result
    }

    /// What has been learned about the capture so far.
    pub fn summary(&self) -> &CaptureSummary {
        &self.summary
    }

    /// Consumes the reader, keeping its summary.
    pub fn into_summary(self) -> CaptureSummary {
        self.summary
    }

    fn check_complete(&self) -> Result<(), CaptureError> {
        if let Format::Undetected = self.format {
            if known_magic(&self.carry).is_none() {
                return Err(CaptureError::NotACapture {
                    looks_like: describe_start(&self.carry),
                });
            }
        }
        if self.carry.is_empty() {
            return Ok(());
        }
        let framing = self.framing(&self.carry)?;
        let what = match framing {
            Framing::Need { what, .. } | Framing::Record { what, .. } => what,
        };
        Err(CaptureError::Truncated {
            offset: self.offset,
            frame: self.next_frame(),
            what,
            needed: framing.len() as u64,
            available: self.carry.len() as u64,
        })
    }

    fn next_frame(&self) -> u64 {
        self.summary.packets + 1
    }

    fn feed_pieces<F: FnMut(&Packet<'_>)>(
        &mut self,
        mut bytes: &[u8],
        on_packet: &mut F,
    ) -> Result<(), CaptureError> {
        // First complete the record left over from the previous slice, if any.
        while !self.carry.is_empty() {
            let framing = self.framing(&self.carry)?;
            let missing = framing.len().saturating_sub(self.carry.len());
            if missing > 0 {
                let (head, rest) = bytes.split_at(missing.min(bytes.len()));
                // Exactly the record: growing by doubling would hold up to twice the cap.
                self.carry.reserve_exact(missing);
                self.carry.extend_from_slice(head);
                bytes = rest;
                if self.carry.len() < framing.len() {
                    return Ok(());
                }
                // Re-frame: the bytes just added may reveal the record's real length.
                continue;
            }
            match framing {
                Framing::Record { len, .. } if len == self.carry.len() => {
                    let record = std::mem::take(&mut self.carry);
                    let result = self.record(&record, on_packet);
                    // Keep the allocation for the next straddling record.
                    self.carry = record;
                    self.carry.clear();
                    self.offset += len as u64;
                    result?;
                }
                // A `Need` already satisfied cannot stay a `Need`; framing is monotonic.
                _ => {
                    return Err(CaptureError::Malformed {
                        offset: self.offset,
                        frame: self.next_frame(),
                        what: "record",
                        reason: "cannot determine the record length".into(),
                    })
                }
            }
        }
        // Then decode whole records in place, and keep the incomplete tail.
        if let Format::Pcap(file) = self.format {
            bytes = self.whole_pcap_records(file, bytes, on_packet);
        }
        while !bytes.is_empty() {
            match self.framing(bytes)? {
                Framing::Record { len, .. } if len <= bytes.len() => {
                    let (record, rest) = bytes.split_at(len);
                    self.record(record, on_packet)?;
                    self.offset += len as u64;
                    bytes = rest;
                }
                _ => {
                    self.carry.extend_from_slice(bytes);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The whole records at the start of `bytes`, without the general path's framing and
    /// format dispatch per record; returns what is left (a partial or oversized record).
    fn whole_pcap_records<'a, F: FnMut(&Packet<'_>)>(
        &mut self,
        file: PcapFile,
        mut bytes: &'a [u8],
        on_packet: &mut F,
    ) -> &'a [u8] {
        let Some(link) = self.summary.interfaces.first().map(|info| info.link) else {
            return bytes;
        };
        while let Some((len, raw)) = file.whole_record(bytes) {
            self.deliver(&raw, link, raw.time.unwrap_or_default(), on_packet);
            self.offset += len as u64;
            bytes = bytes.get(len..).unwrap_or_default();
        }
        bytes
    }

    fn framing(&self, buf: &[u8]) -> Result<Framing, CaptureError> {
        let frame = self.next_frame();
        match &self.format {
            Format::Pcap(file) => file.framing(buf, self.offset, frame),
            Format::PcapNg(file) => file.framing(buf, self.offset, frame),
            Format::Undetected => match known_magic(buf) {
                Some(Magic::Pcap) => Ok(Framing::Record {
                    len: pcap::FILE_HEADER_LEN,
                    what: "pcap file header",
                }),
                Some(Magic::PcapNg) => PcapNgFile::default().framing(buf, self.offset, frame),
                // Wait for 8 bytes, so the description does not depend on how the file was
                // sliced.
                None if buf.len() < SNIFF_LEN => Ok(Framing::Need {
                    len: SNIFF_LEN,
                    what: "file header",
                }),
                None => Err(CaptureError::NotACapture {
                    looks_like: describe_start(buf),
                }),
            },
        }
    }

    /// Handles one complete record starting at `self.offset`.
    fn record<F: FnMut(&Packet<'_>)>(
        &mut self,
        record: &[u8],
        on_packet: &mut F,
    ) -> Result<(), CaptureError> {
        let offset = self.offset;
        let frame = self.next_frame();
        let raw = match &mut self.format {
            Format::Undetected => {
                if record.starts_with(&pcapng::SHB_TYPE.to_le_bytes()) {
                    let mut file = PcapNgFile::default();
                    file.block(record, offset, frame, &mut self.summary)?;
                    self.format = Format::PcapNg(file);
                } else {
                    self.format = Format::Pcap(PcapFile::open(record, &mut self.summary)?);
                }
                return Ok(());
            }
            Format::Pcap(file) => file.packet(record, offset, frame)?,
            Format::PcapNg(file) => match file.block(record, offset, frame, &mut self.summary)? {
                Some(raw) => raw,
                None => return Ok(()),
            },
        };
        let Some(info) = self.summary.interfaces.get(raw.interface) else {
            return Err(CaptureError::Malformed {
                offset,
                frame,
                what: "packet record",
                reason: "refers to an undeclared interface".into(),
            });
        };
        let link = info.link;
        let time = match raw.time {
            Some(time) => time,
            None => {
                self.untimed_packets += 1;
                self.summary.last_packet_time().unwrap_or_default()
            }
        };
        self.deliver(&raw, link, time, on_packet);
        Ok(())
    }

    /// Counts the packet of the record at `self.offset` and hands it on, at `time` (its own, or
    /// for an untimed packet the one before it).
    fn deliver<F: FnMut(&Packet<'_>)>(
        &mut self,
        raw: &RawPacket<'_>,
        link: LinkType,
        time: Timestamp,
        on_packet: &mut F,
    ) {
        let packet = Packet {
            frame: self.next_frame(),
            time,
            interface: raw.interface as u32,
            link,
            data: raw.data,
            orig_len: raw.orig_len,
            file_offset: self.offset + raw.data_offset as u64,
        };
        self.summary
            .count_packet(raw.interface, raw.data.len(), raw.orig_len, raw.time);
        on_packet(&packet);
    }
}

/// Reads a whole capture held in memory.
pub fn read_bytes<F: FnMut(&Packet<'_>)>(
    data: &[u8],
    mut on_packet: F,
) -> Result<CaptureSummary, CaptureError> {
    let mut reader = CaptureReader::new();
    reader.feed(data, &mut on_packet)?;
    reader.finish()?;
    Ok(reader.into_summary())
}

/// Reads a capture file from disk (native builds only): see [`for_each_piece`](super::for_each_piece).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_path<F: FnMut(&Packet<'_>)>(
    path: &std::path::Path,
    mut on_packet: F,
) -> Result<CaptureSummary, CaptureError> {
    let mut reader = CaptureReader::new();
    let mut failed = None;
    super::for_each_piece(path, |piece| match reader.feed(piece, &mut on_packet) {
        Ok(()) => true,
        Err(error) => {
            failed = Some(error);
            false
        }
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    reader.finish()?;
    Ok(reader.into_summary())
}
