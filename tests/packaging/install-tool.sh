#!/usr/bin/env bash
# Proves the packaging works as a .NET user expects: packs the library (Uplift.Core, with symbols) and the CLI
# (the .NET tool package 'uplift') into a temporary folder, installs the tool from there into a temporary
# --tool-path, and runs 'uplift demo' with the installed command. Leaves nothing behind.
# Usage: tests/packaging/install-tool.sh   (from anywhere; needs the .NET SDK)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/uplift-pack.XXXXXX")"
trap 'rm -rf "$work"' EXIT
feed="$work/nupkg"
tools="$work/tools"

echo "== dotnet pack (library and tool) -> $feed"
dotnet pack "$repo/src/Uplift/Uplift.csproj" -c Release -o "$feed" --nologo -v quiet
dotnet pack "$repo/src/Uplift.Cli/Uplift.Cli.csproj" -c Release -o "$feed" --nologo -v quiet
ls -1 "$feed"
for pattern in 'Uplift.Core.*.nupkg' 'Uplift.Core.*.snupkg' 'uplift.*.nupkg'; do
  compgen -G "$feed/$pattern" > /dev/null || { echo "FAIL: no $pattern in $feed"; exit 1; }
done
lib="$(ls "$feed"/Uplift.Core.*.nupkg | grep -v snupkg | head -1)"
echo "== contents of $(basename "$lib") (readme, licence, XML docs, assembly)"
listing="$(unzip -l "$lib")"
grep -E 'README.md|LICENSE|lib/net.*/Uplift\.(dll|xml)' <<< "$listing" || true
for f in README.md LICENSE lib/net10.0/Uplift.dll lib/net10.0/Uplift.xml; do
  grep -q " $f\$" <<< "$listing" || { echo "FAIL: $f missing from $(basename "$lib")"; exit 1; }
done
nuspec="$(unzip -p "$lib" '*.nuspec')"
grep -q '<license type="expression">MIT</license>' <<< "$nuspec" || { echo "FAIL: no MIT licence expression in the nuspec"; exit 1; }
grep -q '<readme>README.md</readme>' <<< "$nuspec" || { echo "FAIL: no readme in the nuspec"; exit 1; }

echo "== dotnet tool install --tool-path $tools --add-source $feed uplift"
# A private package cache, so the freshly packed uplift is installed, never a cached one of the same version.
NUGET_PACKAGES="$work/packages" dotnet tool install --tool-path "$tools" --add-source "$feed" uplift
test -x "$tools/uplift" || { echo "FAIL: the installed tool has no 'uplift' command"; exit 1; }

echo "== uplift demo --rows 4000 --no-baselines --out-dir $work/demo"
set +e
"$tools/uplift" demo --rows 4000 --no-baselines --out-dir "$work/demo" > "$work/demo.log" 2>&1
code=$?
set -e
cat "$work/demo.log"
if [ "$code" -ne 0 ]; then echo "FAIL: 'uplift demo' exited with $code"; exit 1; fi
grep -qi 'aucc' "$work/demo.log" || { echo "FAIL: the demo output does not mention AUCC"; exit 1; }
echo "OK: the packed tool installs and 'uplift demo' runs (exit 0)."
