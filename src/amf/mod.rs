//! AMF0 and AMF3 decoding into one [`AmfValue`] type.
//!
//! * [`Amf0Reader`] decodes AMF0 values (command and data message bodies); an AVM+ marker
//!   (0x11) inside switches to AMF3 for exactly one value, as the AMF0 specification says.
//!   The AMF3 reference tables of one reader persist across switches (one message body is one
//!   reference scope: AMF3 spec, Red5, PyAMF).
//! * [`Amf3Reader`] decodes a pure AMF3 stream.
//! * [`decode_message_body`] handles what RTMP wraps around AMF in command/data messages: the
//!   AMF3 types' format byte, and bodies that switch to AMF3 for good after one 0x11.
//! * References (AMF0 object references, AMF3 string/object/trait references) are resolved into
//!   copies; a reference to a value that is still being decoded (a cycle) becomes
//!   [`AmfValue::UnresolvedReference`], a reference to an index never seen is an error.
//! * Hostile input is bounded by [`AmfLimits`]: nesting depth is checked before recursing,
//!   declared counts and lengths are checked against the bytes left before anything is
//!   allocated, and reference copies are charged against the value and memory budgets.
//! * [`render_tree`], [`summarize`] and friends turn values into text for the CLI.

// Input-derived data never panics here: no unwrap/expect, no unchecked indexing (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod amf0;
mod amf3;
mod body;
mod budget;
mod cursor;
mod render;
mod text;
mod value;

pub use amf0::Amf0Reader;
pub use amf3::Amf3Reader;
pub use body::{decode_message_body, BodyEncoding, DecodedBody};
pub use render::{render_tree, render_tree_at, summarize, summarize_all, summarize_call};
pub use value::AmfValue;

/// Bounds that keep hostile input from exhausting the stack or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmfLimits {
    /// Maximum nesting of objects/arrays (never more than 256, whatever is set here: deeper recursion
    /// could exhaust a 2 MiB thread stack in a debug build).
    pub max_depth: usize,
    /// Maximum number of values (of any kind, nested included, reference copies included)
    /// decoded by one reader.
    pub max_values: usize,
    /// Maximum memory, in approximate bytes, that one reader may hold in decoded values,
    /// reference copies and reference tables.
    pub max_bytes: usize,
}

impl Default for AmfLimits {
    fn default() -> Self {
        AmfLimits {
            max_depth: 64,
            max_values: 100_000,
            max_bytes: 64 << 20,
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
    #[error("decoded AMF data larger than {limit} bytes at byte {offset}")]
    TooLarge { limit: usize, offset: usize },
    #[error("invalid AMF data at byte {offset}: {reason}")]
    Invalid { offset: usize, reason: String },
}

impl AmfError {
    /// Byte offset where decoding failed.
    pub fn offset(&self) -> usize {
        match self {
            AmfError::Truncated { offset, .. }
            | AmfError::UnknownMarker { offset, .. }
            | AmfError::TooDeep { offset, .. }
            | AmfError::TooManyValues { offset, .. }
            | AmfError::TooLarge { offset, .. }
            | AmfError::Invalid { offset, .. } => *offset,
        }
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

/// Decodes every AMF3 value in `data`. On error, returns what decoded before it and the error.
pub fn decode_amf3_all(data: &[u8], limits: AmfLimits) -> (Vec<AmfValue>, Option<AmfError>) {
    let mut reader = Amf3Reader::new(data, limits);
    let mut values = Vec::new();
    while !reader.is_empty() {
        match reader.read_value() {
            Ok(v) => values.push(v),
            Err(e) => return (values, Some(e)),
        }
    }
    (values, None)
}
