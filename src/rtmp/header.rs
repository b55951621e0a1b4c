//! Chunk headers (RTMP spec 5.3.1): pure byte parsing, no chunk-stream state.
//!
//! A chunk header is a basic header (1, 2 or 3 bytes: fmt and chunk stream id), a message header
//! (11, 7, 3 or 0 bytes for fmt 0..3) and, when the 24-bit timestamp field is 0xFFFFFF, a 4-byte
//! extended timestamp. Whether a fmt 3 header carries an extended timestamp depends on the chunk
//! stream's earlier headers, so the caller says so with an [`ExtendedRule`].

use serde::{Deserialize, Serialize};

/// The 24-bit timestamp value that announces an extended timestamp.
pub const EXTENDED_TIMESTAMP_MARKER: u32 = 0x00FF_FFFF;
/// The longest chunk header: 3-byte basic header, fmt 0 message header, extended timestamp.
pub const MAX_HEADER_LEN: usize = 3 + 11 + 4;
/// The highest chunk stream id the 3-byte basic header can express.
pub const MAX_CSID: u32 = 65599;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicHeader {
    pub fmt: u8,
    pub csid: u32,
    /// 1, 2 or 3.
    pub len: usize,
}

/// Parses the basic header at the start of `buf`; `None` when `buf` is too short.
pub fn parse_basic_header(buf: &[u8]) -> Option<BasicHeader> {
    let first = *buf.first()?;
    let fmt = first >> 6;
    match first & 0x3f {
        0 => {
            let b1 = *buf.get(1)?;
            Some(BasicHeader {
                fmt,
                csid: 64 + u32::from(b1),
                len: 2,
            })
        }
        1 => {
            let b1 = *buf.get(1)?;
            let b2 = *buf.get(2)?;
            Some(BasicHeader {
                fmt,
                csid: 64 + u32::from(b1) + 256 * u32::from(b2),
                len: 3,
            })
        }
        id => Some(BasicHeader {
            fmt,
            csid: u32::from(id),
            len: 1,
        }),
    }
}

/// Writes a basic header in its shortest form (csid must be 2..=65599).
pub fn encode_basic_header(fmt: u8, csid: u32, out: &mut Vec<u8>) {
    let fmt_bits = (fmt & 3) << 6;
    if (2..64).contains(&csid) {
        out.push(fmt_bits | csid as u8);
    } else if (64..320).contains(&csid) {
        out.extend_from_slice(&[fmt_bits, (csid - 64) as u8]);
    } else {
        let id = csid.saturating_sub(64);
        out.extend_from_slice(&[fmt_bits | 1, (id & 0xff) as u8, (id >> 8) as u8]);
    }
}

/// How to treat the 4 bytes after a fmt 3 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendedRule {
    /// The chunk stream's headers carry no extended timestamp.
    Absent,
    /// The chunk stream uses an extended timestamp, so a fmt 3 header should repeat it; some
    /// senders leave it out, so the 4 bytes are taken as the header's only when they equal one
    /// of these values (otherwise they are payload).
    Expect([u32; 2]),
}

/// A parsed chunk header. Fields the fmt does not carry are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    pub fmt: u8,
    pub csid: u32,
    /// The 24-bit timestamp (fmt 0) or timestamp delta (fmt 1, 2) field.
    pub timestamp_field: Option<u32>,
    pub length: Option<u32>,
    pub type_id: Option<u8>,
    /// Message stream id (little-endian on the wire).
    pub msid: Option<u32>,
    /// The extended timestamp, when present.
    pub extended: Option<u32>,
    /// Set on a fmt 3 header whose chunk stream expects an extended timestamp the sender left out.
    pub extended_omitted: bool,
    /// Total header bytes.
    pub len: usize,
}

impl ChunkHeader {
    /// The timestamp or delta this header gives: the extended value if present, else the field.
    pub fn timestamp_value(&self) -> Option<u32> {
        self.extended.or(self.timestamp_field)
    }
}

fn be24(b: &[u8]) -> u32 {
    b.iter()
        .take(3)
        .fold(0, |acc, &x| (acc << 8) | u32::from(x))
}

fn be32(b: &[u8]) -> u32 {
    b.iter()
        .take(4)
        .fold(0, |acc, &x| (acc << 8) | u32::from(x))
}

