#!/usr/bin/env bash
# Cluster overhead on one machine (docs/CLUSTER.md): a DRM trained on N rows x F features in 8 Parquet partitions,
# in one process (partitions in memory) and through 1, 2 and 4 worker processes on loopback (localhost membership).
# Prints ms per objective evaluation (median, as the coordinator measures fan-out and merge), wall time, the bytes
# a step sends (from the parameter count), and each worker's peak resident memory. Usage:
#   bench/cluster-bench.sh [--rows 1000000] [--features 50] [--steps 100] [--workers "1 2 4"] [--hidden 0]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rows=1000000; features=50; steps=100; workers="1 2 4"; hidden=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2;; --features) features=$2; shift 2;; --steps) steps=$2; shift 2;;
    --workers) workers=$2; shift 2;; --hidden) hidden=$2; shift 2;; *) echo "unknown option $1"; exit 2;;
  esac
done
work="$(mktemp -d /tmp/uplift-cbench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
dotnet build "$repo/src/Uplift.Cli" -c Release -v q -nologo >/dev/null
U=(dotnet "$repo/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli.dll")
cd "$work"
"${U[@]}" simulate --rows "$rows" --features "$features" --out parts/p.parquet --partitions 8 >/dev/null
scorer=(--hidden linear); [ "$hidden" -gt 0 ] && scorer=(--hidden "$hidden")
train=(train --model drm --data 'parts/*.parquet' --treatment treatment --value value --cost cost
  --exclude user_id,tau_v,tau_c,propensity,oracle_score --steps "$steps" --restarts 1 "${scorer[@]}" --json)
params=$(( hidden > 0 ? features * hidden + 2 * hidden + 1 : features + 1 ))
# A DRM step per partition: pass 1 sends the parameters (4 bytes each) and returns 6 doubles; pass 2 sends 9 doubles
# and returns one double per parameter. Orleans' own framing is not counted.
bytes=$(( 8 * (4 * params + 48 + 72 + 8 * params) ))
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $rows rows x $features features in 8 partitions, DRM $([ "$hidden" -gt 0 ] && echo "MLP($hidden)" || echo linear) ($params parameters), $steps steps"
printf '| run | ms per evaluation (median) | wall s | bytes per step | peak RSS per worker (MB) |\n|---|---:|---:|---:|---:|\n'
t0=$(date +%s.%N)
"${U[@]}" "${train[@]}" --out local.json > local.out 2>/dev/null
t1=$(date +%s.%N)
ms=$(python3 -c "import json;print(round(json.load(open('local.out'))['metrics']['median_step_ms'],2))")
printf '| one process | %s | %.1f | 0 | - |\n' "$ms" "$(echo "$t1 - $t0" | bc)"
for n in $workers; do
  pids=()
  for k in $(seq "$n"); do
    primary=(); [ "$k" -gt 1 ] && primary=(--primary 127.0.0.1:11201)
    "${U[@]}" worker --port $((11200 + k)) --gateway $((31000 + k)) --membership localhost "${primary[@]}" >"w$k.log" 2>&1 &
    pids+=($!)
    [ "$k" -eq 1 ] && sleep 3
  done
  sleep 4
  gws=$(seq -s, -f "127.0.0.1:%g" 31001 $((31000 + n)))
  t0=$(date +%s.%N)
  "${U[@]}" "${train[@]}" --out c$n.json --cluster "$gws" > c$n.out 2>/dev/null
  t1=$(date +%s.%N)
  ms=$(python3 -c "import json;print(round(json.load(open('c$n.out'))['metrics']['median_step_ms'],2))")
  rss=$(for p in "${pids[@]}"; do awk '/VmHWM/{printf "%d ", $2/1024}' /proc/$p/status; done)
  same=$(python3 -c "import json;print('identical' if json.load(open('local.json'))['model']==json.load(open('c$n.json'))['model'] else 'DIFFERENT')")
  printf '| %d worker(s) (%s) | %s | %.1f | %d | %s|\n' "$n" "$same" "$ms" "$(echo "$t1 - $t0" | bc)" "$bytes" "$rss"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  sleep 2
done
