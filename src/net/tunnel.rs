//! Tunnels whose inner packets may carry the RTMP connection: GRE, and over UDP, GTP-U (mobile
//! networks, port 2152) and VXLAN (port 4789). Each returns the inner packet, or
//! `Network::Other` when the payload is not such a tunnel.

use super::link::{self, Network};
use super::NetError;
use crate::capture::LinkType;

const GTP_U_PORT: u16 = 2152;
const VXLAN_PORT: u16 = 4789;
const UDP_HEADER_LEN: usize = 8;

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_be_bytes(pair))
}

fn by_ip_version(inner: &[u8]) -> Network<'_> {
    match inner.first().map(|b| b >> 4) {
        Some(4) => Network::Ipv4(inner),
        Some(6) => Network::Ipv6(inner),
        _ => Network::Other,
    }
}

/// GRE (RFC 2784/2890), version 0: optional checksum, key and sequence words, then the
/// ethertype of the inner packet.
pub(super) fn gre(gre: &[u8]) -> Result<Network<'_>, NetError> {
    let (Some(flags), Some(protocol)) = (be16(gre, 0), be16(gre, 2)) else {
        return Ok(Network::Other);
    };
    if flags & 0x0007 != 0 {
        return Ok(Network::Other); // version 1 is PPTP's enhanced GRE
    }
    let optional_words = [0x8000u16, 0x2000, 0x1000]
        .iter()
        .filter(|&&bit| flags & bit != 0)
        .count();
    let Some(inner) = gre.get(4 + 4 * optional_words..) else {
        return Ok(Network::Other);
    };
    match protocol {
        0x6558 => link::network(LinkType::Ethernet, inner),
        ethertype => link::by_ethertype(ethertype, inner),
    }
}

/// UDP: only the tunnels on their well-known ports.
pub(super) fn udp(udp: &[u8]) -> Result<Network<'_>, NetError> {
    let (Some(src), Some(dst)) = (be16(udp, 0), be16(udp, 2)) else {
        return Ok(Network::Other);
    };
    let body = udp.get(UDP_HEADER_LEN..).unwrap_or_default();
    if src == GTP_U_PORT || dst == GTP_U_PORT {
        Ok(gtp_u(body))
    } else if dst == VXLAN_PORT {
        // 8-byte VXLAN header with the I flag (valid VNI), then an Ethernet frame.
        match (body.first(), body.get(8..)) {
            (Some(flags), Some(frame)) if flags & 0x08 != 0 => {
                link::network(LinkType::Ethernet, frame)
            }
            _ => Ok(Network::Other),
        }
    } else {
        Ok(Network::Other)
    }
}

/// GTP-U version 1 G-PDU (message type 255): the user's IP packet follows the header and any
/// extension headers.
fn gtp_u(gtp: &[u8]) -> Network<'_> {
    let (Some(&flags), Some(&message_type)) = (gtp.first(), gtp.get(1)) else {
        return Network::Other;
    };
    if flags >> 5 != 1 || flags & 0x10 == 0 || message_type != 0xff {
        return Network::Other;
    }
    let mut offset = 8;
    if flags & 0x07 != 0 {
        // Sequence number, N-PDU number and the first extension header type.
        offset = 12;
        let mut next_type = gtp.get(11).copied().unwrap_or_default();
        while next_type != 0 {
            // Each extension header's length is in 4-byte units and includes its next-type byte.
            let len = usize::from(gtp.get(offset).copied().unwrap_or_default()) * 4;
            if len == 0 {
                return Network::Other;
            }
            let Some(&next) = gtp.get(offset + len - 1) else {
                return Network::Other;
            };
            next_type = next;
            offset += len;
        }
    }
    by_ip_version(gtp.get(offset..).unwrap_or_default())
}
