//! rtmpscope: an RTMP protocol analyzer.
//!
//! The pipeline runs one way, each stage in its own module:
//! capture bytes ([`capture`]) → link/IP/TCP headers ([`net`]) → reassembled TCP byte streams
//! ([`tcp`]) → RTMP handshake, chunks and messages ([`rtmp`], with [`amf`] for AMF0/AMF3 bodies)
//! → the analysis report ([`analysis`]).
//!
//! The library has no web dependency and builds for native targets and `wasm32-unknown-unknown`.

pub mod amf;
pub mod analysis;
pub mod capture;
pub mod check;
pub mod codec;
pub mod diagnostic;
pub mod export;
pub mod net;
pub mod rtmp;
pub mod synth;
pub mod tcp;

#[cfg(not(target_arch = "wasm32"))]
pub use analysis::analyze_path;
pub use analysis::{analyze_bytes, Analyzer, AnalyzerOptions, Report};
