//! The AMF payload of RTMP command (20, 17) and data (18, 15) messages.

use super::{amf0, Amf0Reader, AmfError, AmfLimits, AmfValue};

/// How the values of a message body were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// AMF0 values; each AVM+ marker (0x11) carries exactly one AMF3 value (the AMF0 spec,
    /// Flash Player, Red5).
    Amf0,
    /// AMF0 values until the first top-level AVM+ marker, AMF3 values after it. This is how
    /// Wireshark reads such bodies; some encoders write them this way too. Only chosen when the
    /// per-value reading fails and this reading decodes the whole body.
    Amf0ThenAmf3,
}

/// Values decoded from a command or data message body.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedBody {
    pub values: Vec<AmfValue>,
    /// Set when the body did not decode to the end; `values` holds what decoded before.
    pub error: Option<AmfError>,
    /// True when a leading AMF3 format byte (0x00) was skipped.
    pub format_byte: bool,
    pub encoding: BodyEncoding,
}

/// Decodes the body of a command or data message.
///
/// For the AMF3 types (17, 15) the body starts with a format byte (0x00) before ordinary AMF0
/// values that may switch to AMF3 (librtmp, Red5 and Wireshark all skip it). A body that does
/// not start with 0x00 is read from its first byte, for encoders that leave the byte out.
pub fn decode_message_body(body: &[u8], amf3: bool, limits: AmfLimits) -> DecodedBody {
    let start = usize::from(amf3 && body.first() == Some(&0x00));
    let (values, error, first_switch) = decode_per_value(body, start, limits);
    let mut decoded = DecodedBody {
        values,
        error,
        format_byte: start == 1,
        encoding: BodyEncoding::Amf0,
    };
    if let (Some(_), Some(switch_at)) = (&decoded.error, first_switch) {
        let (values, error) = decode_sticky(body, start, switch_at, limits);
        if error.is_none() {
            decoded.values = values;
            decoded.error = None;
            decoded.encoding = BodyEncoding::Amf0ThenAmf3;
        }
    }
    decoded
}

/// Per-value switching. Also reports where the first top-level AVM+ marker was.
fn decode_per_value(
    body: &[u8],
    start: usize,
    limits: AmfLimits,
) -> (Vec<AmfValue>, Option<AmfError>, Option<usize>) {
    let mut reader = Amf0Reader::new(body, limits);
    let mut values = Vec::new();
    let mut first_switch = None;
    if let Err(e) = reader.read_bytes(start) {
        return (values, Some(e), None);
    }
    while !reader.is_empty() {
        if reader.peek_u8() == Some(amf0::AVMPLUS) && first_switch.is_none() {
            first_switch = Some(reader.position());
        }
        match reader.read_value() {
            Ok(v) => values.push(v),
            Err(e) => return (values, Some(e), first_switch),
        }
    }
    (values, None, first_switch)
}

fn decode_sticky(
    body: &[u8],
    start: usize,
    switch_at: usize,
    limits: AmfLimits,
) -> (Vec<AmfValue>, Option<AmfError>) {
    let mut reader = Amf0Reader::new(body, limits);
    let mut values = Vec::new();
    if let Err(e) = reader.read_bytes(start) {
        return (values, Some(e));
    }
    while reader.position() < switch_at {
        match reader.read_value() {
            Ok(v) => values.push(v),
            Err(e) => return (values, Some(e)),
        }
    }
    if let Err(e) = reader.read_u8() {
        return (values, Some(e));
    }
    while !reader.is_empty() {
        match reader.read_amf3_value() {
            Ok(v) => values.push(v),
            Err(e) => return (values, Some(e)),
        }
    }
    (values, None)
}
