#!/usr/bin/env bash
# Bounded fuzz run of the CSV, CSV.gz and Parquet readers (tests/Uplift.Tests/Data/ReaderFuzzTests.cs).
# Usage: tests/fuzz/run-reader-fuzz.sh [seconds] [seed]     (default 120 s, seed from the clock)
# Prints the iterations run and the failures found; failing inputs are kept in tests/fuzz/out/ (not committed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-${UPLIFT_FUZZ_SECONDS:-120}}"
out="$root/tests/fuzz/out"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
cd "$root"
dotnet build tests/Uplift.Tests -c Release -v q -nologo >/dev/null
set +e
UPLIFT_FUZZ_SECONDS="$seconds" UPLIFT_FUZZ_SEED="${2:-${UPLIFT_FUZZ_SEED:-}}" UPLIFT_FUZZ_OUT="$out" UPLIFT_FUZZ_REPORT="$report" \
  dotnet test tests/Uplift.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~ReaderFuzzTests.Fuzz_for_the_time_in_UPLIFT_FUZZ_SECONDS" >/dev/null
rc=$?
set -e
cat "$report"
[ "$rc" -eq 0 ] && echo "no failures" || echo "failures found (inputs in $out)"
exit "$rc"
