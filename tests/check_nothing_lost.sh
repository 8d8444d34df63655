#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/check_nothing_lost.sh GPUPLAN
#
# Nothing lost (docs/limits.md, "Outputs"), end to end: a write that fails
# half way (a full disk, simulated with a file size limit: 'ulimit -f',
# SIGXFSZ ignored, so write(2) fails with EFBIG) leaves the output
# directory exactly as it was, with no temporary file; gpuplan never writes
# through a symbolic link in it, and never overwrites one of its inputs.
# Each failure must be exit status 3 with a clear error.
set -u
bin=$1
case $bin in
/*) ;;
*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0

# Names, kinds and contents of everything under a directory, hidden
# entries included.
snapshot() {
    (cd "$1" && find . -print0 | LC_ALL=C sort -z |
        while IFS= read -r -d '' f; do
            if [ -L "$f" ]; then
                echo "$f -> $(readlink "$f")"
            elif [ -f "$f" ]; then
                echo "$f $(cksum <"$f")"
            else
                echo "$f/"
            fi
        done)
}

# expect RC WHAT-THE-ERROR-SAYS COMMAND...: runs gpuplan, checks the exit
# status and that stderr names the problem.
expect() {
    local want=$1 say=$2 rc
    shift 2
    "$@" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" -ne "$want" ] || ! grep -q -- "$say" err.txt; then
        echo "FAIL: '$*': exit $rc (expected $want), stderr:" >&2
        cat err.txt >&2
        fail=1
    fi
}

# Same, with writes limited to 'blocks' of 1 KiB (a disk that fills up).
full_disk() {
    local blocks=$1
    shift
    (trap '' XFSZ; ulimit -f "$blocks"; expect 3 "cannot write output file" "$@"; exit "$fail")
    [ $? -eq 0 ] || fail=1
}

same() {
    if [ "$(snapshot "$1")" != "$2" ]; then
        echo "FAIL: $3: $1 changed:" >&2
        diff <(echo "$2") <(snapshot "$1") >&2
        fail=1
    fi
}

cp "$root/scenarios/small-lab.yaml" inv.yaml
sed 's/pricePerGPUHour: 1.10/pricePerGPUHour: 1.20/' inv.yaml >inv2.yaml

# recommend -o: seven files as one unit.
"$bin" recommend inv.yaml -o out >/dev/null 2>&1
[ -f out/plan.json ] && [ -f out/device-plugin-config.yaml ] ||
    { echo "FAIL: recommend -o wrote no files" >&2; exit 1; }
before=$(snapshot out)
full_disk 1 "$bin" recommend inv2.yaml -o out
same out "$before" "recommend on a full disk"
# A new directory on a full disk: none appears, no temporary one is left.
full_disk 1 "$bin" recommend inv2.yaml -o new
[ ! -e new ] && [ -z "$(ls -A | grep -v '^inv\|^out$\|\.txt$')" ] ||
    { echo "FAIL: recommend on a full disk left: $(ls -A)" >&2; fail=1; }

# report -o: three files as one unit.
"$bin" report inv.yaml -o rep >/dev/null 2>&1
before=$(snapshot rep)
full_disk 8 "$bin" report inv2.yaml -o rep
same rep "$before" "report on a full disk"

# A link in the output directory, out of it: neither followed nor replaced.
echo "the user's" >secret
rm out/plan.txt
ln -s ../secret out/plan.txt
before=$(snapshot out)
expect 3 "refusing to replace a symbolic link" "$bin" recommend inv2.yaml -o out
same out "$before" "recommend over a link"
[ "$(cat secret)" = "the user's" ] || { echo "FAIL: secret written" >&2; fail=1; }
rm out/plan.txt
ln -s /dev/full out/plan.txt
expect 3 "refusing to replace a symbolic link" "$bin" recommend inv2.yaml -o out
rm out/plan.txt
mkfifo out/plan.txt
expect 3 "not a regular file" "$bin" recommend inv2.yaml -o out
rm out/plan.txt

# An input in the output directory, under the name of an output.
cp inv.yaml out/node-labels.yaml
before=$(snapshot out)
expect 3 "refusing to overwrite an input file" \
    "$bin" recommend out/node-labels.yaml -o out
same out "$before" "recommend over its input"
ln out/node-labels.yaml alias.yaml
expect 3 "refusing to overwrite an input file" \
    "$bin" recommend alias.yaml -o out
same out "$before" "recommend over its input (hard link)"

# generate -o FILE: not through a link, and atomic on a full disk.
ln -s secret gen.yaml
expect 3 "refusing to replace a symbolic link" "$bin" generate -o gen.yaml
[ "$(cat secret)" = "the user's" ] || { echo "FAIL: secret written" >&2; fail=1; }
rm gen.yaml
echo "old" >gen.yaml
full_disk 1 "$bin" generate --nodes 200 -o gen.yaml
[ "$(cat gen.yaml)" = "old" ] || { echo "FAIL: gen.yaml changed" >&2; fail=1; }

# Nothing temporary anywhere.
left=$(find . -name '.*.tmp.*' -o -name '.*.old.*')
[ -z "$left" ] || { echo "FAIL: temporary files left: $left" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "nothing lost"
exit "$fail"
