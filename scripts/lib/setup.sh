# Install steps shared by the scripts. Each checks first, so a warm run costs seconds.
# Only crates.io, PyPI, Debian and npm are reachable from these machines: nothing here downloads
# from anywhere else.

if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  source "$HOME/.cargo/env"
fi

ensure_rust_components() {
  local have
  have=$(rustup component list --installed 2>/dev/null || true)
  for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$have"; then
      echo "installing rust component $c"
      rustup component add "$c"
    fi
  done
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# ffprobe and ffmpeg read the FLV files `rtmpscope export` writes (tests/export_flv.rs).
ensure_ffmpeg() {
  if ! command -v ffprobe >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1; then
    echo "installing ffmpeg (Debian package)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ffmpeg >/dev/null
  fi
}

# --- The web app's tools (Trunk, wasm-bindgen-cli, wasm-opt, Chromium, Playwright) ---
# Versions are pinned to what Trunk.toml and Cargo.lock name; Trunk runs offline, so none of
# them may be missing or different.

# The wasm-bindgen version Cargo.lock resolved: wasm-bindgen-cli must be exactly this.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_trunk() {
  local want=0.21.14
  if trunk --version 2>/dev/null | grep -q " $want\$"; then
    return
  fi
  echo "installing trunk $want (about 13 minutes on 2 cores)"
  # 0.22 needs a newer rustc; --locked keeps its dependency versions as released.
  cargo install trunk --version "$want" --locked
}

ensure_wasm_bindgen_cli() {
  local want
  want=$(wasm_bindgen_version)
  if [ -z "$want" ]; then
    echo "wasm-bindgen is not in Cargo.lock" >&2
    return 1
  fi
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$" \
    && wasm-bindgen-test-runner --version 2>/dev/null | grep -q " $want\$"; then
    return
  fi
  echo "installing wasm-bindgen-cli $want (about 5 minutes)"
  # Not --locked: its lock file names a webpki-roots version that is no longer published.
  cargo install wasm-bindgen-cli --version "$want" --force
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return
  fi
  echo "installing chromium and chromium-driver from Debian"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
}

# playwright-core (drives /usr/bin/chromium; never downloads a browser) and binaryen's wasm-opt.
ensure_node_modules() {
  if ! command -v npm >/dev/null; then
    echo "installing nodejs and npm from Debian"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm
  fi
  if [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/playwright-core/package.json ] \
    && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return
  fi
  echo "installing node modules (playwright-core, binaryen)"
  npm ci --no-audit --no-fund
}

# Everything `trunk build` and the browser tests need; puts wasm-opt on PATH.
ensure_web_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen_cli
  ensure_node_modules
  ensure_chromium
  PATH="$PWD/node_modules/.bin:$PATH"
  export PATH
}
