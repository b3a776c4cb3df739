#!/usr/bin/env bash
# End-to-end campaign on synthetic data (docs/CAMPAIGN.md, "Running a campaign"):
#   simulate history -> train -> plan with a budget -> assign -> simulate the campaign's outcomes
#   with the known truth -> readout,
# and checks that
#   1. the readout's exploit efficiency (slope ATE_v / ATE_c) beats explore,
#   2. the plan's interval of the spend and the readout's interval of the realised spend overlap (both are
#      estimates with their own noise; the plan's point inside the readout's interval ignores the plan's noise),
#   3. the true spend (sum of the true tau_c over the treated users) lies within the plan's interval,
#   4. assigning twice with the same seed gives the same file.
# Usage: tests/campaign/run-campaign.sh        (from the repository root, after `dotnet build -c Release`)
#   KEEP=1 keeps the work folder; ROWS=50000 sets the number of candidates; BUDGET=15000 the budget.
# Exit status: 0 = every check passed, 1 = a check failed, 2 = a command failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
if [ "${KEEP:-0}" = "1" ]; then echo "work folder: $work"; else trap 'rm -rf "$work"' EXIT; fi
rows=${ROWS:-50000}
budget=${BUDGET:-15000}
uplift() { dotnet run --project "$repo/src/Uplift.Cli" -c Release --no-build -- "$@"; }
run() { echo "\$ uplift $*"; uplift "$@" || { echo "run-campaign: FAIL 'uplift $1' exited with status $?" >&2; exit 2; }; echo; }
cd "$work"

# 1. A past randomized campaign (training), held-out users of it (evaluation), and this campaign's candidates.
run simulate --scenario linear --rows 20000 --seed 1 --out history.csv
run simulate --scenario linear --rows 20000 --seed 2 --out eval.csv
run simulate --scenario linear --rows "$rows" --seed 3 --out candidates.csv
# 2. Train the direct ranking model (the truth columns of the synthetic files are not features).
run train --data history.csv --treatment treatment --value value --cost cost --id user_id \
  --exclude tau_v,tau_c,propensity,oracle_score --model drm --test-fraction 0 --out model.json
# 3. Plan: the cut-off whose expected incremental cost spends the budget, 10 % explore.
run plan --model model.json --data candidates.csv --eval eval.csv --budget "$budget" --explore 0.1 --out plan.json
# 4. Assign every candidate to a group (twice, to check the seed fixes the groups).
run assign --model model.json --data candidates.csv --id user_id --budget "$budget" --explore 0.1 --plan plan.json --seed 7 --out campaign.csv
uplift assign --model model.json --data candidates.csv --id user_id --budget "$budget" --explore 0.1 --plan plan.json --seed 7 --out campaign2.csv >/dev/null
# 5. The campaign's outcomes from the known truth (simulated treatment swapped for the assigned one).
run simulate-outcomes --assignments campaign.csv --truth candidates.csv --out outcomes.csv
uplift simulate-outcomes --assignments campaign.csv --truth candidates.csv --out outcomes.csv --json > truth.json
# 6. Read-out, held against the plan.
echo "\$ uplift readout --assignments campaign.csv --outcomes outcomes.csv --plan plan.json"
uplift readout --assignments campaign.csv --outcomes outcomes.csv --plan plan.json | tee readout.txt
echo

failed=0
check() { if [ "$2" = "yes" ]; then echo "PASS $1"; else echo "FAIL $1"; failed=1; fi; }
line=$(grep '^check:' readout.txt)
value() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "exploit efficiency beats explore (readout)" "$(value exploit_beats_explore)"
check "planned and realised spend intervals overlap (readout)" "$(value cost_intervals_overlap)"
cmp -s campaign.csv campaign2.csv && same=yes || same=no
check "same seed, same campaign file" "$same"
# The true spend from the simulation's truth against the plan's interval (python3 reads the two JSON files).
if command -v python3 >/dev/null 2>&1; then
  truth_in=$(python3 -c '
import json
p = json.load(open("plan.json")); t = json.load(open("truth.json"))
lo, hi = p["incremental_cost_ci"]; c = t["true_incremental_cost"]
print("true spend %.6g, planned %.6g [%.6g, %.6g]" % (c, p["incremental_cost"], lo, hi))
print("yes" if lo <= c <= hi else "no")')
  echo "$truth_in" | head -1
  check "true spend within the plan's interval" "$(echo "$truth_in" | tail -1)"
fi
exit $failed
