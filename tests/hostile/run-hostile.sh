#!/usr/bin/env bash
# The hostile tester (issue 9): publishes the uplift CLI (Release) to a temporary folder and runs every malformed-input
# case of tests/Uplift.Hostile against it, each as its own process. Prints a table per class (cases, clear errors,
# accepted, refused valid, unclear errors, crashes, hangs, wrong values, data loss) and the failing cases; exits
# non-zero when any case fails.
#
#   tests/hostile/run-hostile.sh                    # all classes
#   tests/hostile/run-hostile.sh --filter data      # one class (files, data, models, cli) or cases whose name contains the text
#   tests/hostile/run-hostile.sh --timeout 20 --jobs 2 --keep /tmp/hostile   # keep the case folders
#
# Device-node cases (a private /dev/null and /dev/full made with mknod) need root; elsewhere they are reported as
# "not run". Nothing outside the temporary folders is touched.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
pub="$(mktemp -d "${TMPDIR:-/tmp}/uplift-hostile-pub.XXXXXX")"
trap 'rm -rf "$pub"' EXIT
dotnet publish "$repo/src/Uplift.Cli" -c Release -o "$pub" --nologo -v quiet >/dev/null
exe="$pub/uplift"
[ -x "$exe" ] || exe="$pub/Uplift.Cli"
[ -x "$exe" ] || { echo "no uplift executable in $pub" >&2; exit 2; }
dotnet build "$repo/tests/Uplift.Hostile" -c Release --nologo -v quiet >/dev/null
dotnet run --project "$repo/tests/Uplift.Hostile" -c Release --no-build -- --uplift "$exe" "$@"
