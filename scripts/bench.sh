#!/usr/bin/env bash
# Throughput and memory of rtmpscope against tshark and a bare pcap-parser loop (the floor), on a
# generated capture of at least 1 GiB and on the captures in tests/data. See README "Performance".
#
#   scripts/bench.sh [--size 1G] [--tshark-bytes N] [--runs N] [--no-tshark] [--no-synth] [--web] [FILE...]
#
# --size          size of the generated capture (default 1G; it is deleted afterwards)
# --tshark-bytes  run tshark on a prefix of at most N bytes of each file (cut at a packet
#                 boundary) and extrapolate its throughput; default 200M. 0 = whole files.
# --runs          runs per measurement; the best is kept (default 3)
# --web           also analyze the generated capture (or the first FILE) in the release web build
#                 in headless Chromium (scripts/bench-web.mjs) and print the wasm/native ratio
# FILE...         captures to measure instead of the tests/data ones
#
# Throughput is file bytes over CPU seconds (user + sys, from /usr/bin/time -v) of the best run:
# on a shared machine CPU time is steadier than wall time, which is shown too. Peak RSS is the
# largest resident set over the runs. Small files are analyzed many times in one measurement so
# that the 10 ms clock of `time` does not dominate.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

size=1G
tshark_bytes=$((200 * 1024 * 1024))
runs=3
use_tshark=1
use_synth=1
use_web=0
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --tshark-bytes) tshark_bytes=$(numfmt --from=iec "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-tshark) use_tshark=0; shift ;;
    --no-synth) use_synth=0; shift ;;
    --web) use_web=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  files=(tests/data/nginx-ffmpeg-publish.pcap tests/data/nginx-ffmpeg-publish-dumpcap.pcapng
         tests/data/nginx-ffmpeg-publish-lossy.pcap tests/data/nginx-gst-rtmpsink-publish.pcap
         tests/data/nginx-rtmpdump-play.pcap tests/data/nms-ffmpeg-publish.pcap)
fi

for tool in /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "bench.sh: needs $tool (apt-get install time python3)" >&2; exit 2; }
done
if [ "$use_tshark" = 1 ] && ! command -v tshark >/dev/null; then
  echo "bench.sh: tshark not found (apt-get install tshark); measuring without it" >&2
  use_tshark=0
fi

