#!/usr/bin/env bash
# The cluster check of docs/CLUSTER.md: three workers on loopback with Redis membership (Debian's redis-server,
# installed when missing, started here on a loopback port and stopped at the end). Trains a DRM and a CRM on 8 Parquet
# partitions through the cluster and checks that the model sections are identical to the one-machine training on the
# same partitions; then trains the DRM again while killing one worker (kill -9) about a third of the way through and
# checks the same identity; then scores the partitions through the cluster and compares with one-machine scoring.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/uplift-cluster.XXXXXX)"
redis_port=${REDIS_PORT:-6399}
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done   # their ports are free for the next run
  [ -n "${redis_started:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# A command that fails outside a check says where, with the end of each worker's log.
trap 'echo "FAIL at line $LINENO of $0"; for f in "$work"/worker*.log; do [ -f "$f" ] && { echo "== $f"; grep -v "^warn\|^      " "$f" | tail -3; }; done' ERR

if ! command -v redis-server >/dev/null; then
  echo "installing Debian's redis-server"
  (apt-get install -y redis-server >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y redis-server >/dev/null 2>&1)) \
    || { echo "FAIL: redis-server could not be installed"; exit 1; }
fi
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
redis_started=1
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

dotnet build "$repo/src/Uplift.Cli" -c Release -v q -nologo >/dev/null
U=(dotnet "$repo/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli.dll")
cd "$work"
"${U[@]}" simulate --rows 40000 --features 10 --out parts/p.parquet --partitions 8 >/dev/null
cols=(--treatment treatment --value value --cost cost --exclude user_id,tau_v,tau_c,propensity,oracle_score --seed 7)
membership=(--membership "redis://127.0.0.1:$redis_port")
cluster=(--cluster 127.0.0.1:30001,127.0.0.1:30002,127.0.0.1:30003 "${membership[@]}")

for k in 1 2 3; do
  "${U[@]}" worker --port $((11110 + k)) --gateway $((30000 + k)) "${membership[@]}" --threads 1 >"worker$k.log" 2>&1 &
  pids+=($!)
done
sleep 5

same() {  # same model section in two model files
  python3 - "$1" "$2" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["model"]; b = json.load(open(sys.argv[2]))["model"]
sys.exit(0 if a == b else 1)
PY
}
fail=0
check() { if "$@"; then echo "ok   ${label}"; else echo "FAIL ${label}"; fail=1; fi; }

for m in drm crm; do
  t0=$(date +%s.%N)
  "${U[@]}" train --model $m --data 'parts/*.parquet' "${cols[@]}" --steps 600 --restarts 1 --out local-$m.json 2>/dev/null >/dev/null
  t1=$(date +%s.%N)
  "${U[@]}" train --model $m --data 'parts/*.parquet' "${cols[@]}" --steps 600 --restarts 1 --out cluster-$m.json "${cluster[@]}" 2>cluster-$m.err | head -4
  t2=$(date +%s.%N)
  printf '%s: one machine %.1f s, cluster of 3 workers %.1f s\n' $m "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  label="$m through the cluster is identical to one machine"; check same local-$m.json cluster-$m.json
done

# The DRM again, longer, with worker 3 killed after about a third of the objective evaluations.
"${U[@]}" train --model drm --data 'parts/*.parquet' "${cols[@]}" --steps 1500 --restarts 1 --hidden linear --out local-long.json >/dev/null 2>&1
"${U[@]}" train --model drm --data 'parts/*.parquet' "${cols[@]}" --steps 1500 --restarts 1 --hidden linear --out killed.json "${cluster[@]}" --json >killed.out 2>killed.err &
coord=$!
for _ in $(seq 600); do grep -q "^evaluation 500:" killed.err 2>/dev/null && break; sleep 0.05; done
# Kill the worker holding the most partitions (placement lines: S127.0.0.1:1111K:generation=count ...).
victim=$(grep '^placement:' killed.err | tail -1 | tr ' ' '\n' | grep '=' | sort -t= -k2 -n | tail -1 | sed -E 's/^S127\.0\.0\.1:1111([0-9]).*/\1/')
case "$victim" in 1|2|3) ;; *) echo "FAIL no placement line to choose a worker from"; exit 1;; esac
kill -9 "${pids[$((victim - 1))]}"; echo "killed worker $victim ($(grep '^placement:' killed.err | tail -1)) at: $(grep '^evaluation' killed.err | tail -1)"
if ! wait $coord; then echo "FAIL the coordinator stopped:"; grep -v '^warn\|^      ' killed.err | tail -5; exit 1; fi
grep -E "failed|retry" killed.err | head -3 || true
retries=$(python3 -c "import json;print(json.load(open('killed.out'))['metrics']['retries'])")
label="the coordinator retried after the kill (retries: $retries)"; check test "$retries" -ge 1
label="drm with a worker killed mid-way is identical to one machine"; check same local-long.json killed.json

# The DRM again (4,000 steps, so that the new worker's start-up of a few seconds ends well before the training) while
# a fourth worker joins after 100 evaluations: it gets partitions from the next rebalance on (every 50 evaluations
# once it is active), and the model does not change.
"${U[@]}" train --model drm --data 'parts/*.parquet' "${cols[@]}" --steps 4000 --restarts 1 --hidden linear --out local-join.json >/dev/null 2>&1
"${U[@]}" train --model drm --data 'parts/*.parquet' "${cols[@]}" --steps 4000 --restarts 1 --hidden linear --out joined.json "${cluster[@]}" >joined.out 2>joined.err &
coord=$!
for _ in $(seq 600); do grep -q "^evaluation 100:" joined.err 2>/dev/null && break; sleep 0.05; done
"${U[@]}" worker --port 11114 --gateway 30004 "${membership[@]}" --threads 1 >worker4.log 2>&1 &
pids+=($!)
echo "worker 4 started at: $(grep '^evaluation' joined.err | tail -1)"
if ! wait $coord; then echo "FAIL the coordinator stopped:"; grep -v '^warn\|^      ' joined.err | tail -5; exit 1; fi
grep "worker S" joined.out || true
label="the worker that joined holds partitions"; check grep -q "worker S127.0.0.1:11114" joined.out
[ $fail -eq 0 ] || { grep -E "^placement|failed" joined.err | tail -4 || true; }
label="drm with a worker joining mid-way is identical to one machine"; check same local-join.json joined.json

# Scoring through the cluster against one machine.
"${U[@]}" score --model local-drm.json --data 'parts/*.parquet' --out scored-local/ >/dev/null
"${U[@]}" score --model local-drm.json --data 'parts/*.parquet' --out scored-cluster/ "${cluster[@]}" 2>/dev/null
label="8 scored partitions"; check test "$(ls scored-cluster | wc -l)" -eq 8
label="cluster scoring equals one-machine scoring"; check diff -r scored-local scored-cluster
exit $fail
