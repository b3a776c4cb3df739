#!/usr/bin/env bash
# Proves the packaging works as a .NET user expects: packs the library (Uplift.Core, with symbols) and the CLI
# (the .NET tool package 'uplift') into a temporary folder, installs the tool from there into a temporary
# --tool-path, and checks the installed command: it is called 'uplift', its help and version say so, and
# 'uplift demo' runs. Prints the size of each package (the tool's native assets: Uplift.Cli.csproj,
# UpliftNativeRids). Leaves nothing behind.
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

tool_pkg="$(ls "$feed"/uplift.*.nupkg | head -1)"
echo "== package sizes"
for p in "$lib" "$tool_pkg"; do
  printf '%s: %s bytes (%s MB)\n' "$(basename "$p")" "$(stat -c %s "$p")" "$(awk -v b="$(stat -c %s "$p")" 'BEGIN { printf "%.1f", b / 1e6 }')"
done
for p in "$lib" "$tool_pkg"; do
  spec="$(unzip -p "$p" '*.nuspec')"
  grep -q '<repository type="git" url="https://' <<< "$spec" || { echo "FAIL: no repository URL in $(basename "$p")"; exit 1; }
  grep -q '<projectUrl>https://' <<< "$spec" || { echo "FAIL: no project URL in $(basename "$p")"; exit 1; }
  # The README inside the package links only to absolute addresses (nothing outside the package is reachable).
  readme="$(unzip -p "$p" README.md)"
  if grep -Eo '\]\([^)]*\)' <<< "$readme" | grep -Ev '\]\((https?:|#)'; then
    echo "FAIL: the README in $(basename "$p") links to a relative path"; exit 1
  fi
done
echo "== native assets in $(basename "$tool_pkg")"
natives="$(unzip -l "$tool_pkg" | awk '{print $4}' | grep -E '/runtimes/[^/]+/native/' | sed -E 's|.*/runtimes/([^/]+)/native/.*|\1|' | sort -u)"
echo "$natives"
for rid in linux-x64 osx win-x64; do
  grep -qx "$rid" <<< "$natives" || { echo "FAIL: no native SkiaSharp for $rid in the tool package"; exit 1; }
done
for rid in linux-riscv64 linux-loongarch64 linux-x86 win-x86; do
  ! grep -qx "$rid" <<< "$natives" || { echo "FAIL: the tool package still carries $rid"; exit 1; }
done

echo "== dotnet tool install --tool-path $tools --add-source $feed uplift"
# A private package cache, so the freshly packed uplift is installed, never a cached one of the same version.
NUGET_PACKAGES="$work/packages" dotnet tool install --tool-path "$tools" --add-source "$feed" uplift
test -x "$tools/uplift" || { echo "FAIL: the installed tool has no 'uplift' command"; exit 1; }
help="$("$tools/uplift" --help)"
grep -Eq '^  uplift \[command\] \[options\]' <<< "$help" || { echo "FAIL: 'uplift --help' does not say 'Usage: uplift'"; echo "$help" | head -8; exit 1; }
! grep -q 'Uplift.Cli' <<< "$help" || { echo "FAIL: 'uplift --help' names Uplift.Cli"; exit 1; }
"$tools/uplift" train --help | grep -q '^  uplift train \[options\]' || { echo "FAIL: 'uplift train --help' does not say 'uplift train'"; exit 1; }
version="$("$tools/uplift" --version)"
echo "uplift --version: $version"
grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' <<< "$version" || { echo "FAIL: 'uplift --version' printed '$version'"; exit 1; }

echo "== uplift demo --rows 4000 --no-baselines --out-dir $work/demo"
set +e
"$tools/uplift" demo --rows 4000 --no-baselines --out-dir "$work/demo" > "$work/demo.log" 2>&1
code=$?
set -e
cat "$work/demo.log"
if [ "$code" -ne 0 ]; then echo "FAIL: 'uplift demo' exited with $code"; exit 1; fi
grep -qi 'aucc' "$work/demo.log" || { echo "FAIL: the demo output does not mention AUCC"; exit 1; }
test -s "$work/demo/cost-curves.png" || { echo "FAIL: the demo wrote no PNG (native SkiaSharp missing?)"; exit 1; }
echo "OK: the packed tool installs as 'uplift', its help and version say so, and 'uplift demo' runs (exit 0)."
