//! [`FourCc`]: the four-byte codec tag of Enhanced RTMP (`avc1`, `hvc1`, `Opus`, ...).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A FourCC, held inline (Copy, 4 bytes) rather than as a `String`: one is in the tag header of
/// every Enhanced RTMP frame. Shown, and written into JSON, as text with one character per byte
/// (a byte above 0x7f is the character of the same number, as the report has always written
/// it); JSON text of four such characters reads back into the same bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    pub const AVC1: FourCc = FourCc(*b"avc1");
    pub const HVC1: FourCc = FourCc(*b"hvc1");

    /// The text of a FourCC: `None` unless it is four characters up to U+00FF.
    pub fn from_text(text: &str) -> Option<FourCc> {
        let mut bytes = [0u8; 4];
        let mut chars = text.chars();
        for byte in &mut bytes {
            *byte = u8::try_from(u32::from(chars.next()?)).ok()?;
        }
        chars.next().is_none().then_some(FourCc(bytes))
    }
}

impl From<[u8; 4]> for FourCc {
    fn from(bytes: [u8; 4]) -> Self {
        FourCc(bytes)
    }
}

impl PartialEq<str> for FourCc {
    fn eq(&self, text: &str) -> bool {
        FourCc::from_text(text) == Some(*self)
    }
}

impl PartialEq<&str> for FourCc {
    fn eq(&self, text: &&str) -> bool {
        *self == **text
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .iter()
            .try_for_each(|&b| fmt::Write::write_char(f, char::from(b)))
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc({:?})", self.to_string())
    }
}

impl Serialize for FourCc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FourCc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        FourCc::from_text(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "FourCC {text:?}: four characters up to U+00FF expected"
            ))
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_round_trip() {
        let avc = FourCc(*b"avc1");
        assert_eq!(avc.to_string(), "avc1");
        assert!(avc == "avc1" && avc != "avc" && avc != "avc12");
        assert_eq!(serde_json::to_string(&avc).unwrap(), r#""avc1""#);
        // Bytes above 0x7f are Latin-1 characters; control bytes are escaped by JSON.
        let odd = FourCc([0xff, 0x00, b'a', 0xe9]);
        let json = serde_json::to_string(&odd).unwrap();
        assert_eq!(json, r#""ÿ\u0000aé""#);
        assert_eq!(serde_json::from_str::<FourCc>(&json).unwrap(), odd);
        assert!(serde_json::from_str::<FourCc>(r#""avc""#).is_err());
        assert!(serde_json::from_str::<FourCc>(r#""av€1""#).is_err());
        assert_eq!(format!("{avc:?}"), r#"FourCc("avc1")"#);
        assert_eq!(std::mem::size_of::<Option<FourCc>>(), 5);
    }
}
