#!/usr/bin/env bash
# Sets up what the tests need (skipping what is already installed) and runs every test:
# formatting, lints (native and wasm32), the wasm32 library build, unit, integration and doc tests,
# then the web app: its release build with Trunk, browser tests of its components and worker
# (wasm-bindgen-test in headless Chromium) and end-to-end tests (Playwright driving Chromium).
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

step() { printf '\n==> %s\n' "$*"; }

ensure_rust_components
ensure_wasm_target
ensure_ffmpeg
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

step "web app: trunk build --release=true"
trunk build --release=true
for f in dist/*.wasm; do
  printf '%s: %s bytes, %s gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done

step "web app: browser tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown \
  --no-default-features --test web_components --test web_worker --locked 2>&1 | tee -a "$log"

step "web app: end-to-end tests (Playwright, Chromium)"
cargo build --locked --bin rtmpscope
target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
RTMPSCOPE_BIN="$target_dir/debug/rtmpscope" node --test tests/web/*.mjs 2>&1 | tee -a "$log"

# One closing line over every test binary and the browser tests, so CI reads the real totals.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^# pass / { p += $3 } /^# fail / { f += $3 }
     END { printf "\ntotal: %d passed, %d failed\n", p, f }' "$log"
