//! Byte and bit readers shared by the record decoders. Every read is checked: running off the end
//! is a [`CodecError`] naming the record and field, never a panic, and no read allocates.

use super::CodecError;

/// Reads big-endian fields from a byte slice, front to back.
#[derive(Debug, Clone)]
pub(crate) struct ByteReader<'a> {
    record: &'static str,
    data: &'a [u8],
    offset: usize,
}

impl<'a> ByteReader<'a> {
    pub(crate) fn new(record: &'static str, data: &'a [u8]) -> Self {
        ByteReader {
            record,
            data,
            offset: 0,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.offset)
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.data.get(self.offset..).unwrap_or_default()
    }

    pub(crate) fn take(&mut self, len: usize, field: &'static str) -> Result<&'a [u8], CodecError> {
        let slice = self
            .offset
            .checked_add(len)
            .and_then(|end| self.data.get(self.offset..end))
            .ok_or(CodecError::Truncated {
                record: self.record,
                field,
                offset: self.offset,
                needed: len,
                available: self.remaining(),
            })?;
        self.offset += len;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    pub(crate) fn u16_le(&mut self, field: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    pub(crate) fn u24(&mut self, field: &'static str) -> Result<u32, CodecError> {
        let [a, b, c] = self.array(field)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    pub(crate) fn u32_le(&mut self, field: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }
}

/// Reads MSB-first bit fields, including the exp-Golomb codes of H.264/HEVC.
#[derive(Debug, Clone)]
pub(crate) struct BitReader<'a> {
    record: &'static str,
    data: &'a [u8],
    /// Position in bits from the start of `data`.
    bit: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(record: &'static str, data: &'a [u8]) -> Self {
        BitReader {
            record,
            data,
            bit: 0,
        }
    }

    pub(crate) fn bits_left(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.bit)
    }

    fn exhausted(&self, field: &'static str) -> CodecError {
        CodecError::BitsExhausted {
            record: self.record,
            field,
        }
    }

    pub(crate) fn flag(&mut self, field: &'static str) -> Result<bool, CodecError> {
        let byte = self
            .data
            .get(self.bit / 8)
            .ok_or_else(|| self.exhausted(field))?;
        let set = byte & (0x80 >> (self.bit % 8)) != 0;
        self.bit += 1;
        Ok(set)
    }

    /// Reads `count` bits as an unsigned number; counts above 32 read 32.
    pub(crate) fn bits(&mut self, count: u32, field: &'static str) -> Result<u32, CodecError> {
        Ok(self.bits_u64(count.min(32), field)? as u32)
    }

    /// Reads `count` bits (at most 64) as an unsigned number.
    pub(crate) fn bits_u64(&mut self, count: u32, field: &'static str) -> Result<u64, CodecError> {
        let count = count.min(64);
        if self.bits_left() < count as usize {
            return Err(self.exhausted(field));
        }
        let mut value = 0u64;
        for _ in 0..count {
            value = (value << 1) | u64::from(self.flag(field)?);
        }
        Ok(value)
    }

    pub(crate) fn u8(&mut self, count: u32, field: &'static str) -> Result<u8, CodecError> {
        Ok(self.bits(count.min(8), field)? as u8)
    }

    pub(crate) fn skip(&mut self, count: usize, field: &'static str) -> Result<(), CodecError> {
        if self.bits_left() < count {
            return Err(self.exhausted(field));
        }
        self.bit += count;
        Ok(())
    }

    /// Skips to the next byte boundary.
    pub(crate) fn align(&mut self) {
        self.bit = self.bit.div_ceil(8) * 8;
    }

    /// Counts zero bits up to the next one bit (consumed), refusing more than `max` zeros.
    fn leading_zeros(&mut self, max: u32, field: &'static str) -> Result<u32, CodecError> {
        let mut zeros = 0u32;
        while !self.flag(field)? {
            zeros += 1;
            if zeros > max {
                return Err(CodecError::ExpGolombTooLong {
                    record: self.record,
                    field,
                });
            }
        }
        Ok(zeros)
    }

    /// ue(v): unsigned exp-Golomb. 31 leading zeros (values up to 2^32 - 2) is the most a u32 holds.
    pub(crate) fn ue(&mut self, field: &'static str) -> Result<u32, CodecError> {
        let zeros = self.leading_zeros(31, field)?;
        let suffix = self.bits(zeros, field)?;
        Ok(((1u64 << zeros) - 1 + u64::from(suffix)) as u32)
    }

    /// se(v): signed exp-Golomb (1, -1, 2, -2, ... for codes 1, 2, 3, 4, ...).
    pub(crate) fn se(&mut self, field: &'static str) -> Result<i64, CodecError> {
        let code = i64::from(self.ue(field)?);
        Ok(if code % 2 == 1 {
            (code + 1) / 2
        } else {
            -(code / 2)
        })
    }

    /// AV1 uvlc(): like ue(v) but 32 leading zeros mean 2^32 - 1. Anything longer is refused
    /// rather than scanned to the end, as the spec's decoder loop would.
    pub(crate) fn uvlc(&mut self, field: &'static str) -> Result<u32, CodecError> {
        let zeros = self.leading_zeros(32, field)?;
        if zeros >= 32 {
            return Ok(u32::MAX);
        }
        let suffix = self.bits(zeros, field)?;
        Ok(((1u64 << zeros) - 1 + u64::from(suffix)) as u32)
    }
}

/// Removes emulation-prevention bytes (the `03` in `00 00 03`) from a NAL unit's payload, giving
/// its RBSP. The output is never longer than the input.
pub(crate) fn unescape_rbsp(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0usize;
    for &byte in nal {
        if zeros >= 2 && byte == 3 {
            zeros = 0;
            continue;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        out.push(byte);
    }
    out
}

/// Reads an AV1 leb128() value: at most 8 bytes, and the value must fit in 32 bits.
pub(crate) fn read_leb128(
    reader: &mut ByteReader<'_>,
    field: &'static str,
) -> Result<u32, CodecError> {
    let mut value = 0u64;
    for i in 0..8 {
        let byte = reader.u8(field)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return u32::try_from(value).map_err(|_| CodecError::OutOfRange {
                record: "AV1 OBU",
                field,
                value,
                limit: "2^32 - 1",
            });
        }
    }
    Err(CodecError::OutOfRange {
        record: "AV1 OBU",
        field,
        value,
        limit: "8 leb128 bytes",
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_values() {
        // 1 | 010 | 011 | 00100 | 00101 -> 0, 1, 2, 3, 4 (as se: 0, 1, -1, 2, -2)
        let data = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = BitReader::new("test", &data);
        assert_eq!(
            (0..5).map(|_| r.ue("v").unwrap()).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
        let mut r = BitReader::new("test", &data);
        assert_eq!(
            (0..5).map(|_| r.se("v").unwrap()).collect::<Vec<_>>(),
            [0, 1, -1, 2, -2]
        );
    }

    #[test]
    fn exp_golomb_longest_and_too_long() {
        // 31 zeros, a one, 31 ones: 2^32 - 2.
        let mut bits = vec![false; 31];
        bits.push(true);
        bits.extend([true; 31]);
        let data = pack(&bits);
        assert_eq!(BitReader::new("t", &data).ue("v").unwrap(), u32::MAX - 1);

        let mut zeros40 = vec![false; 40];
        zeros40.push(true);
        zeros40.extend([false; 40]);
        let data = pack(&zeros40);
        let err = BitReader::new("t", &data).ue("v").unwrap_err();
        assert!(matches!(
            err,
            CodecError::ExpGolombTooLong { field: "v", .. }
        ));
        assert!(BitReader::new("t", &data).uvlc("v").is_err());
        // All zeros to the end: exhausted or too long, never a hang or a panic.
        assert!(BitReader::new("t", &[0u8; 2]).ue("v").is_err());
        assert!(BitReader::new("t", &[0u8; 64]).se("v").is_err());
    }

    #[test]
    fn uvlc_32_zeros_is_max() {
        let mut bits = vec![false; 32];
        bits.push(true);
        assert_eq!(
            BitReader::new("t", &pack(&bits)).uvlc("v").unwrap(),
            u32::MAX
        );
    }

    #[test]
    fn fixed_width_reads_and_exhaustion() {
        let mut r = BitReader::new("t", &[0xAB, 0xCD]);
        assert_eq!(r.bits(4, "a").unwrap(), 0xA);
        assert_eq!(r.bits(8, "b").unwrap(), 0xBC);
        assert_eq!(r.bits_left(), 4);
        assert!(r.bits(5, "c").is_err());
        assert_eq!(r.bits(4, "d").unwrap(), 0xD);
        assert!(r.flag("e").is_err());
    }

    #[test]
    fn rbsp_unescape() {
        assert_eq!(
            unescape_rbsp(&[0, 0, 3, 1, 0, 0, 3, 0, 3]),
            [0, 0, 1, 0, 0, 0, 3]
        );
        assert_eq!(unescape_rbsp(&[0, 0, 3, 0, 0, 3]), [0, 0, 0, 0]);
    }

    #[test]
    fn leb128_bounds() {
        let mut r = ByteReader::new("t", &[0x96, 0x01]);
        assert_eq!(read_leb128(&mut r, "size").unwrap(), 150);
        let mut r = ByteReader::new("t", &[0xff; 9]);
        assert!(read_leb128(&mut r, "size").is_err());
        let mut r = ByteReader::new("t", &[0x80, 0x80, 0x80, 0x80, 0x10]);
        assert!(read_leb128(&mut r, "size").is_err());
        let mut r = ByteReader::new("t", &[0x80]);
        assert!(read_leb128(&mut r, "size").is_err());
    }

    fn pack(bits: &[bool]) -> Vec<u8> {
        bits.chunks(8)
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << (7 - i)))
            })
            .collect()
    }
}
