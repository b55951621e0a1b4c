//! IPv4/IPv6 (with IPv6 extension headers) and the TCP header, via etherparse's lax slices,
//! which keep going when the capture's snap length cut the packet.

use std::net::{IpAddr, SocketAddr};

use etherparse::err::{ipv4, ipv6, tcp, LenError};
use etherparse::{
    IpNumber, Ipv6ExtensionSlice, LaxIpPayloadSlice, LaxIpv4Slice, LaxIpv6Slice, TcpHeaderSlice,
};

use super::{NetError, TcpFlags, TcpSegment};

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

/// The IP layer's view of a TCP packet: addresses, the captured IP payload, and how long the
/// IP header says that payload is on the wire.
struct IpPayload<'a> {
    src: IpAddr,
    dst: IpAddr,
    payload: &'a [u8],
    wire_len: usize,
}

pub(super) fn ipv4_tcp<'a>(
    packet: &'a [u8],
    ip: &'a [u8],
) -> Result<Option<TcpSegment<'a>>, NetError> {
    let (slice, _auth_error) = LaxIpv4Slice::from_slice(ip).map_err(|e| match e {
        ipv4::HeaderSliceError::Len(len) => ip_truncated(&len),
        ipv4::HeaderSliceError::Content(content) => NetError::BadIpHeader(content.to_string()),
    })?;
    let header = slice.header();
    let payload = slice.payload();
    if payload.ip_number != IpNumber::TCP {
        return Ok(None);
    }
    if payload.fragmented {
        return Err(NetError::Fragment {
            id: u32::from(header.identification()),
            offset: u32::from(header.fragments_offset().value()) * 8,
            more: header.more_fragments(),
        });
    }
    let consumed = offset_in(ip, payload.payload);
    let ip_payload = IpPayload {
        src: IpAddr::V4(header.source_addr()),
        dst: IpAddr::V4(header.destination_addr()),
        payload: payload.payload,
        wire_len: wire_len(payload, usize::from(header.total_len()), consumed),
    };
    tcp_segment(packet, ip_payload).map(Some)
}

pub(super) fn ipv6_tcp<'a>(
    packet: &'a [u8],
    ip: &'a [u8],
) -> Result<Option<TcpSegment<'a>>, NetError> {
    let (slice, ext_error) = LaxIpv6Slice::from_slice(ip).map_err(|e| match e {
        ipv6::HeaderSliceError::Len(len) => ip_truncated(&len),
        ipv6::HeaderSliceError::Content(content) => NetError::BadIpHeader(content.to_string()),
    })?;
    let header = slice.header();
    let payload = slice.payload();
    if payload.ip_number != IpNumber::TCP {
        // An extension header that could not be parsed hides what follows it; if the capture
        // cut it, say so, otherwise it is simply not a TCP packet we can read.
        return match ext_error {
            Some((etherparse::err::ipv6_exts::HeaderSliceError::Len(len), _))
                if payload.incomplete =>
            {
                Err(ip_truncated(&len))
            }
            Some((err, _)) => Err(NetError::BadIpHeader(err.to_string())),
            None => Ok(None),
        };
    }
    if payload.fragmented {
        let fragment = slice
            .extensions()
            .clone()
            .into_iter()
            .find_map(|ext| match ext {
                Ipv6ExtensionSlice::Fragment(frag) => Some(frag),
                _ => None,
            });
        return Err(match fragment {
            Some(frag) => NetError::Fragment {
                id: frag.identification(),
                offset: u32::from(frag.fragment_offset().value()) * 8,
                more: frag.more_fragments(),
            },
            None => {
                NetError::BadIpHeader("fragmented IPv6 packet without a fragment header".into())
            }
        });
    }
    let consumed = offset_in(ip, payload.payload);
    let ip_payload = IpPayload {
        src: IpAddr::V6(header.source_addr()),
        dst: IpAddr::V6(header.destination_addr()),
        payload: payload.payload,
        wire_len: wire_len(payload, 40 + usize::from(header.payload_length()), consumed),
    };
    tcp_segment(packet, ip_payload).map(Some)
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

fn tcp_segment<'a>(packet: &'a [u8], ip: IpPayload<'a>) -> Result<TcpSegment<'a>, NetError> {
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
