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
