#!/usr/bin/env bash
# Side by side: the causal-forest learner on the hidden-size case (bench forest-hidden: 60,000 x 12, grf defaults, two
# causal forests) with two builds of bench/Uplift.Bench, ALTERNATING, --runs times each (default 3); prints each run's
# stage lines and digests (equal digests = bit-identical forests and scores), then the median fit seconds of each build.
# Usage: bench/forest-before-after.sh BEFORE_DLL AFTER_DLL [--trees 500] [--threads 2] [--runs 3]
#   (a build of another commit: git worktree add /tmp/before COMMIT && dotnet build -c Release /tmp/before/bench/Uplift.Bench)
set -euo pipefail
before="$1" after="$2"; shift 2
trees=500 threads=2 runs=3
while [ $# -gt 0 ]; do
  case "$1" in --trees) trees="$2"; shift 2;; --threads) threads="$2"; shift 2;; --runs) runs="$2"; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;; esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/forest-ba.XXXXXX")"; trap 'rm -rf "$work"' EXIT
for r in $(seq "$runs"); do
  for side in before after; do
    dll="$before"; [ "$side" = after ] && dll="$after"
    echo "== $side, run $r ($(uptime | sed 's/.*load average: //'))"
    dotnet "$dll" forest-hidden --trees "$trees" --threads "$threads" --no-files | tee "$work/$side.$r"
    grep '^| fit total' "$work/$side.$r" | sed 's/.*| \([0-9.]*\) |$/\1/' >> "$work/$side.s"
  done
done
for side in before after; do
  echo "$side: median fit $(sort -n "$work/$side.s" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s over $runs runs ($(tr '\n' ' ' < "$work/$side.s"))"
done
