#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/run_malformed.sh GPUPLAN tests/malformed/NNN-slug.yaml [COMMAND]
#
# Runs 'gpuplan COMMAND tests/malformed/NNN-slug.yaml' (COMMAND defaults to
# validate; the file may be in any directory under tests/) from the repository
# root (so paths in messages are relative), requires exit status 2, and
# compares stderr with tests/malformed/NNN-slug.err byte for byte.
# GPUPLAN_UPDATE_GOLDEN=1 rewrites the .err file from the actual stderr
# (the exit status must still be 2).
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 PATH-TO-GPUPLAN PATH-TO-YAML [COMMAND]" >&2
    exit 2
fi

bin=$1
yaml=$2
cmd=${3:-validate}

# Make the binary path absolute before changing directory.
case $bin in
/*) ;;
*/*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
name=$(basename "$yaml" .yaml)
sub=$(basename "$(dirname "$yaml")")
rel=tests/$sub/$name.yaml
golden=tests/$sub/$name.err

cd "$root" || exit 1
if [ ! -f "$rel" ]; then
    echo "FAIL: $rel does not exist" >&2
    exit 1
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/gpuplan-malformed.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.out"' EXIT

timeout 10 "$bin" "$cmd" "$rel" >"$tmp.out" 2>"$tmp"
rc=$?

fail=0
if [ "$rc" -ne 2 ]; then
    echo "FAIL: $rel: exit status $rc, expected 2" >&2
    if [ -s "$tmp.out" ]; then
        echo "--- stdout:" >&2
        cat "$tmp.out" >&2
    fi
    echo "--- stderr:" >&2
    cat "$tmp" >&2
    fail=1
fi

if [ "${GPUPLAN_UPDATE_GOLDEN:-0}" = 1 ]; then
    if [ "$fail" -ne 0 ]; then
        echo "not updating $golden: exit status is not 2" >&2
        exit 1
    fi
    cp "$tmp" "$golden" || exit 1
    echo "updated $golden"
    exit 0
fi

if [ ! -f "$golden" ]; then
    echo "FAIL: $golden does not exist (GPUPLAN_UPDATE_GOLDEN=1 creates it)" >&2
    exit 1
fi

if ! diff -u --label "$golden (expected)" --label "stderr (actual)" \
        "$golden" "$tmp"; then
    echo "FAIL: $rel: stderr differs from $golden" >&2
    fail=1
fi

exit "$fail"
