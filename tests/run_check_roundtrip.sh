#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/run_check_roundtrip.sh GPUPLAN scenarios/NAME.yaml
#
# 'gpuplan recommend' must write configs that 'gpuplan check' accepts with
# no errors: recommend the scenario into a temporary directory (exit 1, a
# missed target, is allowed), then check every YAML file it wrote against
# the same inventory; check must exit 0 (warnings allowed).
set -u

bin=$1
scenario=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpuplan-roundtrip.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

"$bin" recommend "$scenario" -o "$tmp/out" >"$tmp/plan.txt" 2>"$tmp/plan.err"
rc=$?
if [ "$rc" -gt 1 ]; then
    echo "FAIL: recommend exited $rc"
    cat "$tmp/plan.err"
    exit 1
fi
"$bin" check "$tmp"/out/*.yaml --inventory "$scenario" >"$tmp/check.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL: check exited $rc on the output of recommend $scenario"
    cat "$tmp/check.out"
    exit 1
fi
cat "$tmp/check.out"
exit 0
