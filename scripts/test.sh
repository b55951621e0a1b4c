#!/usr/bin/env bash
# Sets up what the tests need (skipping what is already installed) and runs every test:
# formatting, lints (native and wasm32), the wasm32 library build, unit, integration and doc tests,
# then the web app: its release build with Trunk, browser tests of its components and worker
# (wasm-bindgen-test in headless Chromium) and end-to-end tests (Playwright driving Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

step() { printf '\n==> %s\n' "$*"; }

ensure_rust_components
ensure_wasm_target
ensure_web_tools

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, all targets)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo clippy (wasm32 library)"
cargo clippy --lib --target wasm32-unknown-unknown --locked -- -D warnings

# The web app's targets. (--all-targets would include the native-only integration tests.)
web_targets=(--bin rtmpscope-web --bin rtmpscope-worker --test web_components --test web_worker)
step "cargo clippy (wasm32 web app and its browser tests)"
cargo clippy --target wasm32-unknown-unknown --no-default-features --lib "${web_targets[@]}" \
  --locked -- -D warnings

step "cargo build --lib --target wasm32-unknown-unknown"
cargo build --lib --target wasm32-unknown-unknown --locked

step "cargo test"
cargo test --all-targets --locked
cargo test --doc --locked

step "web app: trunk build --release=true"
trunk build --release=true
for f in dist/*.wasm; do
  printf '%s: %s bytes, %s gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done

step "web app: browser tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown \
  --no-default-features --test web_components --test web_worker --locked

step "web app: end-to-end tests (Playwright, Chromium)"
cargo build --locked --bin rtmpscope
RTMPSCOPE_BIN="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/rtmpscope" \
  node --test tests/web/*.mjs
