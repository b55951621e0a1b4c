//! Packet blocks: Enhanced, Simple, and the obsolete Packet Block.

use pcap_parser::pcapng::{parse_simplepacketblock_be, parse_simplepacketblock_le};

use super::{read_u32, PcapNgFile, EPB_HEADER_LEN, OBSOLETE_PB_TYPE};
use crate::capture::reader::RawPacket;
use crate::capture::summary::CaptureSummary;
use crate::capture::Timestamp;

/// Converts `units` ticks of `per_sec` per second, plus an offset in seconds, to a timestamp.
fn ticks_to_time(ticks: u64, per_sec: u64, offset_secs: i64) -> Timestamp {
    let per_sec = per_sec.max(1);
    let secs = i64::try_from(ticks / per_sec).unwrap_or(i64::MAX);
    let frac = u128::from(ticks % per_sec);
    let nanos = (frac * 1_000_000_000 / u128::from(per_sec)) as u32;
    Timestamp::new(secs.saturating_add(offset_secs), nanos)
}

impl PcapNgFile {
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
    pub(super) fn enhanced_packet<'a>(
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
    pub(super) fn simple_packet<'a>(
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
