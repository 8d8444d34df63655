#!/usr/bin/env bash
# Runs one golden CLI case: tests/cases/<name>/cmd holds the arguments after
# 'gpuplan' (shell words, run from the repository root); expected.out,
# expected.err and expected.rc hold what must come back, byte for byte.
# GPUPLAN_UPDATE_GOLDEN=1 rewrites the expected files instead.
set -u
bin=$1
case_dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

eval "set -- $(cat "$case_dir/cmd")"
"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"

if [ "${GPUPLAN_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$tmp/out" "$case_dir/expected.out"
  cp "$tmp/err" "$case_dir/expected.err"
  cp "$tmp/rc" "$case_dir/expected.rc"
  exit 0
fi
status=0
for f in out err rc; do
  if ! diff -u "$case_dir/expected.$f" "$tmp/$f" >"$tmp/diff"; then
    echo "--- $(basename "$case_dir"): $f differs"
    cat "$tmp/diff"
    status=1
  fi
done
exit $status
