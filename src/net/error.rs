//! Why a packet's headers could not be decoded down to TCP.

use crate::diagnostic::{Diagnostic, Location, Severity};

/// A packet that is (or may be) TCP but cannot be turned into a [`TcpSegment`](super::TcpSegment).
/// Packets that simply are not TCP (ARP, UDP, ICMP, ...) are not errors: `decode_tcp` returns
/// `Ok(None)` for them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// The packet is shorter than its link-layer header.
    #[error("{link} header cut off: {needed} bytes needed, {available} captured")]
    LinkTruncated {
        link: &'static str,
        needed: usize,
        available: usize,
    },
    /// More stacked VLAN tags than any real network uses.
    #[error("more than {0} stacked VLAN tags")]
    TooManyVlanTags(usize),
    /// A raw-IP link whose packet does not start with IP version 4 or 6.
    #[error("packet on a raw IP link starts with IP version {0}, not 4 or 6")]
    BadIpVersion(u8),
    /// The IP header is cut off by the capture's snap length or the end of the packet.
    #[error("IP header cut off: {needed} bytes needed, {available} captured")]
    IpTruncated { needed: usize, available: usize },
    /// The IP header (or an IPv6 extension header) is inconsistent.
    #[error("bad IP header: {0}")]
    BadIpHeader(String),
    /// A TCP packet split into IP fragments; rtmpscope does not reassemble them.
    #[error(
        "IP fragment of a TCP packet (id {id}, offset {offset}, more fragments: {more}): \
         fragments are not reassembled"
    )]
    Fragment { id: u32, offset: u32, more: bool },
    /// The capture's snap length cut the packet inside the TCP header.
    #[error("TCP header cut off by the snap length: {needed} bytes needed, {available} captured")]
    TcpTruncated { needed: usize, available: usize },
    /// The TCP header is inconsistent (data offset below 5, or longer than the IP payload).
    #[error("bad TCP header: {0}")]
    BadTcpHeader(String),
}

impl NetError {
    /// A short stable identifier for reports (`net.fragment`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            NetError::LinkTruncated { .. } => "net.link_truncated",
            NetError::TooManyVlanTags(_) => "net.vlan_tags",
            NetError::BadIpVersion(_) => "net.ip_version",
            NetError::IpTruncated { .. } => "net.ip_truncated",
            NetError::BadIpHeader(_) => "net.bad_ip_header",
            NetError::Fragment { .. } => "net.fragment",
            NetError::TcpTruncated { .. } => "net.tcp_truncated",
            NetError::BadTcpHeader(_) => "net.bad_tcp_header",
        }
    }

    /// The error as a report diagnostic about the given frame: the packet is skipped, the
    /// analysis goes on.
    pub fn to_diagnostic(&self, frame: u64, file_offset: u64) -> Diagnostic {
        let at = Location {
            frame: Some(frame),
            file_offset: Some(file_offset),
            ..Location::default()
        };
        Diagnostic::new(Severity::Warning, self.code(), self.to_string(), at)
    }
}
