#!/usr/bin/env bash
# A bounded fuzz campaign of the model loader (tests/Uplift.Tests/Persistence/ModelFuzzTests.cs): random structural
# and byte-level damage to valid model files of every kind; each must load (and score finite values) or be refused
# with an UpliftException, within 20 s. The test suite runs a fixed 200-seed slice of the same campaign.
#
#   tests/fuzz/run-model-fuzz.sh [SECONDS]      (default 300; UPLIFT_MODEL_FUZZ_SEED sets the first seed, default 1)
#
# Findings (the damaged files) and summary.txt go to UPLIFT_MODEL_FUZZ_OUT (default: a folder under $TMPDIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-${UPLIFT_MODEL_FUZZ_SECONDS:-300}}"
out="${UPLIFT_MODEL_FUZZ_OUT:-${TMPDIR:-/tmp}/uplift-model-fuzz}"
rm -rf "$out"
dotnet build -c Release tests/Uplift.Tests/Uplift.Tests.csproj -v quiet -nologo >/dev/null
status=0
UPLIFT_MODEL_FUZZ_SECONDS="$seconds" UPLIFT_MODEL_FUZZ_SEED="${UPLIFT_MODEL_FUZZ_SEED:-1}" UPLIFT_MODEL_FUZZ_OUT="$out" \
  dotnet test tests/Uplift.Tests/Uplift.Tests.csproj -c Release --no-build -nologo \
  --filter "FullyQualifiedName=Uplift.Tests.Persistence.ModelFuzzTests.Model_fuzz_campaign" >"$out.log" 2>&1 || status=$?
if [[ -f "$out/summary.txt" ]]; then cat "$out/summary.txt"; else tail -30 "$out.log"; fi
exit "$status"
