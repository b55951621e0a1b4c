//! pcapng: sections, interfaces with their own link type and timestamp resolution, and the
//! packet blocks (Enhanced, Simple and the obsolete Packet Block). Other blocks are skipped.

use pcap_parser::pcapng::{
    parse_interfacedescriptionblock_be, parse_interfacedescriptionblock_le,
    parse_sectionheaderblock, parse_simplepacketblock_be, parse_simplepacketblock_le,
    InterfaceDescriptionBlock, OptionCode,
};

use super::reader::{Framing, RawPacket, MAX_RECORD_LEN};
use super::summary::{ByteOrder, CaptureFormat, CaptureSummary, InterfaceInfo};
use super::{link_name, CaptureError, LinkType, Timestamp};
use crate::diagnostic::{Location, Severity};

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

fn read_u32(buf: &[u8], at: usize, big_endian: bool) -> Option<u32> {
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

/// Converts `units` ticks of `per_sec` per second, plus an offset in seconds, to a timestamp.
fn ticks_to_time(ticks: u64, per_sec: u64, offset_secs: i64) -> Timestamp {
    let per_sec = per_sec.max(1);
    let secs = i64::try_from(ticks / per_sec).unwrap_or(i64::MAX);
    let frac = u128::from(ticks % per_sec);
    let nanos = (frac * 1_000_000_000 / u128::from(per_sec)) as u32;
    Timestamp::new(secs.saturating_add(offset_secs), nanos)
}

/// Ticks per second for an `if_tsresol` value: 10^-n, or 2^-n when the top bit is set.
fn tsresol_units(tsresol: u8) -> Option<u64> {
    let exp = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(exp)
    } else {
        1u64.checked_shl(exp).filter(|_| exp < 64)
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

    fn interface(&mut self, block: &[u8], summary: &mut CaptureSummary) -> Result<(), String> {
        let parsed = if self.big_endian {
            parse_interfacedescriptionblock_be(block)
        } else {
            parse_interfacedescriptionblock_le(block)
        };
        let (_, idb) = parsed.map_err(|e| format!("cannot parse it ({e})"))?;
        if summary.interfaces.len() >= MAX_INTERFACES {
            return Err(format!("more than {MAX_INTERFACES} interfaces"));
        }
        let link_number = u32::from(idb.linktype.0 as u16);
        let link = LinkType::from_number(link_number);
        let section = self.sections - 1;
        let id_in_section = self.section_interfaces.len() as u32;
        let (ts_units_per_sec, ts_offset_secs, name) =
            self.interface_options(&idb, section, id_in_section, summary);
        if !link.is_supported() {
            summary.notice(
                Severity::Warning,
                "capture.unsupported_link",
                format!(
                    "interface {id_in_section} of section {section} has link type {} \
                     ({link_number}), which is not supported: its packets are counted but not \
                     decoded",
                    link_name(link_number)
                ),
                Location::default(),
            );
        }
        self.section_interfaces.push(summary.interfaces.len());
        summary.interfaces.push(InterfaceInfo {
            section,
            id_in_section,
            link,
            link_number,
            snaplen: idb.snaplen,
            ts_units_per_sec,
            ts_offset_secs,
            name,
            packets: 0,
        });
        Ok(())
    }

    /// `if_tsresol`, `if_tsoffset` and `if_name`, read in the section's byte order
    /// (pcap-parser's own `if_tsoffset` always reads little-endian).
    fn interface_options(
        &self,
        idb: &InterfaceDescriptionBlock<'_>,
        section: u32,
        id: u32,
        summary: &mut CaptureSummary,
    ) -> (u64, i64, Option<String>) {
        let mut units = 1_000_000;
        let mut offset = 0;
        let mut name = None;
        for option in &idb.options {
            let Ok(value) = option.as_bytes() else {
                continue;
            };
            match option.code {
                OptionCode::IfTsresol => match value.first().copied().map(tsresol_units) {
                    Some(Some(u)) => units = u,
                    _ => summary.notice(
                        Severity::Warning,
                        "capture.bad_tsresol",
                        format!(
                            "interface {id} of section {section} has an invalid if_tsresol \
                             {value:02x?}; assuming microseconds"
                        ),
                        Location::default(),
                    ),
                },
                OptionCode::IfTsoffset => {
                    if let Some(bytes) = value.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
                        offset = if self.big_endian {
                            i64::from_be_bytes(bytes)
                        } else {
                            i64::from_le_bytes(bytes)
                        };
                    }
                }
                OptionCode::IfName => {
                    name = Some(String::from_utf8_lossy(value).into_owned());
                }
                _ => {}
            }
        }
        (units, offset, name)
    }

    fn global_interface(&self, id: u32) -> Result<usize, String> {
        self.section_interfaces
            .get(id as usize)
            .copied()
            .ok_or_else(|| {
                format!(
                    "interface id {id}, but the section declares {} interface(s)",
                    self.section_interfaces.len()
                )
            })
    }

    /// Enhanced Packet Block, or the obsolete Packet Block (same layout except a 16-bit
    /// interface id followed by a drop count). Parsed by hand: pcap-parser collects each
    /// block's options into a `Vec`, an allocation per packet this hot path avoids.
    fn enhanced_packet<'a>(
        &self,
        block: &'a [u8],
        block_type: u32,
        summary: &CaptureSummary,
    ) -> Result<RawPacket<'a>, String> {
        let field = |at: usize| read_u32(block, at, self.big_endian);
        let (Some(id_field), Some(ts_high), Some(ts_low), Some(caplen), Some(orig_len)) =
            (field(8), field(12), field(16), field(20), field(24))
        else {
            return Err(format!(
                "block length {} is too short for a packet block",
                block.len()
            ));
        };
        let if_id = if block_type == OBSOLETE_PB_TYPE {
            let id_bytes = block.get(8..10).unwrap_or_default();
            let pair = <[u8; 2]>::try_from(id_bytes).unwrap_or_default();
            u32::from(if self.big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            })
        } else {
            id_field
        };
        let data_end = EPB_HEADER_LEN.saturating_add(caplen as usize);
        let Some(data) = block
            .get(EPB_HEADER_LEN..data_end)
            .filter(|_| data_end + 4 <= block.len())
        else {
            return Err(format!(
                "captured length {caplen} does not fit in a {}-byte block",
                block.len()
            ));
        };
        let interface = self.global_interface(if_id)?;
        let info = summary
            .interfaces
            .get(interface)
            .ok_or("unknown interface")?;
        let ticks = (u64::from(ts_high) << 32) | u64::from(ts_low);
        Ok(RawPacket {
            interface,
            time: Some(ticks_to_time(
                ticks,
                info.ts_units_per_sec,
                info.ts_offset_secs,
            )),
            data,
            data_offset: EPB_HEADER_LEN,
            orig_len,
        })
    }

    /// Simple Packet Block: interface 0 of the section, no timestamp, captured length implied
    /// by the block length, the original length and the interface's snap length.
    fn simple_packet<'a>(
        &self,
        block: &'a [u8],
        summary: &CaptureSummary,
    ) -> Result<RawPacket<'a>, String> {
        let parsed = if self.big_endian {
            parse_simplepacketblock_be(block)
        } else {
            parse_simplepacketblock_le(block)
        };
        let (_, spb) = parsed.map_err(|e| format!("cannot parse it ({e})"))?;
        let interface = self.global_interface(0)?;
        let snaplen = summary
            .interfaces
            .get(interface)
            .map_or(0, |info| info.snaplen);
        let mut caplen = (spb.origlen as usize).min(spb.data.len());
        if snaplen != 0 {
            caplen = caplen.min(snaplen as usize);
        }
        Ok(RawPacket {
            interface,
            time: None,
            data: spb.data.get(..caplen).unwrap_or_default(),
            data_offset: 12,
            orig_len: spb.origlen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_forms() {
        assert_eq!(tsresol_units(6), Some(1_000_000));
        assert_eq!(tsresol_units(9), Some(1_000_000_000));
        assert_eq!(tsresol_units(0x80 | 10), Some(1024));
        assert_eq!(tsresol_units(0x80 | 63), Some(1 << 63));
        assert_eq!(tsresol_units(20), None);
    }

    #[test]
    fn ticks_conversion() {
        assert_eq!(
            ticks_to_time(1_500_000, 1_000_000, 0),
            Timestamp::new(1, 500_000_000)
        );
        assert_eq!(
            ticks_to_time(3 * 1024 + 512, 1024, 10),
            Timestamp::new(13, 500_000_000)
        );
        assert_eq!(ticks_to_time(u64::MAX, 1, 5).secs, i64::MAX);
    }
}
