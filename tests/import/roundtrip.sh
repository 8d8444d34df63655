#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/import/roundtrip.sh GPUPLAN: what 'gpuplan import' writes is what
# the rest of gpuplan reads. An inventory imported from the fixtures (nodes,
# pods, DCGM metrics) passes 'validate', 'recommend' and 'report'; a model file
# imported from nvidia-smi tables loads with --models and lays out MIG; a
# failed import leaves no file behind.
set -u
bin=$1
case $bin in
/*) ;;
*/*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpuplan-import.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
I=tests/import
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" import kubectl $I/nodes.json $I/pods.json --dcgm $I/metrics.txt \
    -o "$tmp/inv.yaml" >/dev/null 2>"$tmp/err" || fail "import kubectl"
"$bin" validate "$tmp/inv.yaml" >/dev/null || fail "validate"
"$bin" recommend "$tmp/inv.yaml" -o "$tmp/plan" >"$tmp/plan.txt"
rc=$?
[ $rc -le 1 ] || fail "recommend exited $rc"
[ -s "$tmp/plan/node-labels.yaml" ] || fail "recommend wrote no node labels"
"$bin" report "$tmp/inv.yaml" -o "$tmp/report" >/dev/null
rc=$?
[ $rc -le 1 ] || fail "report exited $rc"
[ -s "$tmp/report/report.html" ] || fail "report wrote no report.html"

# Node pools alone, and an inventory split into pools and workloads.
"$bin" import kubectl $I/nodes.json -o "$tmp/pools.yaml" >/dev/null \
    2>/dev/null || fail "import kubectl (nodes only)"
"$bin" validate "$tmp/pools.yaml" >/dev/null || fail "validate (nodes only)"

mkdir "$tmp/models"
"$bin" import nvidia-smi $I/h100-lgip.txt $I/h100-lgipp.txt $I/h100-q.txt \
    --id H100-NEXT --sm-count 132 --bandwidth 3350 \
    -o "$tmp/models/h100-next.yaml" 2>/dev/null || fail "import nvidia-smi"
"$bin" --models "$tmp/models" models show H100-NEXT >/dev/null 2>&1 &&
    fail "a model with another id but the same names must clash"
"$bin" import nvidia-smi $I/h100-lgip.txt $I/h100-lgipp.txt \
    --id H100-NEXT --sm-count 132 --bandwidth 3350 \
    -o "$tmp/models/h100-next.yaml" 2>/dev/null || fail "import nvidia-smi"
"$bin" --models "$tmp/models" models show H100-NEXT >/dev/null ||
    fail "models show"
a=$("$bin" mig layouts --gpu H100-SXM5-80GB --all | tail -n +2)
b=$("$bin" --models "$tmp/models" mig layouts --gpu H100-NEXT --all |
    tail -n +2)
[ "$a" = "$b" ] || fail "the imported H100 lays out differently"

# Nothing half-written: a failed import leaves no output file.
"$bin" import kubectl $I/bad/nodes-truncated.json -o "$tmp/bad.yaml" \
    >/dev/null 2>&1
[ $? -eq 2 ] || fail "a truncated file must exit 2"
[ ! -e "$tmp/bad.yaml" ] || fail "a failed import wrote its output"
ls -A "$tmp" | grep -q '^\.' && fail "a temporary file was left behind"
exit 0
