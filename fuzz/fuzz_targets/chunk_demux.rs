//! The chunk-stream demuxer on raw bytes (after the handshake, mid-stream, or probing), in
//! pieces and with gaps the input chooses: never panics, memory stays within the configured
//! caps, and when the stream is fed without gaps the messages do not depend on how it is cut.
//! The harness is shared with the regression tests (tests/robust_support/fuzz_chunk.rs).
#![no_main]

#[path = "../../tests/robust_support/fuzz_chunk.rs"]
mod fuzz_chunk;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fuzz_chunk::check(data));
