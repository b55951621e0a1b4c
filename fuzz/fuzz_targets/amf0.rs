//! AMF0 values and command/data/shared-object bodies: never panics, and decoded values render.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "amf_common.rs"]
mod amf_common;

fuzz_target!(|data: &[u8]| amf_common::check(data, &amf_common::AMF0));
