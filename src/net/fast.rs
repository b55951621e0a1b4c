//! The common case decoded by hand: an unfragmented IPv4 packet, captured whole (Ethernet
//! padding allowed), carrying TCP with a well-formed header. It is most packets of most
//! captures, and etherparse's general path costs several times as much per packet. Anything
//! else returns `None` and takes the general path, which gives the same segment for these
//! packets (tests compare the two on every packet of the real captures).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::{TcpFlags, TcpSegment};

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn addr(b: &[u8], at: usize) -> Option<Ipv4Addr> {
    let octets: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(Ipv4Addr::from(octets))
}

/// `ip` is the IPv4 packet inside `packet` (the captured bytes).
pub(super) fn ipv4_tcp<'a>(packet: &'a [u8], ip: &'a [u8]) -> Option<TcpSegment<'a>> {
    let &version_ihl = ip.first()?;
    let ihl = usize::from(version_ihl & 0x0f) * 4;
    let total = usize::from(be16(ip, 2)?);
    let flags_fragment = be16(ip, 6)?;
    let protocol = *ip.get(9)?;
    // Version 4, no fragment (MF clear, offset 0), TCP, and a length field that covers the
    // header and lies within what was captured.
    if version_ihl >> 4 != 4
        || ihl < 20
        || flags_fragment & 0x3fff != 0
        || protocol != 6
        || total < ihl
        || total > ip.len()
    {
        return None;
    }
    let tcp = ip.get(ihl..total)?;
    let data_offset = usize::from(tcp.get(12)? >> 4) * 4;
    if data_offset < 20 || data_offset > tcp.len() {
        return None;
    }
    let flags = *tcp.get(13)?;
    let payload = tcp.get(data_offset..)?;
    Some(TcpSegment {
        src: SocketAddr::new(IpAddr::V4(addr(ip, 12)?), be16(tcp, 0)?),
        dst: SocketAddr::new(IpAddr::V4(addr(ip, 16)?), be16(tcp, 2)?),
        seq: be32(tcp, 4)?,
        ack: be32(tcp, 8)?,
        flags: TcpFlags {
            fin: flags & 0x01 != 0,
            syn: flags & 0x02 != 0,
            rst: flags & 0x04 != 0,
            psh: flags & 0x08 != 0,
            ack: flags & 0x10 != 0,
        },
        window: be16(tcp, 14)?,
        payload,
        wire_payload_len: u32::try_from(payload.len()).ok()?,
        payload_offset: (payload.as_ptr() as usize).checked_sub(packet.as_ptr() as usize)?,
    })
}
