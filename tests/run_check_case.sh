#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/run_check_case.sh GPUPLAN tests/check/NNN-slug.yaml
#
# One case of the 'gpuplan check' corpus. Runs 'gpuplan check' on the case
# file (plus the arguments of a '# args:' line in it, e.g. an inventory)
# from the repository root, and compares every finding, as
#   <severity> <rule-id> <line>:<col>          (in the case file)
#   <severity> <rule-id> <file>:<line>:<col>   (in another file)
# with tests/check/NNN-slug.expected, in output order (sorted by position).
# The exit status must be 1 when an error is expected, else 0, unless a
# '# exit: N' line in the case says otherwise (2: the file cannot be read).
# GPUPLAN_UPDATE_GOLDEN=1 rewrites the .expected file from the actual run.
set -u

bin=$1
yaml=$2
case $bin in
/*) ;;
*/*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rel=tests/check/$(basename "$yaml")
expected=${rel%.yaml}.expected
cd "$root" || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpuplan-check.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

args=$(sed -n 's/^# args: //p' "$rel" | head -n 1)
# shellcheck disable=SC2086 # the args line holds several words
timeout 60 "$bin" check "$rel" $args >"$tmp/out" 2>"$tmp/err"
rc=$?
sed -n -E 's/^([^ ]+):([0-9]+):([0-9]+): (error|warning): .* \[([a-z0-9-]+)\]$/\4 \5 \1:\2:\3/p' \
    "$tmp/out" | sed "s# $rel:# #" >"$tmp/got"

if [ "${GPUPLAN_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/got" "$expected"
    echo "updated $expected"
    exit 0
fi
fail=0
if [ ! -f "$expected" ]; then
    echo "FAIL: $expected does not exist (GPUPLAN_UPDATE_GOLDEN=1 creates it)"
    exit 1
fi
want=0
grep -q '^error ' "$expected" && want=1
want=$(sed -n 's/^# exit: //p' "$rel" | head -n 1 | grep . || echo "$want")
if [ "$rc" -ne "$want" ]; then
    echo "FAIL: $rel: exit status $rc, expected $want"
    cat "$tmp/err"
    fail=1
fi
if ! diff -u --label "$expected" --label "findings" "$expected" "$tmp/got"; then
    echo "--- full output:"
    cat "$tmp/out"
    fail=1
fi
exit $fail
