#!/usr/bin/env bash
# A fuzzing campaign: every cargo-fuzz target in turn, one process at a time (nice 19), each for a
# fixed time, from fresh seed corpora; then a per-target summary (executions, exec/s, cov and ft
# when the seeds are loaded, at half time and at the end, findings). See fuzz/README.md "Results".
#
#   fuzz/campaign.sh [--minutes M] [--logs DIR] [--target-dir DIR] [TARGET...]
#
# --minutes     minutes per target (default 8)
# --logs        where the logs go (default /tmp/rtmpscope-fuzz; keep it outside the repository)
# --target-dir  cargo target directory for the fuzz build (default fuzz/target)
# --keep-corpus go on from the corpora of earlier runs (default: each target starts from the seeds)
# --summary-only  summarise the logs in LOGS again, run nothing
# TARGET...     targets to run (default: all seven)
#
# Each target's libFuzzer output is written to LOGS/TARGET.log with a wall-clock timestamp in front
# of every line; LOGS/summary.md is the table. Crashes, timeouts and OOMs are left by libFuzzer in
# fuzz/artifacts/TARGET/ (the run of that target stops at the first one; the campaign goes on).
# A plateau shows as cov/ft growing much less in the second half of a run than in the first.
set -uo pipefail
cd "$(dirname "$0")"

minutes=8
logs=/tmp/rtmpscope-fuzz
target_dir=target
keep_corpus=0
summary_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --target-dir) target_dir=$2; shift 2 ;;
    --keep-corpus) keep_corpus=1; shift ;;
    --summary-only) summary_only=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "campaign.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(capture_reader tcp_reassembly chunk_demux rtmp_connection amf0 amf3 pipeline)
mkdir -p "$logs"
export RUSTC_BOOTSTRAP=1

# Prefix every line with the seconds since the run started, so half-time values can be read off.
stamp() {
  python3 -u -c '
import sys, time
t0 = time.time()
for line in sys.stdin:
    sys.stdout.write("%.1f %s" % (time.time() - t0, line))
    sys.stdout.flush()'
}

if [ "$summary_only" = 0 ]; then
  echo "==> seeds, build ($(date -u +%H:%M:%S))"
  if [ "$keep_corpus" = 0 ]; then
    for t in "${targets[@]}"; do rm -rf "corpus/$t"; done
  fi
  python3 seeds.py || exit 1
  nice -n 19 cargo fuzz build -O --target-dir "$target_dir" || exit 1

  for t in "${targets[@]}"; do
    echo "==> $t: ${minutes} min ($(date -u +%H:%M:%S))"
    mkdir -p "artifacts/$t"
    nice -n 19 cargo fuzz run -O --target-dir "$target_dir" "$t" -- \
      -max_total_time="$(awk -v m="$minutes" 'BEGIN {printf "%d", m * 60}')" \
      -rss_limit_mb=2048 -max_len=65536 -timeout=10 -print_final_stats=1 2>&1 | stamp > "$logs/$t.log"
    echo "    exit ${PIPESTATUS[0]}"
  done
fi

# The summary: libFuzzer's status lines look like
#   #65536  pulse  cov: 840 ft: 2310 corp: 120/30Kb lim: 4096 exec/s: 3536 rss: 60Mb
python3 - "$logs" "$minutes" "${targets[@]}" <<'EOF' | tee "$logs/summary.md"
import os, re, sys
logs, minutes, targets = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
trajectories = []
status = re.compile(r'^([\d.]+) #(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)')
print('| target | executions | exec/s | cov start → half → end | ft start → half → end | '
      'growth, first half then second | findings |')
print('|---|---:|---:|---|---|---|---|')
for t in targets:
    path = os.path.join(logs, t + '.log')
    if not os.path.exists(path):
        continue
    points, runs, secs, findings = [], None, None, []
    for line in open(path, errors='replace'):
        m = status.match(line)
        if m:
            points.append((float(m.group(1)), int(m.group(2)), m.group(3),
                           int(m.group(4)), int(m.group(5))))
        m = re.search(r'Done (\d+) runs in (\d+) second', line)
        if m:
            runs, secs = int(m.group(1)), int(m.group(2))
        m = re.search(r'(deadly signal|ERROR: libFuzzer: \S+|ERROR: AddressSanitizer: \S+|'
                      r'panicked at [^\n]*|Test unit written to \S+)', line)
        if m:
            findings.append(m.group(1).strip())
    if not points:
        print(f'| `{t}` | – | – | – | – | – | no status lines (see {path}) |')
        continue
    inited = next((p for p in points if p[2] == 'INITED'), points[0])
    t0, t_end = inited[0], points[-1][0]
    half_at = t0 + (max(t_end, t0 + minutes * 60) - t0) / 2
    half = [p for p in points if p[0] <= half_at][-1]
    end = points[-1]
    if runs is None:  # stopped early (a finding): the last status line's count
        runs, secs = end[1], max(1, round(end[0] - t0))
    growth = (f'cov +{half[3] - inited[3]} then +{end[3] - half[3]}, '
              f'ft +{half[4] - inited[4]} then +{end[4] - half[4]}')
    found = '; '.join(dict.fromkeys(findings)) or 'none'
    num = lambda n: f'{n:_}'.replace('_', ' ')
    print(f'| `{t}` | {num(runs)} | {num(runs // max(secs, 1))} | '
          f'{inited[3]} → {half[3]} → {end[3]} | {inited[4]} → {half[4]} → {end[4]} | '
          f'{growth} | {found} |')
    # cov/ft at the end of each minute: where the curve flattens.
    marks = []
    for minute in range(1, int((t_end - t0) // 60) + 1):
        seen = [p for p in points if p[0] - t0 <= minute * 60]
        if seen:
            marks.append(f'{seen[-1][3]}/{seen[-1][4]}')
    if (t_end - t0) % 60 > 5:
        marks.append(f'{end[3]}/{end[4]} at the end')
    trajectories.append(f'- `{t}` cov/ft per minute: ' + ', '.join(marks))
print()
print('\n'.join(trajectories))
EOF
echo "==> done ($(date -u +%H:%M:%S)); logs in $logs"
