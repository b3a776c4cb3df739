#!/usr/bin/env bash
# Builds grf's C++ core from a bare git mirror into /tmp (no grf source enters this repo) and runs bench/grf/grf_bench.cpp
# on the campaign of `uplift simulate --rows 60000 --features 12 --seed 1`.
# Usage: bench/grf/build-and-run.sh [GRF_GIT_DIR] [TREES] [THREADS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
git_dir=${1:-$(ls -d /work/.mirror/grf-labs+grf/repo 2>/dev/null || true)}
trees=${2:-500}; threads=${3:-2}
[ -n "$git_dir" ] || { echo "give grf's git dir" >&2; exit 2; }
work=/tmp/grf-bench; src=$work/src; mkdir -p "$src" "$work/obj"
commit=$(git --git-dir="$git_dir" rev-parse HEAD)
if [ "$(cat "$work/commit" 2>/dev/null)" != "$commit" ]; then
  rm -rf "$src" "$work/obj" "$work/libgrf.a"; mkdir -p "$src" "$work/obj"
  git --git-dir="$git_dir" archive HEAD core | tar -x -C "$src"
  (cd "$src/core/src" && find . -name '*.cpp') | xargs -P 2 -I{} sh -c \
    'mkdir -p "$(dirname "$2/obj/$1")" && g++ -std=c++17 -O2 -DNDEBUG -I"$3/core/src" -I"$3/core/third_party" -c "$3/core/src/$1" -o "$2/obj/$1.o"' _ {} "$work" "$src"
  ar rcs "$work/libgrf.a" $(find "$work/obj" -name '*.o'); echo "$commit" > "$work/commit"
fi
g++ -std=c++17 -O2 -DNDEBUG -I"$src/core/src" -I"$src/core/third_party" "$here/grf_bench.cpp" "$work/libgrf.a" -pthread -o "$work/grf_bench"
csv=$work/campaign.csv
[ -f "$csv" ] || dotnet run --project "$repo/src/Uplift.Cli" -c Release -- simulate --rows 60000 --features 12 --seed 1 --out "$csv"
echo "grf commit $commit; $(date -u); $(uptime)"
"$work/grf_bench" "$csv" "$trees" "$threads" 1
