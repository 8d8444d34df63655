#!/usr/bin/env bash
# Regenerates reports/: for every scenario scenarios/NAME.yaml, the report
# that 'gpuplan report' writes (report.html, report.md, report.json) in
# reports/NAME/. One command, run from anywhere after a build:
#   scripts/regen-reports.sh            # with build/gpuplan, into reports/
#   GPUPLAN=path/to/gpuplan scripts/regen-reports.sh [OUTDIR]
# Everything is written to a temporary directory first; OUTDIR is replaced
# only when every scenario's report was written. tests/check_reports.sh
# runs this into a temporary directory and fails when reports/ differs.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${GPUPLAN:-build/gpuplan}
out=${1:-reports}
if [ ! -x "$bin" ]; then
  echo "regen-reports: '$bin' is not built (scripts/setup.sh builds it)" >&2
  exit 2
fi
out=${out%/}
tmp=$(mktemp -d "${out}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for f in scenarios/*.yaml; do
  name=$(basename "$f" .yaml)
  rc=0
  "$bin" report "$f" -o "$tmp/$name" >/dev/null || rc=$?
  # 1 means the plan has findings: the report is written all the same
  if [ "$rc" -gt 1 ]; then
    echo "regen-reports: 'gpuplan report $f' failed (exit $rc)" >&2
    exit 1
  fi
done
chmod 755 "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "regen-reports: wrote $(ls "$out" | wc -l) reports to $out/" >&2
