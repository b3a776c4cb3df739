#!/usr/bin/env bash
# The "Several offers" chain of the README with checks: exploit beats explore (true value per cost), the true spend is
# within the plan's spend interval, and the same seed writes the same campaign file.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
dotnet build "$root/src/Uplift.Cli" -c Release -v q >/dev/null
U() { dotnet "$root/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli.dll" "$@"; }
cd "$dir"
U simulate --scenario multiarm --rows 40000 --seed 1 --out history.csv
U simulate --scenario multiarm --rows 20000 --seed 2 --out eval.csv
U simulate --scenario multiarm --rows 20000 --seed 3 --out candidates.csv
U train --model "${LEARNER:-tlearner}" --data history.csv --treatment treatment --control none --value value --cost cost --id user_id --out m.json
U plan --model m.json --data candidates.csv --eval eval.csv --budget 3000 --out plan.json --json > plan-out.json
U assign --model m.json --data candidates.csv --id user_id --eval eval.csv --budget 3000 --seed 7 --out a1.csv
U assign --model m.json --data candidates.csv --id user_id --eval eval.csv --budget 3000 --seed 7 --out a2.csv
cmp a1.csv a2.csv || { echo "FAIL: same seed, different campaign file"; exit 1; }
U simulate-outcomes --assignments a1.csv --truth candidates.csv --out outcomes.csv --json > sim.json
U readout --assignments a1.csv --outcomes outcomes.csv --plan plan.json
python3 - <<'PY'
import json
plan = json.load(open("plan-out.json")); sim = json.load(open("sim.json"))
lo, hi = plan["incremental_cost_ci"]
assert sim["true_exploit_slope"] > sim["true_explore_slope"], ("exploit does not beat explore", sim)
assert lo <= sim["true_incremental_cost"] <= hi, ("true spend outside the plan's interval", sim["true_incremental_cost"], lo, hi)
print("OK: exploit beats explore, true spend", sim["true_incremental_cost"], "in", [lo, hi])
PY
