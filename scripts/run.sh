#!/usr/bin/env bash
# The main job: builds rtmpscope and analyzes the bundled sample capture (an ffmpeg publish to
# nginx-rtmp). Pass a capture file to analyze that instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
capture=${1:-www/sample-ffmpeg-publish.pcap}
cargo build --release --locked --bin rtmpscope
./target/release/rtmpscope flows "$capture"
