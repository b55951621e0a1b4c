//! AMF0 values and command/data bodies: never panics, and decoded values render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtmpscope::amf::{decode_message_body, render_tree, summarize, Amf0Reader, AmfLimits};

fuzz_target!(|data: &[u8]| {
    let limits = AmfLimits {
        max_values: 10_000,
        max_bytes: 1 << 20,
        ..AmfLimits::default()
    };
    let mut reader = Amf0Reader::new(data, limits);
    while !reader.is_empty() {
        match reader.read_value() {
            Ok(v) => {
                let _ = summarize(&v, 80);
                let _ = render_tree(&v);
                let _ = serde_json::to_string(&v);
            }
            Err(_) => break,
        }
    }
    let _ = decode_message_body(data, false, limits);
    let _ = rtmpscope::rtmp::message::decode_body(20, data, 0);
    let _ = rtmpscope::rtmp::message::decode_body(18, data, 0);
    let _ = rtmpscope::rtmp::message::decode_body(19, data, 0);
});
