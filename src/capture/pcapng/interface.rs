//! Interface Description Blocks: link type, snap length, if_tsresol, if_tsoffset, if_name.

use pcap_parser::pcapng::{
    parse_interfacedescriptionblock_be, parse_interfacedescriptionblock_le,
    InterfaceDescriptionBlock, OptionCode,
};

use super::{PcapNgFile, MAX_INTERFACES};
use crate::capture::summary::{CaptureSummary, InterfaceInfo};
use crate::capture::{link_name, LinkType};
use crate::diagnostic::{Location, Severity};

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
    pub(super) fn interface(
        &mut self,
        block: &[u8],
        summary: &mut CaptureSummary,
    ) -> Result<(), String> {
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
}
