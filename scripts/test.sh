#!/usr/bin/env bash
# Sets up what the tests need (skipping what is already installed) and runs every test:
# formatting, lints (native and wasm32), the wasm32 library build, unit, integration and doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

step() { printf '\n==> %s\n' "$*"; }

ensure_rust_components
ensure_wasm_target

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, all targets)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo clippy (wasm32 library)"
cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings

step "cargo build --lib --target wasm32-unknown-unknown"
cargo build --lib --target wasm32-unknown-unknown --locked

step "cargo test"
cargo test --all-targets --locked
cargo test --doc --locked
