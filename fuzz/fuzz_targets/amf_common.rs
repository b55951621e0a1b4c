//! What the `amf0` and `amf3` targets both check, for their encoding: every value decodes
//! without panicking and renders (summary, tree, JSON), and so do the command, data and shared
//! object bodies made of the input.

// Each target uses one of the two encodings.
#![allow(dead_code)]

use rtmpscope::amf::{
    decode_amf0_all, decode_amf3_all, decode_message_body, render_tree, summarize, AmfError,
    AmfLimits, AmfValue,
};
use rtmpscope::rtmp::message::{
    decode_body, TYPE_COMMAND_AMF0, TYPE_COMMAND_AMF3, TYPE_DATA_AMF0, TYPE_DATA_AMF3,
    TYPE_SHARED_OBJECT_AMF0, TYPE_SHARED_OBJECT_AMF3,
};

/// One AMF encoding: how to decode its values, and the message types whose bodies use it.
pub struct Encoding {
    amf3: bool,
    decode_all: fn(&[u8], AmfLimits) -> (Vec<AmfValue>, Option<AmfError>),
    body_types: [u8; 3],
}

pub const AMF0: Encoding = Encoding {
    amf3: false,
    decode_all: decode_amf0_all,
    body_types: [TYPE_COMMAND_AMF0, TYPE_DATA_AMF0, TYPE_SHARED_OBJECT_AMF0],
};

pub const AMF3: Encoding = Encoding {
    amf3: true,
    decode_all: decode_amf3_all,
    body_types: [TYPE_COMMAND_AMF3, TYPE_DATA_AMF3, TYPE_SHARED_OBJECT_AMF3],
};

pub fn check(data: &[u8], encoding: &Encoding) {
    // Tighter than the defaults, so that no input makes one run slow.
    let limits = AmfLimits {
        max_values: 10_000,
        max_bytes: 1 << 20,
        ..AmfLimits::default()
    };
    for v in (encoding.decode_all)(data, limits).0 {
        let _ = summarize(&v, 80);
        let _ = render_tree(&v);
        let _ = serde_json::to_string(&v);
    }
    let _ = decode_message_body(data, encoding.amf3, limits);
    for type_id in encoding.body_types {
        let _ = decode_body(type_id, data, 0);
    }
}
