//! pcapng: sections, interfaces with their own link type and timestamp resolution, and the
//! packet blocks (Enhanced, Simple and the obsolete Packet Block). Other blocks are skipped.

mod interface;
mod packet;

use pcap_parser::pcapng::parse_sectionheaderblock;

use super::reader::{Framing, RawPacket, MAX_RECORD_LEN};
use super::summary::{ByteOrder, CaptureFormat, CaptureSummary};
use super::CaptureError;

pub(super) const SHB_TYPE: u32 = 0x0A0D_0D0A;
const BOM: u32 = 0x1A2B_3C4D;
const IDB_TYPE: u32 = 1;
const OBSOLETE_PB_TYPE: u32 = 2;
const SPB_TYPE: u32 = 3;
const EPB_TYPE: u32 = 6;
/// Type, length, ..., length.
const MIN_BLOCK_LEN: u32 = 12;
/// Enhanced (and obsolete) Packet Block: the fixed part before the packet data.
const EPB_HEADER_LEN: usize = 28;
/// More interfaces than this is taken as corruption rather than kept in memory.
const MAX_INTERFACES: usize = 1 << 16;

/// State of a pcapng file: the current section's byte order and interfaces.
#[derive(Debug, Clone, Default)]
pub(super) struct PcapNgFile {
    big_endian: bool,
    sections: u32,
    /// Index into `CaptureSummary::interfaces` of each interface id of the current section.
    section_interfaces: Vec<usize>,
}

pub(super) fn read_u32(buf: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    })
}

fn block_name(block_type: u32) -> &'static str {
    match block_type {
        SHB_TYPE => "Section Header Block",
        IDB_TYPE => "Interface Description Block",
        OBSOLETE_PB_TYPE => "Packet Block",
        SPB_TYPE => "Simple Packet Block",
        EPB_TYPE => "Enhanced Packet Block",
        4 => "Name Resolution Block",
        5 => "Interface Statistics Block",
        _ => "pcapng block",
    }
}

impl PcapNgFile {
    /// How long the block starting at `buf[0]` is. A Section Header Block carries its own byte
    /// order; every other block uses the current section's.
    pub(super) fn framing(
        &self,
        buf: &[u8],
        offset: u64,
        frame: u64,
    ) -> Result<Framing, CaptureError> {
        let Some(block_type) = read_u32(buf, 0, false) else {
            return Ok(Framing::Need {
                len: 8,
                what: "pcapng block",
            });
        };
        let mut big_endian = self.big_endian;
        if block_type == SHB_TYPE {
            let Some(bom) = read_u32(buf, 8, false) else {
                return Ok(Framing::Need {
                    len: 12,
                    what: block_name(SHB_TYPE),
                });
            };
            big_endian = match bom {
                BOM => false,
                b if b == BOM.swap_bytes() => true,
                other => {
                    return Err(CaptureError::Malformed {
                        offset,
                        frame,
                        what: block_name(SHB_TYPE),
                        reason: format!("byte-order magic is {other:#010x}, not 0x1a2b3c4d"),
                    })
                }
            };
        }
        // Block types are compared in the section's byte order.
        let block_type = if big_endian {
            block_type.swap_bytes()
        } else {
            block_type
        };
        let what = block_name(block_type);
        let Some(len) = read_u32(buf, 4, big_endian) else {
            return Ok(Framing::Need { len: 8, what });
        };
        if len > MAX_RECORD_LEN {
            return Err(CaptureError::RecordTooLarge {
                offset,
                frame,
                what,
                length: u64::from(len),
                limit: u64::from(MAX_RECORD_LEN),
            });
        }
        if len < MIN_BLOCK_LEN || len % 4 != 0 {
            return Err(CaptureError::Malformed {
                offset,
                frame,
                what,
                reason: format!("block length {len} is not a multiple of 4 of at least 12"),
            });
        }
        Ok(Framing::Record {
            len: len as usize,
            what,
        })
    }

    /// Handles one complete block; returns the packet it holds, if it is a packet block.
    pub(super) fn block<'a>(
        &mut self,
        block: &'a [u8],
        offset: u64,
        frame: u64,
        summary: &mut CaptureSummary,
    ) -> Result<Option<RawPacket<'a>>, CaptureError> {
        let raw_type = read_u32(block, 0, false).unwrap_or_default();
        if raw_type == SHB_TYPE {
            self.section_header(block, offset, frame, summary)?;
            return Ok(None);
        }
        let block_type = if self.big_endian {
            raw_type.swap_bytes()
        } else {
            raw_type
        };
        let what = block_name(block_type);
        let malformed = |reason: String| CaptureError::Malformed {
            offset,
            frame,
            what,
            reason,
        };
        let len1 = read_u32(block, 4, self.big_endian).unwrap_or_default();
        let len2 = read_u32(block, block.len().saturating_sub(4), self.big_endian);
        if len2 != Some(len1) {
            return Err(malformed(format!(
                "trailing block length {len2:?} differs from the leading one ({len1})"
            )));
        }
        if self.sections == 0 {
            return Err(malformed("block before any Section Header Block".into()));
        }
        match block_type {
            IDB_TYPE => {
                self.interface(block, summary).map_err(malformed)?;
                Ok(None)
            }
            EPB_TYPE | OBSOLETE_PB_TYPE => self
                .enhanced_packet(block, block_type, summary)
                .map(Some)
                .map_err(malformed),
            SPB_TYPE => self
                .simple_packet(block, summary)
                .map(Some)
                .map_err(malformed),
            _ => Ok(None),
        }
    }

    fn section_header(
        &mut self,
        block: &[u8],
        offset: u64,
        frame: u64,
        summary: &mut CaptureSummary,
    ) -> Result<(), CaptureError> {
        let malformed = |reason: String| CaptureError::Malformed {
            offset,
            frame,
            what: block_name(SHB_TYPE),
            reason,
        };
        let (_, shb) = parse_sectionheaderblock(block)
            .map_err(|e| malformed(format!("cannot parse it ({e})")))?;
        if shb.major_version != 1 {
            return Err(malformed(format!(
                "pcapng version {}.{} is not supported (only 1.x)",
                shb.major_version, shb.minor_version
            )));
        }
        self.big_endian = shb.big_endian();
        self.sections += 1;
        self.section_interfaces.clear();
        if summary.format.is_none() {
            summary.format = Some(CaptureFormat::PcapNg);
            summary.byte_order = Some(if self.big_endian {
                ByteOrder::Big
            } else {
                ByteOrder::Little
            });
        }
        Ok(())
    }
}
