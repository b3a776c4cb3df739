#!/usr/bin/env bash
# The report in a real browser (issue 12): a small campaign's report (one arm, three models and the oracle) and a
# multi-arm report are opened by headless Chromium from Debian's package (installed when missing). The check fails on
# any console message (errors, uncaught exceptions, blocked resources) and when the rendered page lacks its sections.
# If the package cannot be installed (no Debian registry) the check says so and is skipped.
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
cols=(--treatment treatment --value value --cost cost --id user_id --exclude tau_v,tau_c,propensity,oracle_score)
U train --model tlearner --data history.csv "${cols[@]}" --out tl.json
U train --model drm --data history.csv "${cols[@]}" --steps 60 --restarts 1 --out drm.json
U train --model causal-forest --data history.csv "${cols[@]}" --trees 50 --out cf.json
U report --data eval.csv --model tl.json --model drm.json --model cf.json --oracle oracle_score --importance tl --bootstrap 50 --out one-arm.html
U simulate --scenario multiarm --rows 6000 --seed 1 --out offers.csv
U simulate --scenario multiarm --rows 3000 --seed 2 --out offers-eval.csv
truth=tau_v_small,tau_c_small,tau_v_medium,tau_c_medium,tau_v_large,tau_c_large,propensity
U train --model tlearner --data offers.csv --treatment treatment --control none --value value --cost cost --id user_id --exclude $truth --out arms.json
U report --data offers-eval.csv --model arms.json --oracle tau --plan-budget 300 --candidates offers-eval.csv --bootstrap 50 --out arms.html
fail=0
check() { # file, sections that must be rendered
  local page="$1"; shift
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --virtual-time-budget=3000 \
    --dump-dom "file://$dir/$page" > "$page.dom" 2> "$page.log" || { echo "FAIL: chromium could not render $page"; fail=1; return; }
  if grep -q "CONSOLE" "$page.log"; then echo "FAIL: console messages in $page:"; grep "CONSOLE" "$page.log"; fail=1; fi
  for id in "$@"; do grep -q "<section id=\"$id\"" "$page.dom" || { echo "FAIL: $page rendered without section '$id'"; fail=1; }; done
  echo "report check: $page rendered by $("$browser" --version 2>/dev/null | head -1), $(grep -o '<svg' "$page.dom" | wc -l) SVG charts, no console message"
}
check one-arm.html curves aucc differences value-at-cost deciles importance
check arms.html curves aucc value-at-budget arm-split plan
exit $fail
