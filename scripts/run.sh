#!/usr/bin/env bash
# The main job: serves the web app with `trunk serve` on http://127.0.0.1:8080/ (open it and click
# "Try the sample", or drop a capture on the page). With a capture file as argument, prints the
# CLI's analysis of it instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
if [ $# -gt 0 ]; then
  cargo build --release --locked --bin rtmpscope
  exec ./target/release/rtmpscope summary "$1"
fi
ensure_web_tools
echo "rtmpscope web app: http://127.0.0.1:8080/  (\"Try the sample\" loads www/sample-ffmpeg-publish.pcap)"
exec trunk serve
