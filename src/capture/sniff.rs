//! Naming things the reader cannot read: files that are not captures, unsupported link types.

/// A short description of what a file starting with `head` looks like, for a "not a capture"
/// error: the first bytes in hex and, when they are recognisable, the format they suggest.
pub(super) fn describe_start(head: &[u8]) -> String {
    if head.is_empty() {
        return "the file is empty".to_string();
    }
    let shown = head.get(..head.len().min(8)).unwrap_or_default();
    let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
    let guess = guess_format(head);
    let mut text = format!("it starts with {}", hex.join(" "));
    if head.len() < 4 {
        text = format!("the file is only {} byte(s) long; {text}", head.len());
    }
    if let Some(guess) = guess {
        text.push_str(&format!(", which looks like {guess}"));
    }
    text
}

fn guess_format(head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let magic_le = head
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes);
    if magic_le.is_some_and(|m| {
        m == super::pcap::MAGIC_MODIFIED || m == super::pcap::MAGIC_MODIFIED.swap_bytes()
    }) {
        return Some(
            "a \"modified\" (Kuznetsov) pcap file, which is not supported; convert it with editcap",
        );
    }
    let known: [(&[u8], &'static str); 10] = [
        (b"\x1f\x8b", "a gzip file (decompress it first)"),
        (b"\x28\xb5\x2f\xfd", "a zstd file (decompress it first)"),
        (b"\xfd7zXZ", "an xz file (decompress it first)"),
        (b"BZh", "a bzip2 file (decompress it first)"),
        (b"PK\x03\x04", "a zip archive (extract the capture first)"),
        (b"FLV", "an FLV file (a recording, not a network capture)"),
        (b"%PDF", "a PDF document"),
        (
            b"RTSS",
            "a Microsoft Network Monitor 1.x capture, which is not supported",
        ),
        (
            b"GMBU",
            "a Microsoft Network Monitor 2.x capture, which is not supported",
        ),
        (
            b"snoop\0\0\0",
            "a Solaris snoop capture, which is not supported",
        ),
    ];
    if let Some((_, name)) = known.iter().find(|(magic, _)| starts(magic)) {
        return Some(name);
    }
    if head.len() >= 12 && head.get(4..8) == Some(b"ftyp") {
        return Some("an MP4 file (a recording, not a network capture)");
    }
    let text_like = head
        .iter()
        .take(64)
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if text_like {
        return Some(match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => "HTML or XML text",
            Some(b'{') | Some(b'[') => "JSON text",
            _ => "plain text (a tshark/tcpdump text dump is not a capture file)",
        });
    }
    None
}

/// The tcpdump name of a LINKTYPE_ number, for messages about unsupported link types.
pub(crate) fn link_name(number: u32) -> &'static str {
    match number {
        0 => "NULL",
        1 => "EN10MB",
        6 => "IEEE802_5",
        9 => "PPP",
        10 => "FDDI",
        50 => "PPP_HDLC",
        51 => "PPP_ETHER",
        101 => "RAW",
        104 => "C_HDLC",
        105 => "IEEE802_11",
        108 => "LOOP",
        113 => "LINUX_SLL",
        127 => "IEEE802_11_RADIOTAP",
        147..=162 => "USER",
        163 => "IEEE802_11_AVS",
        189 => "USB_LINUX",
        192 => "PPI",
        195 => "IEEE802_15_4",
        201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
        204 => "PPP_PPPD",
        220 => "USB_LINUX_MMAPPED",
        227 => "CAN_SOCKETCAN",
        228 => "IPV4",
        229 => "IPV6",
        239 => "NFLOG",
        249 => "USBPCAP",
        252 => "WIRESHARK_UPPER_PDU",
        253 => "NETLINK",
        276 => "LINUX_SLL2",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_common_non_captures() {
        assert!(describe_start(b"").contains("empty"));
        assert!(describe_start(b"\x1f\x8b\x08\x00abcd").contains("gzip"));
        assert!(describe_start(b"<!DOCTYPE html>").contains("HTML"));
        assert!(describe_start(b"FLV\x01\x05\0\0\0\x09").contains("FLV"));
        let odd = describe_start(&[0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4]);
        assert_eq!(odd, "it starts with de ad be ef 00 01 02 03");
        assert!(describe_start(b"ab").contains("only 2 byte"));
    }
}