/// Parses the message header and extended timestamp following `basic` in `buf` (which starts
/// at the basic header). `None` when more bytes are needed to decide.
pub fn parse_chunk_header(
    buf: &[u8],
    basic: BasicHeader,
    rule: ExtendedRule,
) -> Option<ChunkHeader> {
    let mh_len = match basic.fmt {
        0 => 11,
        1 => 7,
        2 => 3,
        _ => 0,
    };
    let mh = buf.get(basic.len..basic.len + mh_len)?;
    let mut header = ChunkHeader {
        fmt: basic.fmt,
        csid: basic.csid,
        timestamp_field: None,
        length: None,
        type_id: None,
        msid: None,
        extended: None,
        extended_omitted: false,
        len: basic.len + mh_len,
    };
    if basic.fmt <= 2 {
        let ts = be24(mh.get(0..3)?);
        header.timestamp_field = Some(ts);
        if basic.fmt <= 1 {
            header.length = Some(be24(mh.get(3..6)?));
            header.type_id = mh.get(6).copied();
        }
        if basic.fmt == 0 {
            let id = <[u8; 4]>::try_from(mh.get(7..11)?).ok()?;
            header.msid = Some(u32::from_le_bytes(id));
        }
        if ts == EXTENDED_TIMESTAMP_MARKER {
            let ext = buf.get(header.len..header.len + 4)?;
            header.extended = Some(be32(ext));
            header.len += 4;
        }
    } else if let ExtendedRule::Expect(expected) = rule {
        let ext = be32(buf.get(header.len..header.len + 4)?);
        if expected.contains(&ext) {
            header.extended = Some(ext);
            header.len += 4;
        } else {
            header.extended_omitted = true;
        }
    }
    Some(header)
}

