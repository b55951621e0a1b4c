//! Bounds-checked big-endian reads over a byte slice, shared by the AMF0 and AMF3 decoders.

use super::AmfError;

#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.data.len());
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn peek_u8(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// The next `n` bytes, without copying. Fails before reading anything when fewer remain,
    /// so a hostile length never turns into an allocation.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], AmfError> {
        let remaining = self.remaining();
        if n > remaining {
            return Err(AmfError::Truncated {
                offset: self.pos,
                needed: n - remaining,
            });
        }
        let bytes = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or(AmfError::Truncated {
                offset: self.pos,
                needed: n,
            })?;
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], AmfError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, AmfError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, AmfError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i16(&mut self) -> Result<i16, AmfError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, AmfError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, AmfError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, AmfError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// `n` bytes as text. AMF says UTF-8; invalid sequences become U+FFFD rather than failing
    /// the whole message, since an analyzer should still show what was sent.
    pub(crate) fn utf8(&mut self, n: usize) -> Result<String, AmfError> {
        let bytes = self.take(n)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_reports_shortfall() {
        let mut cur = Cursor::new(&[0x01, 0x02, 0x03, 0xff, 0xfe]);
        assert_eq!(cur.u16(), Ok(0x0102));
        assert_eq!(cur.peek_u8(), Some(0x03));
        assert_eq!(
            cur.u32(),
            Err(AmfError::Truncated {
                offset: 2,
                needed: 1
            })
        );
        assert_eq!(cur.pos(), 2, "a failed read consumes nothing");
        assert_eq!(cur.u8(), Ok(0x03));
        assert_eq!(cur.i16(), Ok(-2));
        assert!(cur.is_empty());
        assert_eq!(
            cur.take(usize::MAX),
            Err(AmfError::Truncated {
                offset: 5,
                needed: usize::MAX
            })
        );
        cur.seek(100);
        assert_eq!(cur.pos(), 5);
    }
}
