//! The FLV container: a 9-byte header, then tags, each followed by the size of the tag before.

use std::io::Write;

/// FLV tag types (the same numbers as the RTMP message types).
pub const TAG_AUDIO: u8 = 8;
pub const TAG_VIDEO: u8 = 9;
pub const TAG_SCRIPT: u8 = 18;

/// Bytes of a tag header.
pub const TAG_HEADER_LEN: usize = 11;
/// Largest tag body: the size field has 24 bits.
pub const MAX_TAG_DATA: usize = 0xff_ffff;

/// Writes an FLV file: [`FlvWriter::new`] writes the header, [`FlvWriter::tag`] each tag.
///
/// ```
/// use rtmpscope::export::flv::{FlvWriter, TAG_AUDIO};
///
/// let mut flv = FlvWriter::new(Vec::new(), true, false)?;
/// flv.tag(TAG_AUDIO, 40, &[0xaf, 0x01, 0x21])?;
/// let bytes = flv.into_inner();
/// assert_eq!(&bytes[..5], b"FLV\x01\x04");
/// // Header (9) + PreviousTagSize0 (4) + tag header (11) + data (3) + PreviousTagSize (4).
/// assert_eq!(bytes.len(), 31);
/// assert_eq!(&bytes[27..], &14u32.to_be_bytes());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FlvWriter<W: Write> {
    out: W,
    bytes: u64,
}

impl<W: Write> FlvWriter<W> {
    /// Writes the file header with the audio/video flags, and PreviousTagSize0.
    pub fn new(mut out: W, has_audio: bool, has_video: bool) -> std::io::Result<Self> {
        let flags = (u8::from(has_audio) << 2) | u8::from(has_video);
        let mut header = [0u8; 13];
        header[..3].copy_from_slice(b"FLV");
        header[3] = 1;
        header[4] = flags;
        header[5..9].copy_from_slice(&9u32.to_be_bytes());
        out.write_all(&header)?;
        Ok(FlvWriter { out, bytes: 13 })
    }

    /// Writes one tag. `timestamp` is in ms (the upper 8 bits go to the extension byte).
    /// Data longer than 24 bits can say is refused.
    pub fn tag(&mut self, tag_type: u8, timestamp: u32, data: &[u8]) -> std::io::Result<()> {
        if data.len() > MAX_TAG_DATA {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "FLV tag of {} bytes exceeds the 24-bit size field",
                    data.len()
                ),
            ));
        }
        let size = data.len() as u32;
        let ts = timestamp.to_be_bytes();
        let mut header = [0u8; TAG_HEADER_LEN];
        header[0] = tag_type;
        header[1..4].copy_from_slice(&size.to_be_bytes()[1..]);
        header[4..7].copy_from_slice(&ts[1..]);
        header[7] = ts[0];
        // Stream id: always 0.
        self.out.write_all(&header)?;
        self.out.write_all(data)?;
        self.out
            .write_all(&(TAG_HEADER_LEN as u32 + size).to_be_bytes())?;
        self.bytes += (TAG_HEADER_LEN + data.len() + 4) as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_and_tag_layout() {
        let mut w = FlvWriter::new(Vec::new(), true, true).unwrap();
        w.tag(TAG_VIDEO, 0x0123_4567, &[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(w.bytes_written(), 13 + 11 + 5 + 4);
        let b = w.into_inner();
        assert_eq!(&b[..13], b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00");
        let tag = &b[13..];
        assert_eq!(tag[0], 9);
        assert_eq!(&tag[1..4], &[0, 0, 5]);
        // Lower 24 bits, then the upper 8 in the extension byte.
        assert_eq!(&tag[4..8], &[0x23, 0x45, 0x67, 0x01]);
        assert_eq!(&tag[8..11], &[0, 0, 0]);
        assert_eq!(&tag[11..16], &[1, 2, 3, 4, 5]);
        assert_eq!(&tag[16..], &16u32.to_be_bytes());
    }

    #[test]
    fn flags_and_size_limit() {
        let b = FlvWriter::new(Vec::new(), false, true)
            .unwrap()
            .into_inner();
        assert_eq!(b[4], 0x01);
        let mut w = FlvWriter::new(Vec::new(), false, false).unwrap();
        assert!(w.tag(TAG_SCRIPT, 0, &vec![0; MAX_TAG_DATA + 1]).is_err());
        assert_eq!(w.bytes_written(), 13);
    }
}
