//! Just enough AMF0 encoding for the commands and data messages a publisher and server send.

/// An AMF0 value to encode.
#[derive(Debug, Clone)]
pub(crate) enum Amf {
    Number(f64),
    Bool(bool),
    Str(&'static str),
    String(String),
    Null,
    Object(Vec<(&'static str, Amf)>),
    EcmaArray(Vec<(&'static str, Amf)>),
}

fn put_key(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key.as_bytes());
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.push(0x02);
    put_key(out, s);
}

impl Amf {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Amf::Number(n) => {
                out.push(0x00);
                out.extend_from_slice(&n.to_be_bytes());
            }
            Amf::Bool(b) => out.extend_from_slice(&[0x01, u8::from(*b)]),
            Amf::Str(s) => put_string(out, s),
            Amf::String(s) => put_string(out, s),
            Amf::Null => out.push(0x05),
            Amf::Object(props) => {
                out.push(0x03);
                Self::properties(out, props);
            }
            Amf::EcmaArray(props) => {
                out.push(0x08);
                out.extend_from_slice(&(props.len() as u32).to_be_bytes());
                Self::properties(out, props);
            }
        }
    }

    fn properties(out: &mut Vec<u8>, props: &[(&'static str, Amf)]) {
        for (key, value) in props {
            put_key(out, key);
            value.encode(out);
        }
        out.extend_from_slice(&[0x00, 0x00, 0x09]);
    }
}

/// A whole command or data body: the values one after the other.
pub(crate) fn body(values: &[Amf]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    for v in values {
        v.encode(&mut out);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::amf::{decode_message_body, AmfLimits, AmfValue};

    #[test]
    fn round_trips_through_the_decoder() {
        let bytes = body(&[
            Amf::Str("connect"),
            Amf::Number(1.0),
            Amf::Object(vec![("app", Amf::Str("live")), ("ok", Amf::Bool(true))]),
            Amf::Null,
            Amf::EcmaArray(vec![("width", Amf::Number(1280.0))]),
            Amf::String("x".into()),
        ]);
        let decoded = decode_message_body(&bytes, false, AmfLimits::default());
        assert!(decoded.error.is_none(), "{:?}", decoded.error);
        let values = decoded.values;
        assert_eq!(values.len(), 6);
        assert_eq!(values[0].as_str(), Some("connect"));
        assert_eq!(
            values[2].get("app").and_then(AmfValue::as_str),
            Some("live")
        );
        assert_eq!(
            values[4].get("width").and_then(AmfValue::as_f64),
            Some(1280.0)
        );
    }
}
