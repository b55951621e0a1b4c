//! IPv4/IPv6 (with IPv6 extension headers) and the TCP header, via etherparse's lax slices,
//! which keep going when the capture's snap length cut the packet. Tunnels (IP-in-IP, GRE,
//! GTP-U, VXLAN) are followed to the inner packet.

use std::net::{IpAddr, SocketAddr};

use etherparse::err::{ipv4, ipv6, ipv6_exts, tcp, LenError};
use etherparse::{
    IpNumber, Ipv6ExtensionSlice, LaxIpPayloadSlice, LaxIpv4Slice, LaxIpv6Slice, TcpHeaderSlice,
};

use super::link::Network;
use super::{fast, tunnel, NetError, TcpFlags, TcpSegment};

/// Tunnels inside tunnels beyond this depth are not followed.
const MAX_TUNNEL_DEPTH: u8 = 4;

/// Byte offset of `inner` within `outer` (`inner` must be a sub-slice of `outer`).
fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

fn ip_truncated(err: &LenError) -> NetError {
    NetError::IpTruncated {
        needed: err.required_len,
        available: err.len,
    }
}

/// What the IP layer tells about a packet: addresses, the next protocol, the captured IP
/// payload, and how long the IP header says that payload is on the wire.
struct IpLayer<'a> {
    src: IpAddr,
    dst: IpAddr,
    protocol: IpNumber,
    payload: &'a [u8],
    wire_len: usize,
    /// Set when the packet is an IP fragment.
    fragment: Option<NetError>,
}

/// Decodes an IP packet (possibly inside tunnels) down to TCP.
pub(super) fn network_tcp<'a>(
    packet: &'a [u8],
    network: Network<'a>,
    depth: u8,
) -> Result<Option<TcpSegment<'a>>, NetError> {
    if let Network::Ipv4(ip) = network {
        if let Some(segment) = fast::ipv4_tcp(packet, ip) {
            return Ok(Some(segment));
        }
    }
    general_tcp(packet, network, depth)
}

/// [`network_tcp`] without the fast path.
pub(super) fn general_tcp<'a>(
    packet: &'a [u8],
    network: Network<'a>,
    depth: u8,
) -> Result<Option<TcpSegment<'a>>, NetError> {
    let layer = match network {
        Network::Ipv4(ip) => ipv4_layer(ip)?,
        Network::Ipv6(ip) => match ipv6_layer(ip)? {
            Some(layer) => layer,
            None => return Ok(None),
        },
        Network::Other => return Ok(None),
    };
    if let Some(fragment) = layer.fragment {
        // Only a TCP packet's fragments matter; others are simply not TCP.
        return if layer.protocol == IpNumber::TCP {
            Err(fragment)
        } else {
            Ok(None)
        };
    }
    if layer.protocol == IpNumber::TCP {
        return tcp_segment(packet, layer).map(Some);
    }
    if depth >= MAX_TUNNEL_DEPTH {
        return Ok(None);
    }
    let inner = match layer.protocol {
        IpNumber::IPV4 => Network::Ipv4(layer.payload),
        IpNumber::IPV6 => Network::Ipv6(layer.payload),
        IpNumber::GRE => tunnel::gre(layer.payload)?,
        IpNumber::UDP => tunnel::udp(layer.payload)?,
        _ => Network::Other,
    };
    network_tcp(packet, inner, depth + 1)
}

fn ipv4_layer(ip: &[u8]) -> Result<IpLayer<'_>, NetError> {
    let (slice, _auth_error) = LaxIpv4Slice::from_slice(ip).map_err(|e| match e {
        ipv4::HeaderSliceError::Len(len) => ip_truncated(&len),
        ipv4::HeaderSliceError::Content(content) => NetError::BadIpHeader(content.to_string()),
    })?;
    let header = slice.header();
    let payload = slice.payload();
    let fragment = payload.fragmented.then(|| NetError::Fragment {
        id: u32::from(header.identification()),
        offset: u32::from(header.fragments_offset().value()) * 8,
        more: header.more_fragments(),
    });
    Ok(IpLayer {
        src: IpAddr::V4(header.source_addr()),
        dst: IpAddr::V4(header.destination_addr()),
        protocol: payload.ip_number,
        payload: payload.payload,
        wire_len: wire_len(
            payload,
            usize::from(header.total_len()),
            offset_in(ip, payload.payload),
        ),
        fragment,
    })
}

