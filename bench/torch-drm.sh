#!/usr/bin/env bash
# End to end: 'uplift train --model drm --steps 1500 --restarts 1' against a plain PyTorch DRM (bench/torch_drm.py:
# the same objective, METHOD.md section 3, linear scorer, full-batch Adam, the same steps) on the same CSV, each run
# including its start-up and CSV read. Runs them ALTERNATING, --runs times each (default 3), and prints the medians
# of wall and CPU (user + sys) seconds and the ratios torch / uplift.
# Installs Debian's python3-torch and python3-pandas with apt-get if they are missing (needs root or sudo).
# Usage: bench/torch-drm.sh [--csv FILE] [--rows 60000] [--features 12] [--steps 1500] [--runs 3]
#   UPLIFT=/path/to/uplift uses that executable (e.g. a ReadyToRun publish); default: the Release build of src/Uplift.Cli.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv="" rows=60000 features=12 steps=1500 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --csv) csv="$2"; shift 2;; --rows) rows="$2"; shift 2;; --features) features="$2"; shift 2;;
    --steps) steps="$2"; shift 2;; --runs) runs="$2"; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
py=/usr/bin/python3
if ! "$py" -c 'import torch, pandas' 2>/dev/null; then
  echo "== installing python3-torch python3-pandas (apt-get)" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "FAIL: python3-torch/python3-pandas are missing and apt-get needs root (no passwordless sudo)" >&2; exit 1; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torch python3-pandas >&2
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/torch-drm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ -z "${UPLIFT:-}" ]; then
  dotnet build "$repo/src/Uplift.Cli/Uplift.Cli.csproj" -c Release --nologo -v quiet >&2
  UPLIFT="$repo/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli"
fi
if [ -z "$csv" ]; then
  csv="$work/campaign.csv"
  "$UPLIFT" simulate --rows "$rows" --features "$features" --seed 1 --out "$csv" >&2
fi
cols=(--treatment treatment --value value --cost cost --id user_id --exclude tau_v,tau_c,propensity,oracle_score)
# wall and CPU seconds of one command: "wall cpu"
timed() { /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
          awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/t"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | uplift wall s | uplift CPU s | torch wall s | torch CPU s |"
echo "|---|---|---|---|---|"
: > "$work/u"; : > "$work/p"
for i in $(seq 1 "$runs"); do
  u=$(timed "$UPLIFT" train --model drm --steps "$steps" --restarts 1 --data "$csv" "${cols[@]}" --out "$work/m.json")
  p=$(timed "$py" "$repo/bench/torch_drm.py" "$csv" "${cols[@]}" --steps "$steps")
  echo "$u" >> "$work/u"; echo "$p" >> "$work/p"
  echo "| $i | ${u% *} | ${u#* } | ${p% *} | ${p#* } |"
done
echo "torch: $(cat "$work/out")"
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
uw=$(cut -d' ' -f1 "$work/u" | median); uc=$(cut -d' ' -f2 "$work/u" | median)
pw=$(cut -d' ' -f1 "$work/p" | median); pc=$(cut -d' ' -f2 "$work/p" | median)
echo "median: uplift wall $uw s, CPU $uc s; torch wall $pw s, CPU $pc s"
awk -v uw="$uw" -v uc="$uc" -v pw="$pw" -v pc="$pc" 'BEGIN { printf "end-to-end ratio torch / uplift: wall %.1fx, CPU %.1fx\n", pw / uw, pc / uc }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