echo "==> building (release): rtmpscope and the pcap-parser floor"
cargo build --release --locked --bin rtmpscope --example pcap_floor
target=${CARGO_TARGET_DIR:-target}/release
rtmpscope=$target/rtmpscope
floor=$target/examples/pcap_floor

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure NAME REPEAT CMD...: runs CMD REPEAT times per run, $runs runs; sets cpu (seconds per
# single execution, best run), wall (same) and rss (KiB, largest).
measure() {
  local repeat=$1; shift
  local best_cpu="" best_wall="" max_rss=0 i
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -v -o "$tmp/time" bash -c 'for ((k = 0; k < '"$repeat"'; k++)); do "$@" >/dev/null 2>&1 || exit 1; done' _ "$@" \
      || { echo "bench.sh: failed: $*" >&2; exit 1; }
    read -r u s w r < <(awk -F': ' '
      /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {r=$2}
      /Elapsed \(wall clock\)/ { n=split($2, p, ":"); w = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
      END {print u, s, w, r}' "$tmp/time")
    local c
    c=$(awk -v u="$u" -v s="$s" -v n="$repeat" 'BEGIN {printf "%.6f", (u + s) / n}')
    w=$(awk -v w="$w" -v n="$repeat" 'BEGIN {printf "%.6f", w / n}')
    if [ -z "$best_cpu" ] || awk -v a="$c" -v b="$best_cpu" 'BEGIN {exit !(a < b)}'; then best_cpu=$c; fi
    if [ -z "$best_wall" ] || awk -v a="$w" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then best_wall=$w; fi
    [ "$r" -gt "$max_rss" ] && max_rss=$r
  done
  cpu=$best_cpu wall=$best_wall rss=$max_rss
}

# Repeats so that one measurement of a small file lasts about a second.
repeats_for() {
  local bytes=$1 per_sec=$2
  awk -v b="$bytes" -v r="$per_sec" 'BEGIN {n = int(r / (b + 1)); if (n < 1) n = 1; if (n > 200) n = 200; print n}'
}

# cut_prefix IN OUT MAX: the packets of IN that end within MAX bytes (legacy pcap only).
cut_prefix() {
  python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, 'rb') as f, open(dst, 'wb') as out:
    header = f.read(24)
    order = '<' if header[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    out.write(header)
    size = 24
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            break
        caplen = struct.unpack(order + 'I', rec[8:12])[0]
        if size + 16 + caplen > limit:
            break
        out.write(rec + f.read(caplen))
        size += 16 + caplen
EOF
}

row() { # tool cpu wall rss bytes messages note
  awk -v t="$1" -v c="$2" -v w="$3" -v r="$4" -v b="$5" -v m="$6" -v note="$7" 'BEGIN {
    mbs = (c > 0) ? b / 1048576 / c : 0; mps = (c > 0 && m != "") ? m / c : 0
    printf "  %-11s %9.3f %9.3f %10.1f %12s %9.1f  %s\n", t, c, w, mbs, (m == "" ? "-" : sprintf("%.0f", mps)), r / 1024, note }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

if [ "$use_synth" = 1 ]; then
  synth=$tmp/synth-$size.pcap
  echo "==> generating $synth (rtmpscope generate --size $size --seed 1)"
  "$rtmpscope" generate "$synth" --size "$size" --seed 1
  files=("$synth" "${files[@]}")
fi

echo
echo "CPU s and wall s per analysis (best of $runs runs); MB = MiB; MB/s and msg/s over CPU time;"
echo "peak RSS in MiB. rtmpscope runs \`rtmpscope summary FILE\` (the table: the analysis keeps no"
echo "message list, AnalyzerOptions::keep_messages off; README \"Per-message memory\"); tshark runs"
echo "\`tshark -r FILE -o rtmpt.max_packet_size:16777215 -d tcp.port==1936,rtmpt -Y rtmpt -T fields -e rtmpt.header.typeid -e rtmpt.header.format\`"
echo "(tshark counts fewer messages on the lossy capture: it needs tcp.reassemble_out_of_order);"
echo "the floor is examples/pcap_floor.rs (pcap-parser, touches each packet)."
summary_lines=()
for file in "${files[@]}"; do
  bytes=$(stat -c %s "$file")
  name=$(basename "$file")
  echo
  printf '%s  (%.1f MiB)\n' "$name" "$(awk -v b="$bytes" 'BEGIN {print b / 1048576}')"
  printf '  %-11s %9s %9s %10s %12s %9s\n' tool "CPU s" "wall s" "MB/s" "msg/s" "RSS MiB"
  messages=$("$rtmpscope" summary "$file" | sed -n 's/.* \([0-9][0-9]*\) RTMP message(s).*/\1/p')
  rep=$(repeats_for "$bytes" 200000000)
  measure "$rep" "$rtmpscope" summary "$file"
  r_cpu=$cpu
  row rtmpscope "$cpu" "$wall" "$rss" "$bytes" "$messages" "$messages messages"

  f_cpu=""
  if [[ "$name" == *.pcap ]]; then
    measure "$rep" "$floor" "$file"
    f_cpu=$cpu
    row "pcap floor" "$cpu" "$wall" "$rss" "$bytes" "" ""
  else
    echo "  pcap floor  (legacy pcap only)"
  fi

  t_cpu="" t_bytes=$bytes
  if [ "$use_tshark" = 1 ]; then
    input=$file note=""
    if [ "$tshark_bytes" -gt 0 ] && [ "$bytes" -gt "$tshark_bytes" ] && [[ "$name" == *.pcap ]]; then
      input=$tmp/prefix.pcap
      cut_prefix "$file" "$input" "$tshark_bytes"
      t_bytes=$(stat -c %s "$input")
      note="on the first $(awk -v b="$t_bytes" 'BEGIN {printf "%.0f", b / 1048576}') MiB, extrapolated"
    fi
    # -d: node-media-server's capture uses port 1936, which tshark does not dissect as RTMP.
    tshark_cmd=(tshark -r "$input" -o rtmpt.max_packet_size:16777215 -d tcp.port==1936,rtmpt
                -Y rtmpt -T fields -e rtmpt.header.typeid -e rtmpt.header.format)
    t_messages=$("${tshark_cmd[@]}" 2>/dev/null | awk -F'\t' '$2 != "" {n += split($2, a, ",")} END {print n + 0}')
    measure "$(repeats_for "$t_bytes" 2000000)" "${tshark_cmd[@]}"
    t_cpu=$cpu t_wall=$wall t_msgs=$t_messages
    if [ -n "$note" ]; then
      # Extrapolate the per-byte part only: tshark's start-up (loading its dissectors, about
      # half a second) is paid once, whatever the file size.
      p_cpu=$cpu p_wall=$wall p_rss=$rss
      cut_prefix "$file" "$tmp/empty.pcap" 24
      measure 1 tshark -r "$tmp/empty.pcap" -o rtmpt.max_packet_size:16777215 -Y rtmpt -T fields -e rtmpt.header.typeid
      s_cpu=$cpu s_wall=$wall rss=$p_rss
      t_cpu=$(awk -v c="$p_cpu" -v s="$s_cpu" -v a="$bytes" -v b="$t_bytes" 'BEGIN {printf "%.6f", s + (c - s) * a / b}')
      t_wall=$(awk -v c="$p_wall" -v s="$s_wall" -v a="$bytes" -v b="$t_bytes" 'BEGIN {printf "%.6f", s + (c - s) * a / b}')
      t_msgs=$(awk -v m="$t_messages" -v a="$bytes" -v b="$t_bytes" 'BEGIN {printf "%.0f", m * a / b}')
      note="$note (start-up ${s_cpu} s CPU counted once; RSS is the prefix's)"
    fi
    row tshark "$t_cpu" "$t_wall" "$rss" "$bytes" "$t_msgs" "$t_messages messages${note:+; $note}"
    [ -n "$note" ] && rm -f "$input"
  fi

  line="  rtmpscope vs tshark: $( [ -n "$t_cpu" ] && ratio "$t_cpu" "$r_cpu" || echo n/a)x faster;"
  line+=" rtmpscope at $( [ -n "$f_cpu" ] && awk -v f="$f_cpu" -v r="$r_cpu" 'BEGIN {printf "%.0f%%", 100 * f / r}' || echo n/a) of the floor's throughput"
  echo "$line"
  summary_lines+=("$(printf '%-40s %s' "$name" "$line")")
done

echo
echo "Summary (ratios of CPU-time throughput):"
printf '%s\n' "${summary_lines[@]}"

if [ "$use_web" = 0 ]; then
  echo
  echo "Browser (wasm in Chromium): bash scripts/bench.sh --web"
  exit 0
fi

# The browser: the release web build in headless Chromium, the file through the page's file
# input (scripts/bench-web.mjs), against the native CLI on the same file.
web_file=${files[0]}
echo
echo "==> browser: trunk build --release=true, then scripts/bench-web.mjs $(basename "$web_file")"
ensure_web_tools
trunk build --release=true
web_bytes=$(stat -c %s "$web_file")
node scripts/bench-web.mjs "$web_file" --json "$tmp/web.json" | sed 's/^/  /'
measure 1 "$rtmpscope" summary "$web_file"
read -r web_wall web_cpu < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["analysis_s"], r["analysis_cpu_s"])' "$tmp/web.json")
awk -v b="$web_bytes" -v ww="$web_wall" -v wc="$web_cpu" -v nw="$wall" -v nc="$cpu" 'BEGIN {
  printf "  native      rtmpscope summary: %.2f s wall, %.0f MiB/s; %.2f s CPU, %.0f MiB/s (CPU)\n", nw, b / 1048576 / nw, nc, b / 1048576 / nc
  printf "  wasm/native throughput: %.0f%% (wall), %.0f%% (CPU); the target is at least 50%%\n", 100 * nw / ww, 100 * nc / wc }'