/// `Ok(None)` when an extension header that could not be parsed hides what follows it.
fn ipv6_layer(ip: &[u8]) -> Result<Option<IpLayer<'_>>, NetError> {
    let (slice, ext_error) = LaxIpv6Slice::from_slice(ip).map_err(|e| match e {
        ipv6::HeaderSliceError::Len(len) => ip_truncated(&len),
        ipv6::HeaderSliceError::Content(content) => NetError::BadIpHeader(content.to_string()),
    })?;
    let header = slice.header();
    let payload = slice.payload();
    match ext_error {
        Some((ipv6_exts::HeaderSliceError::Len(len), _)) if payload.incomplete => {
            return Err(ip_truncated(&len))
        }
        Some((err, _)) => return Err(NetError::BadIpHeader(err.to_string())),
        None => {}
    }
    let fragment = payload.fragmented.then(|| {
        let header = slice
            .extensions()
            .clone()
            .into_iter()
            .find_map(|ext| match ext {
                Ipv6ExtensionSlice::Fragment(frag) => Some(frag),
                _ => None,
            });
        match header {
            Some(frag) => NetError::Fragment {
                id: frag.identification(),
                offset: u32::from(frag.fragment_offset().value()) * 8,
                more: frag.more_fragments(),
            },
            None => NetError::BadIpHeader("fragmented without a fragment header".into()),
        }
    });
    Ok(Some(IpLayer {
        src: IpAddr::V6(header.source_addr()),
        dst: IpAddr::V6(header.destination_addr()),
        protocol: payload.ip_number,
        payload: payload.payload,
        wire_len: wire_len(
            payload,
            40 + usize::from(header.payload_length()),
            offset_in(ip, payload.payload),
        ),
        fragment,
    }))
}

/// The IP payload's length on the wire. When the snap length cut the packet, the IP header's
/// length field tells what is missing; otherwise the (already bounded) captured payload is the
/// whole of it, which also covers a zero length field (TSO, jumbograms).
fn wire_len(payload: &LaxIpPayloadSlice<'_>, ip_total_len: usize, header_bytes: usize) -> usize {
    if payload.incomplete {
        ip_total_len
            .saturating_sub(header_bytes)
            .max(payload.payload.len())
    } else {
        payload.payload.len()
    }
}

fn tcp_segment<'a>(packet: &'a [u8], ip: IpLayer<'a>) -> Result<TcpSegment<'a>, NetError> {
    let cut = ip.wire_len > ip.payload.len();
    let header = TcpHeaderSlice::from_slice(ip.payload).map_err(|e| match e {
        tcp::HeaderSliceError::Len(len) if cut => NetError::TcpTruncated {
            needed: len.required_len,
            available: len.len,
        },
        tcp::HeaderSliceError::Len(len) => NetError::BadTcpHeader(format!(
            "the IP payload is {} bytes, shorter than the {}-byte TCP header",
            len.len, len.required_len
        )),
        tcp::HeaderSliceError::Content(content) => NetError::BadTcpHeader(content.to_string()),
    })?;
    let header_len = header.slice().len();
    let payload = ip.payload.get(header_len..).unwrap_or_default();
    let wire_payload_len = ip.wire_len.saturating_sub(header_len).max(payload.len());
    Ok(TcpSegment {
        src: SocketAddr::new(ip.src, header.source_port()),
        dst: SocketAddr::new(ip.dst, header.destination_port()),
        seq: header.sequence_number(),
        ack: header.acknowledgment_number(),
        flags: TcpFlags {
            syn: header.syn(),
            ack: header.ack(),
            fin: header.fin(),
            rst: header.rst(),
            psh: header.psh(),
        },
        window: header.window_size(),
        payload,
        wire_payload_len: u32::try_from(wire_payload_len).unwrap_or(u32::MAX),
        payload_offset: offset_in(packet, payload),
    })
}
