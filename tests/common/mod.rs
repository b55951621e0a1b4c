//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod tshark;

use std::path::PathBuf;

/// Path of a fixture under tests/data.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}
