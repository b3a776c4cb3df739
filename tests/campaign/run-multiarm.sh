#!/usr/bin/env bash
# The "Several offers" chain of the README with checks: exploit beats explore (true value per cost), the true spend is
# within the plan's spend interval, and assign --plan writes the same campaign file as assign with the plan's budget and seed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
dotnet build "$root/src/Uplift.Cli" -c Release -v q >/dev/null
U() { dotnet "$root/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli.dll" "$@"; }
cd "$dir"
U simulate --scenario multiarm --rows 40000 --seed 1 --out history.csv
U simulate --scenario multiarm --rows 20000 --seed 2 --out eval.csv
U simulate --scenario multiarm --rows 20000 --seed 3 --out candidates.csv
truth=tau_v_small,tau_c_small,tau_v_medium,tau_c_medium,tau_v_large,tau_c_large,propensity # the truth columns are no features
U train --model "${LEARNER:-tlearner}" --data history.csv --treatment treatment --control none --value value --cost cost --id user_id --exclude $truth --out m.json
U score --model m.json --data eval.csv --effects --keep treatment,value,cost --out scores.csv
U evaluate --data scores.csv --treatment treatment --control none --value value --cost cost --score tau --bootstrap 0
U plan --model m.json --data candidates.csv --eval eval.csv --budget 3000 --seed 7 --out plan.json --json > plan-out.json
U assign --model m.json --data candidates.csv --id user_id --plan plan.json --seed 7 --out a1.csv
U assign --model m.json --data candidates.csv --id user_id --eval eval.csv --budget 3000 --seed 7 --out a2.csv
cmp a1.csv a2.csv || { echo "FAIL: assign --plan differs from assign with the plan's budget (same seed)"; exit 1; }
U simulate-outcomes --assignments a1.csv --truth candidates.csv --out outcomes.csv --json > sim.json
U readout --assignments a1.csv --outcomes outcomes.csv --plan plan.json
U report --data eval.csv --model m.json --oracle tau --plan-budget 3000 --candidates candidates.csv --bootstrap 100 --out report.html
grep -q 'Budget plan across arms' report.html || { echo "FAIL: no multi-arm plan in the report"; exit 1; }
python3 - <<'PY'
import json
plan = json.load(open("plan-out.json")); sim = json.load(open("sim.json"))
lo, hi = plan["incremental_cost_ci"]
assert sim["true_exploit_slope"] > sim["true_explore_slope"], ("exploit does not beat explore", sim)
assert lo <= sim["true_incremental_cost"] <= hi, ("true spend outside the plan's interval", sim["true_incremental_cost"], lo, hi)
print("OK: exploit beats explore, true spend", sim["true_incremental_cost"], "in", [lo, hi])
PY
