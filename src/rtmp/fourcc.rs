//! An Enhanced RTMP FourCC held inline (no heap), so that a media message's record stays small.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Four bytes shown as four characters (each byte as the Unicode code point of the same value,
/// as before: `avc1`, `Opus`, or an odd byte as its Latin-1 character). Reads as a `&str`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc {
    /// The UTF-8 text: at most 2 bytes per character.
    utf8: [u8; 8],
    len: u8,
}

impl FourCc {
    /// The FourCC of the first four bytes (fewer if `bytes` is shorter).
    pub fn from_bytes(bytes: &[u8]) -> FourCc {
        let mut utf8 = [0u8; 8];
        let mut len = 0usize;
        for &b in bytes.iter().take(4) {
            let mut buf = [0u8; 2];
            let encoded = char::from(b).encode_utf8(&mut buf);
            for &e in encoded.as_bytes() {
                if let Some(slot) = utf8.get_mut(len) {
                    *slot = e;
                    len += 1;
                }
            }
        }
        FourCc {
            utf8,
            len: len as u8,
        }
    }

    /// A FourCC from its text; `None` if the text does not fit (more than 8 UTF-8 bytes).
    pub fn from_text(text: &str) -> Option<FourCc> {
        let mut utf8 = [0u8; 8];
        utf8.get_mut(..text.len())?.copy_from_slice(text.as_bytes());
        Some(FourCc {
            utf8,
            len: text.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        // Built from whole characters only (from_bytes, from_text), so always valid.
        let bytes = self.utf8.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl Deref for FourCc {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for FourCc {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for FourCc {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FourCc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FourCc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        FourCc::from_text(&text)
            .ok_or_else(|| serde::de::Error::custom("a FourCC has at most 4 characters"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_text() {
        let f = FourCc::from_bytes(b"hvc1rest");
        assert_eq!(f.as_str(), "hvc1");
        assert_eq!(f, "hvc1");
        assert_eq!(serde_json::to_string(&f).unwrap(), r#""hvc1""#);
        assert_eq!(serde_json::from_str::<FourCc>(r#""hvc1""#).unwrap(), f);
        // Bytes above 0x7f are their Latin-1 characters, two UTF-8 bytes each.
        let odd = FourCc::from_bytes(&[0xff, b'a', 0xe9, 0x80]);
        assert_eq!(odd.as_str(), "\u{ff}a\u{e9}\u{80}");
        assert_eq!(FourCc::from_bytes(b"ab").as_str(), "ab");
        assert!(FourCc::from_text("too long!").is_none());
        assert_eq!(std::mem::size_of::<Option<FourCc>>(), 10);
    }
}
