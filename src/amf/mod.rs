//! AMF0 and AMF3 decoding into one [`AmfValue`] type.
//!
//! INTERFACE STUB: the signatures below are the contract the RTMP layer codes against; the
//! bodies are placeholders until the AMF decoders land.

mod value;

pub use value::AmfValue;

/// Bounds that keep hostile input from exhausting the stack or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmfLimits {
    /// Maximum nesting of objects/arrays.
    pub max_depth: usize,
    /// Maximum number of values (of any kind, nested included) decoded by one reader.
    pub max_values: usize,
}

impl Default for AmfLimits {
    fn default() -> Self {
        AmfLimits {
            max_depth: 64,
            max_values: 100_000,
        }
    }
}

/// Why an AMF value could not be decoded. `offset` is relative to the start of the buffer given
/// to the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmfError {
    #[error("AMF data ends early at byte {offset} (need {needed} more)")]
    Truncated { offset: usize, needed: usize },
    #[error("unknown AMF{version} marker 0x{marker:02x} at byte {offset}")]
    UnknownMarker {
        version: u8,
        marker: u8,
        offset: usize,
    },
    #[error("AMF nesting deeper than {limit} at byte {offset}")]
    TooDeep { limit: usize, offset: usize },
    #[error("more than {limit} AMF values at byte {offset}")]
    TooManyValues { limit: usize, offset: usize },
    #[error("invalid AMF data at byte {offset}: {reason}")]
    Invalid { offset: usize, reason: String },
}

/// Reads AMF0 values one after another from a buffer (the body of a command or data message).
pub struct Amf0Reader<'a> {
    data: &'a [u8],
    pos: usize,
    #[allow(dead_code)]
    limits: AmfLimits,
}

impl<'a> Amf0Reader<'a> {
    pub fn new(data: &'a [u8], limits: AmfLimits) -> Self {
        Amf0Reader {
            data,
            pos: 0,
            limits,
        }
    }

    /// Decodes the next value (marker included). An AVM+ marker (0x11) decodes one AMF3 value.
    pub fn read_value(&mut self) -> Result<AmfValue, AmfError> {
        Err(AmfError::Invalid {
            offset: self.pos,
            reason: "AMF0 decoder not implemented yet".into(),
        })
    }

    /// Reads a UTF-8 string without a marker: u16 big-endian length then bytes (shared-object
    /// names and keys use this form).
    pub fn read_short_string(&mut self) -> Result<String, AmfError> {
        Err(AmfError::Truncated {
            offset: self.pos,
            needed: 2,
        })
    }

    /// Byte position of the next value.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// Reads AMF3 values one after another, sharing one set of string/object/trait reference tables.
pub struct Amf3Reader<'a> {
    data: &'a [u8],
    pos: usize,
    #[allow(dead_code)]
    limits: AmfLimits,
}

impl<'a> Amf3Reader<'a> {
    pub fn new(data: &'a [u8], limits: AmfLimits) -> Self {
        Amf3Reader {
            data,
            pos: 0,
            limits,
        }
    }

    pub fn read_value(&mut self) -> Result<AmfValue, AmfError> {
        Err(AmfError::Invalid {
            offset: self.pos,
            reason: "AMF3 decoder not implemented yet".into(),
        })
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// Decodes every AMF0 value in `data`. On error, returns what decoded before it and the error.
pub fn decode_amf0_all(data: &[u8], limits: AmfLimits) -> (Vec<AmfValue>, Option<AmfError>) {
    let mut reader = Amf0Reader::new(data, limits);
    let mut values = Vec::new();
    while !reader.is_empty() {
        match reader.read_value() {
            Ok(v) => values.push(v),
            Err(e) => return (values, Some(e)),
        }
    }
    (values, None)
}
