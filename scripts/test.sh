#!/usr/bin/env bash
# Sets up what the tests need (skipping what is already installed) and runs every test:
# formatting, lints (native and wasm32), the wasm32 library build, unit, integration and doc tests.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

step() { printf '\n==> %s\n' "$*"; }

ensure_rust_components
ensure_wasm_target
ensure_ffmpeg

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, all targets)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo clippy (wasm32 library)"
cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings

step "cargo build --lib --target wasm32-unknown-unknown"
cargo build --lib --target wasm32-unknown-unknown --locked

step "cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --all-targets --locked 2>&1 | tee "$log"
cargo test --doc --locked 2>&1 | tee -a "$log"

step "the crate without the CLI, its docs, and the example"
cargo build --lib --no-default-features --locked
if cargo tree --no-default-features -e normal --prefix none | grep -Eq '^(clap|anyhow) '; then
  echo "the library without default features depends on clap or anyhow" >&2
  exit 1
fi
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
cargo run --quiet --example ci_check --locked

# One closing line over every test binary, so CI reads the real totals.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "\nrust tests: %d passed, %d failed\n", p, f }' "$log"
