#!/usr/bin/env bash
# Opens an HTML report in headless Chromium, takes a screenshot and fails when the page
#   - writes anything to the JavaScript console (uncaught errors, console.error/warn/log: the report has no script), or
#   - makes any network request (every page-initiated http(s) request is logged and blocked), or
#   - references an external resource in its markup (static check, before the browser runs).
#
# Usage:  tests/browser/check-report.sh REPORT.html [SCREENSHOT.png]
#   SCREENSHOT defaults to REPORT.png next to the report. WINDOW=1280,2400 (default) sets the viewport.
#   Installs Debian's chromium with apt-get when `chromium` is not on the PATH.
# Exit status: 0 = clean, 1 = a check failed, 2 = usage or setup problem. Prints the screenshot path.
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
html=$(readlink -f -- "$1")
if [ ! -f "$html" ]; then echo "check-report: no such file: $1" >&2; exit 2; fi
shot=$(readlink -f -- "${2:-${html%.*}.png}")
window=${WINDOW:-1280,2400}

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "check-report: installing chromium (apt-get)" >&2
  $sudo apt-get update && $sudo apt-get install -y chromium || { echo "check-report: could not install chromium" >&2; exit 2; }
fi

failed=0

# 1. Static check: no external resource in the markup. The only http(s) URLs allowed are SVG/XML namespaces.
external=$(grep -n -o -i -E '(src|href|action|poster|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//[^"'"'"' >]*|url\([[:space:]]*["'"'"']?(https?:)?//[^)]*\)|@import[^;]*' -- "$html" || true)
if [ -n "$external" ]; then
  echo "check-report: FAIL external resource references:" >&2
  echo "$external" | sed 's/^/  /' >&2
  failed=1
fi

# 2. Headless run: screenshot, console messages on stderr, network log. Virtual time lets timers and
#    load handlers run before the screenshot; the resolver rule blocks any request that would leave the machine.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$work/netlog.json" \
  --virtual-time-budget=3000 --hide-scrollbars \
  --window-size="$window" --screenshot="$shot" "file://$html" >"$work/stdout" 2>"$work/stderr"
rc=$?
if [ $rc -ne 0 ]; then
  echo "check-report: FAIL chromium exited with status $rc" >&2
  grep -a -v -E 'dbus|idle_linux|vaapi|sandbox_linux' "$work/stderr" | tail -20 >&2
  failed=1
fi

# Chromium logs every console message of the page as "...:CONSOLE:<line>] "<message>", source: <url> (<line>)".
console=$(grep -a -E ':CONSOLE[:(]' "$work/stderr" || true)
if [ -n "$console" ]; then
  echo "check-report: FAIL the page wrote to the console:" >&2
  echo "$console" | sed -E 's/^\[[^]]*\] ?/  /' >&2
  failed=1
fi

# Requests started by the page carry the page's file:// network isolation key (the browser's own
# background requests carry another key and are ignored).
requests=$(grep -a '"network_isolation_key":"file://' "$work/netlog.json" 2>/dev/null | grep -a -o '"url":"[^"]*"' | grep -a -v '"url":"file://' | sort -u || true)
if [ -n "$requests" ]; then
  echo "check-report: FAIL the page requested network resources:" >&2
  echo "$requests" | sed 's/^/  /' >&2
  failed=1
fi

if [ ! -s "$shot" ]; then
  echo "check-report: FAIL no screenshot was written" >&2
  failed=1
else
  echo "$shot"
fi

if [ $failed -eq 0 ]; then echo "check-report: OK $html" >&2; fi
exit $failed