/// Writes a whole chunk header (for tests and fixtures). `timestamp` is the fmt's timestamp or
/// delta; an extended timestamp is written when it does not fit in 24 bits, and on fmt 3 when
/// `fmt3_extended` is given.
#[allow(clippy::too_many_arguments)]
pub fn encode_chunk_header(
    fmt: u8,
    csid: u32,
    timestamp: u32,
    length: u32,
    type_id: u8,
    msid: u32,
    fmt3_extended: Option<u32>,
    out: &mut Vec<u8>,
) {
    encode_basic_header(fmt, csid, out);
    let extended = timestamp >= EXTENDED_TIMESTAMP_MARKER;
    if fmt <= 2 {
        let field = timestamp.min(EXTENDED_TIMESTAMP_MARKER);
        out.extend_from_slice(&field.to_be_bytes()[1..]);
        if fmt <= 1 {
            out.extend_from_slice(&length.to_be_bytes()[1..]);
            out.push(type_id);
        }
        if fmt == 0 {
            out.extend_from_slice(&msid.to_le_bytes());
        }
        if extended {
            out.extend_from_slice(&timestamp.to_be_bytes());
        }
    } else if let Some(ext) = fmt3_extended {
        out.extend_from_slice(&ext.to_be_bytes());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_forms_and_csid_boundaries() {
        for (csid, len) in [
            (2u32, 1usize),
            (3, 1),
            (63, 1),
            (64, 2),
            (319, 2),
            (320, 3),
            (65599, 3),
        ] {
            for fmt in 0..4u8 {
                let mut v = Vec::new();
                encode_basic_header(fmt, csid, &mut v);
                assert_eq!(v.len(), len, "csid {csid}");
                let b = parse_basic_header(&v).unwrap();
                assert_eq!((b.fmt, b.csid, b.len), (fmt, csid, len));
                assert_eq!(parse_basic_header(&v[..len - 1]), None);
            }
        }
        // Byte values straight from the spec's layout.
        assert_eq!(parse_basic_header(&[0x03]).unwrap().csid, 3);
        assert_eq!(parse_basic_header(&[0xc4]).unwrap().fmt, 3);
        assert_eq!(parse_basic_header(&[0x40, 0x00]).unwrap().csid, 64);
        assert_eq!(parse_basic_header(&[0x00, 0xff]).unwrap().csid, 319);
        assert_eq!(parse_basic_header(&[0x01, 0x00, 0x01]).unwrap().csid, 320);
        assert_eq!(parse_basic_header(&[0x01, 0xff, 0xff]).unwrap().csid, 65599);
        // The 3-byte form may also carry a small id (non-canonical but legal).
        assert_eq!(parse_basic_header(&[0x01, 0x05, 0x00]).unwrap().csid, 69);
        assert_eq!(parse_basic_header(&[]), None);
    }

    #[test]
    fn fmt0_header() {
        // connect from ffmpeg: csid 3, ts 0, length 139, type 0x14, msid 0.
        let bytes = [
            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8b, 0x14, 0x00, 0x00, 0x00, 0x00,
        ];
        let b = parse_basic_header(&bytes).unwrap();
        let h = parse_chunk_header(&bytes, b, ExtendedRule::Absent).unwrap();
        assert_eq!(h.len, 12);
        assert_eq!(h.timestamp_field, Some(0));
        assert_eq!(h.length, Some(139));
        assert_eq!(h.type_id, Some(0x14));
        assert_eq!(h.msid, Some(0));
        assert_eq!(h.extended, None);
        assert_eq!(
            parse_chunk_header(&bytes[..11], b, ExtendedRule::Absent),
            None
        );
    }

    #[test]
    fn msid_is_little_endian() {
        let bytes = [0x04, 0, 0, 0, 0, 0, 1, 0x12, 0x01, 0x02, 0x00, 0x00];
        let b = parse_basic_header(&bytes).unwrap();
        let h = parse_chunk_header(&bytes, b, ExtendedRule::Absent).unwrap();
        assert_eq!(h.msid, Some(0x0201));
    }

    #[test]
    fn fmt1_fmt2_fmt3_lengths() {
        let f1 = [0x46, 0x00, 0x00, 0x22, 0x00, 0x0c, 0x25, 0x09];
        let h = parse_chunk_header(&f1, parse_basic_header(&f1).unwrap(), ExtendedRule::Absent)
            .unwrap();
        assert_eq!(
            (
                h.fmt,
                h.csid,
                h.timestamp_field,
                h.length,
                h.type_id,
                h.msid,
                h.len
            ),
            (1, 6, Some(0x22), Some(0xc25), Some(9), None, 8)
        );
        let f2 = [0x84, 0x00, 0x00, 0x17];
        let h = parse_chunk_header(&f2, parse_basic_header(&f2).unwrap(), ExtendedRule::Absent)
            .unwrap();
        assert_eq!(
            (h.fmt, h.timestamp_field, h.length, h.len),
            (2, Some(23), None, 4)
        );
        let f3 = [0xc4];
        let h = parse_chunk_header(&f3, parse_basic_header(&f3).unwrap(), ExtendedRule::Absent)
            .unwrap();
        assert_eq!((h.fmt, h.timestamp_field, h.len), (3, None, 1));
    }

    #[test]
    fn extended_timestamp_on_fmt0_1_2() {
        for fmt in 0..3u8 {
            let mut v = Vec::new();
            encode_chunk_header(fmt, 5, 0x0100_0000, 10, 8, 1, None, &mut v);
            let b = parse_basic_header(&v).unwrap();
            let h = parse_chunk_header(&v, b, ExtendedRule::Absent).unwrap();
            assert_eq!(h.timestamp_field, Some(EXTENDED_TIMESTAMP_MARKER));
            assert_eq!(h.extended, Some(0x0100_0000));
            assert_eq!(h.timestamp_value(), Some(0x0100_0000));
            assert_eq!(h.len, v.len());
            assert_eq!(
                parse_chunk_header(&v[..v.len() - 1], b, ExtendedRule::Absent),
                None
            );
        }
        // Exactly 0xFFFFFF also needs the extended field.
        let mut v = Vec::new();
        encode_chunk_header(0, 3, 0xFF_FFFF, 1, 1, 0, None, &mut v);
        assert_eq!(v.len(), 16);
    }

    #[test]
    fn fmt3_extended_timestamp_is_peeked() {
        let present = [0xc5, 0x01, 0x00, 0x00, 0x00, 0xaa];
        let b = parse_basic_header(&present).unwrap();
        let rule = ExtendedRule::Expect([0x0100_0000, 0x0100_0000]);
        let h = parse_chunk_header(&present, b, rule).unwrap();
        assert_eq!(
            (h.extended, h.extended_omitted, h.len),
            (Some(0x0100_0000), false, 5)
        );
        // Omitted by the sender: the 4 bytes are payload.
        let omitted = [0xc5, 0xaf, 0x01, 0x21, 0x00];
        let h = parse_chunk_header(&omitted, b, rule).unwrap();
        assert_eq!((h.extended, h.extended_omitted, h.len), (None, true, 1));
        // Undecidable until 4 bytes are there.
        assert_eq!(parse_chunk_header(&present[..4], b, rule), None);
    }
}
