#!/usr/bin/env bash
# The report in a real browser, for .ci/run (issue 12): a small campaign's report (one arm, three models and the oracle)
# and a multi-arm report are written, checked for their sections, and each opened by check-report.sh (headless Chromium
# from Debian's package: fails on any console message, network request or external resource). Chromium is installed
# when missing; if the package cannot be installed (no Debian registry) the check says so and is skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
browser="$(command -v chromium || true)"
if [ -z "$browser" ] && command -v apt-get >/dev/null; then
  echo "report check: installing Debian's chromium"
  (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1) || true
  browser="$(command -v chromium || true)"
fi
if [ -z "$browser" ]; then
  echo "report check SKIPPED: Debian's chromium package could not be installed on this machine"
  exit 0
fi
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
dotnet build "$root/src/Uplift.Cli" -c Release -v q >/dev/null
U() { dotnet "$root/src/Uplift.Cli/bin/Release/net10.0/Uplift.Cli.dll" "$@" >/dev/null 2>>"$dir/cli.log" || { cat "$dir/cli.log"; exit 1; }; }
cd "$dir"
U simulate --scenario nonlinear --rows 6000 --seed 1 --out history.csv
U simulate --scenario nonlinear --rows 3000 --seed 2 --out eval.csv
# a few empty feature cells in the evaluation data, so that the missing-value summary has rows to show
awk -F, -v OFS=, 'NR > 1 && NR % 37 == 0 { $3 = "" } { print }' eval.csv > eval-missing.csv
cols=(--treatment treatment --value value --cost cost --id user_id --exclude tau_v,tau_c,propensity,oracle_score)
U train --model tlearner --data history.csv "${cols[@]}" --out tl.json
U train --model drm --data history.csv "${cols[@]}" --steps 60 --restarts 1 --out drm.json
U train --model causal-forest --data history.csv "${cols[@]}" --trees 50 --out cf.json
U report --data eval-missing.csv --model tl.json --model drm.json --model cf.json --oracle oracle_score --importance tl --bootstrap 50 --out one-arm.html
U simulate --scenario multiarm --rows 6000 --seed 1 --out offers.csv
U simulate --scenario multiarm --rows 3000 --seed 2 --out offers-eval.csv
truth=tau_v_small,tau_c_small,tau_v_medium,tau_c_medium,tau_v_large,tau_c_large,propensity
U train --model tlearner --data offers.csv --treatment treatment --control none --value value --cost cost --id user_id --exclude $truth --out arms.json
U report --data offers-eval.csv --model arms.json --oracle tau --plan-budget 300 --candidates offers-eval.csv --bootstrap 50 --out arms.html
fail=0
check() { # file, sections that must be in the page
  local page="$1"; shift
  for id in "$@"; do grep -q "<section id=\"$id\"" "$page" || { echo "FAIL: $page has no section '$id'"; fail=1; }; done
  bash "$root/tests/browser/check-report.sh" "$dir/$page" "$dir/$page.png" >/dev/null || { echo "FAIL: $page in headless Chromium (above)"; fail=1; return; }
  echo "report check: $page OK in $("$browser" --version 2>/dev/null | head -1), $(grep -o '<svg' "$page" | wc -l) SVG charts"
}
check one-arm.html curves aucc differences value-at-cost deciles calibration importance model-details missing-values
check arms.html curves aucc value-at-budget arm-split plan model-details missing-values
# the new blocks' content: a band per model on the one-arm curves, a calibration table for the two effect learners
# (tlearner, causal forest) and "not an effect estimator" for the DRM, the missing cells counted
contains() { grep -q -- "$2" "$1" || { echo "FAIL: $1 lacks $3"; fail=1; }; }
[ "$(grep -o '<polygon class="band"' one-arm.html | wc -l)" -eq 3 ] || { echo "FAIL: one-arm.html has not 3 cost-curve bands"; fail=1; }
[ "$(grep -o '<polygon class="band"' arms.html | wc -l)" -eq 1 ] || { echo "FAIL: arms.html has not 1 band around the budget path's curve"; fail=1; }
[ "$(grep -o '<table class="calibration">' one-arm.html | wc -l)" -eq 2 ] || { echo "FAIL: one-arm.html has not 2 calibration tables"; fail=1; }
contains one-arm.html 'Not an effect estimator' "the DRM's calibration line"
contains one-arm.html '<table class="missing">' "the missing-value table"
contains one-arm.html 'Validation AUCC</th><td><span class="strong">' "a recorded validation AUCC"
exit $fail
