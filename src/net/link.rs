//! Link layers: find where the IP packet starts. Hand-written because they are small and
//! etherparse lacks BSD NULL/LOOP and SLL2.

use super::NetError;
use crate::capture::LinkType;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// 802.1Q, 802.1ad (QinQ) and the pre-standard QinQ tag types.
const VLAN_ETHERTYPES: [u16; 4] = [0x8100, 0x88a8, 0x9100, 0x9200];
const MAX_VLAN_TAGS: usize = 8;

/// BSD address families for IPv6 differ per OS (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28,
/// macOS 30); IPv4 is 2 everywhere.
const AF_INET: u32 = 2;
const AF_INET6: [u32; 4] = [10, 24, 28, 30];

/// The network-layer packet a link-layer frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Network<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    /// Not IP (ARP, LLC, unsupported link type, ...).
    Other,
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_be_bytes(pair))
}

fn header<'a>(
    link: &'static str,
    data: &'a [u8],
    len: usize,
) -> Result<(&'a [u8], &'a [u8]), NetError> {
    data.split_at_checked(len).ok_or(NetError::LinkTruncated {
        link,
        needed: len,
        available: data.len(),
    })
}

/// Finds the IP packet inside a frame of the given link type.
pub(super) fn network(link: LinkType, data: &[u8]) -> Result<Network<'_>, NetError> {
    match link {
        LinkType::Ethernet => {
            let (hdr, rest) = header("Ethernet", data, 14)?;
            let ethertype = be16(hdr, 12).unwrap_or_default();
            by_ethertype(ethertype, rest)
        }
        LinkType::LinuxSll => {
            let (hdr, rest) = header("Linux cooked (SLL)", data, 16)?;
            by_ethertype(be16(hdr, 14).unwrap_or_default(), rest)
        }
        LinkType::LinuxSll2 => {
            let (hdr, rest) = header("Linux cooked v2 (SLL2)", data, 20)?;
            by_ethertype(be16(hdr, 0).unwrap_or_default(), rest)
        }
        LinkType::Null => {
            let (hdr, rest) = header("BSD loopback (NULL)", data, 4)?;
            let raw: [u8; 4] = hdr.try_into().unwrap_or_default();
            // Host byte order of the capturing machine: a family is a small number, so if the
            // high half is set the file came from a machine of the other byte order.
            let mut family = u32::from_le_bytes(raw);
            if family & 0xffff_0000 != 0 {
                family = family.swap_bytes();
            }
            Ok(by_family(family, rest))
        }
        LinkType::Loop => {
            let (hdr, rest) = header("OpenBSD loopback (LOOP)", data, 4)?;
            let raw: [u8; 4] = hdr.try_into().unwrap_or_default();
            Ok(by_family(u32::from_be_bytes(raw), rest))
        }
        LinkType::RawIp => match data.first().map(|b| b >> 4) {
            Some(4) => Ok(Network::Ipv4(data)),
            Some(6) => Ok(Network::Ipv6(data)),
            Some(version) => Err(NetError::BadIpVersion(version)),
            None => Err(NetError::IpTruncated {
                needed: 20,
                available: 0,
            }),
        },
        LinkType::Ipv4 => Ok(Network::Ipv4(data)),
        LinkType::Ipv6 => Ok(Network::Ipv6(data)),
        LinkType::Other(_) => Ok(Network::Other),
    }
}

fn by_family(family: u32, rest: &[u8]) -> Network<'_> {
    if family == AF_INET {
        Network::Ipv4(rest)
    } else if AF_INET6.contains(&family) {
        Network::Ipv6(rest)
    } else {
        Network::Other
    }
}

/// Follows VLAN tags and PPPoE to the IP packet.
pub(super) fn by_ethertype(mut ethertype: u16, mut rest: &[u8]) -> Result<Network<'_>, NetError> {
    let mut tags = 0;
    while VLAN_ETHERTYPES.contains(&ethertype) {
        tags += 1;
        if tags > MAX_VLAN_TAGS {
            return Err(NetError::TooManyVlanTags(MAX_VLAN_TAGS));
        }
        let (tag, inner) = header("VLAN tag", rest, 4)?;
        ethertype = be16(tag, 2).unwrap_or_default();
        rest = inner;
    }
    match ethertype {
        ETHERTYPE_IPV4 => Ok(Network::Ipv4(rest)),
        ETHERTYPE_IPV6 => Ok(Network::Ipv6(rest)),
        ETHERTYPE_PPPOE_SESSION => {
            // 6-byte PPPoE header, then the 2-byte PPP protocol number.
            let (hdr, inner) = header("PPPoE", rest, 8)?;
            Ok(match be16(hdr, 6).unwrap_or_default() {
                0x0021 => Network::Ipv4(inner),
                0x0057 => Network::Ipv6(inner),
                _ => Network::Other,
            })
        }
        _ => Ok(Network::Other),
    }
}
