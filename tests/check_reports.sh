#!/usr/bin/env bash
# Fails when reports/ is stale: regenerates every scenario's report with
# the gpuplan under test into a temporary directory (scripts/
# regen-reports.sh) and compares it with reports/, byte for byte.
# Fix: scripts/regen-reports.sh (GPUPLAN=path/to/gpuplan), then review the
# diff and commit it.
set -u
bin=$1
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! GPUPLAN="$bin" "$root/scripts/regen-reports.sh" "$tmp/reports" \
     2>"$tmp/err"; then
  cat "$tmp/err"
  exit 1
fi
if ! diff -ru "$root/reports" "$tmp/reports" >"$tmp/diff"; then
  head -c 20000 "$tmp/diff"
  echo
  echo "reports/ is stale: run 'GPUPLAN=$bin scripts/regen-reports.sh'" \
       "and commit the result"
  exit 1
fi
echo "reports/ is up to date ($(ls "$tmp/reports" | wc -l) scenarios)"
