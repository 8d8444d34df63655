#!/usr/bin/env bash
# Fuzzing gpuplan's parsers with libFuzzer (docs/fuzzing.md).
#
#   scripts/fuzz.sh build              clang build with libFuzzer + ASan + UBSan
#   scripts/fuzz.sh list               the targets
#   scripts/fuzz.sh smoke [RUNS]       every target, RUNS executions each
#                                      (default 5000) or 15 s, whichever ends
#                                      first, fixed seed: what CI runs
#   scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer options...]
#                                      one campaign (default 600 s); the corpus
#                                      grows in $FUZZ_BUILD/corpus/TARGET,
#                                      crashers land in $FUZZ_BUILD/artifacts/TARGET
#   scripts/fuzz.sh seeds [TARGET...]  rebuild tests/fuzz/corpus/ from the test
#                                      fixtures, the seeds there and what the
#                                      campaigns found ($FUZZ_BUILD/corpus/),
#                                      minimised (libFuzzer -merge=1 keeps the
#                                      smallest inputs that add coverage)
#   scripts/fuzz.sh keep TARGET FILE   keep a crasher as a regression test
#                                      (tests/fuzz/regress/TARGET/)
#
# FUZZ_BUILD (default build-fuzz) is the build directory. Campaigns run at
# nice 19; run one at a time on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${FUZZ_BUILD:-build-fuzz}
targets=$(sed -n 's/^gp_fuzz_target(\([a-z_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
# libFuzzer options every run shares: a hostile input must end within a
# second (10 s leaves room for ASan), and memory stays bounded.
common=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)

die() { echo "fuzz.sh: $*" >&2; exit 2; }

is_target() {
  local t
  for t in $targets; do [ "$t" = "$1" ] && return 0; done
  return 1
}

do_build() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=${CC:-clang} cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
      -DGPUPLAN_FUZZ=ON -DGPUPLAN_WERROR=ON >/dev/null
  fi
  cmake --build "$build" -j"${JOBS:-$(nproc)}" --target fuzz >/dev/null
}

bin() { echo "$build/tests/fuzz/fuzz_$1"; }

# The kubectl seeds hold whole exports (a quarter of a megabyte): mutating
# those runs at 200 inputs a second, and one node or pod object is a few KiB.
maxlen_for() {
  case $1 in
    kubectl|dcgm) echo "-max_len=16384" ;;
  esac
}

dict_for() {
  case $1 in
    units|mig) ;;
    *) echo "-dict=tests/fuzz/yaml.dict" ;;
  esac
}

# Fixture files that seed each target; mig and units keep hand-written
# seeds only.
sources() {
  case $1 in
    yaml) ls tests/malformed/*.yaml tests/check/0[0-4]*.yaml scenarios/*.yaml \
             models/a100*.yaml ;;
    inventory) ls scenarios/*.yaml tests/fixtures/*.yaml tests/malformed/*.yaml ;;
    model) ls models/*.yaml tests/fixtures/*models/*.yaml ;;
    calib) ls models/calibration/*.yaml ;;
    scenario) ls scenarios/simulate/*.yaml tests/malformed-sim/*.yaml ;;
    check) ls tests/check/*.yaml ;;
    # The import targets read two or three files joined by NUL bytes; one
    # fixture alone is the first of them (nodes, metrics, -lgip).
    kubectl) ls tests/import/nodes*.json tests/import/bad/*.json ;;
    dcgm) ls tests/import/metrics*.txt tests/import/bad/metrics-*.txt ;;
    smi) ls tests/import/*-lgip*.txt tests/import/bad/lgip*.txt ;;
  esac
}

do_seeds() {
  local t tmp f extra
  do_build
  for t in "$@"; do
    is_target "$t" || die "unknown target '$t'"
    tmp=$(mktemp -d)
    mkdir "$tmp/in" "$tmp/out"
    for f in $(sources "$t"); do
      cp "$f" "$tmp/in/$(sha1sum "$f" | cut -c1-40)"
    done
    # Keep the seeds already there (some written by hand), add what the
    # campaigns found, then only inputs that add coverage.
    cp tests/fuzz/corpus/"$t"/* "$tmp/in/" 2>/dev/null || true
    extra=()
    [ -d "$build/corpus/$t" ] && extra=("$build/corpus/$t")
    "$(bin "$t")" -merge=1 "${common[@]}" "$tmp/out" "$tmp/in" "${extra[@]}" \
      >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "merge failed for $t"; }
    rm -rf "tests/fuzz/corpus/$t"
    mkdir -p "tests/fuzz/corpus/$t"
    cp "$tmp/out"/* "tests/fuzz/corpus/$t/"
    echo "seeds: $t: $(ls "tests/fuzz/corpus/$t" | wc -l) inputs"
    rm -rf "$tmp"
  done
}

do_smoke() {
  local runs=${1:-5000} t tmp log start
  do_build
  for t in $targets; do
    tmp=$(mktemp -d)
    log=$tmp/log
    start=$(date +%s)
    # New inputs go to the scratch directory (first), never into the
    # committed seeds; -seed fixes the mutation sequence.
    # The time bound keeps CI short where one input is slow (model and
    # calib enumerate or calibrate what they parse: tens of runs a second);
    # it cuts the same fixed mutation sequence earlier, never changes it.
    if ! "$(bin "$t")" -runs="$runs" -max_total_time=15 -seed=1 "${common[@]}" $(dict_for "$t") \
        -artifact_prefix="$tmp/" -print_final_stats=1 \
        "$tmp" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
      tail -n 60 "$log" >&2
      echo "fuzz smoke: $t FAILED; the input that failed:" >&2
      ls "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/oom-* "$tmp"/leak-* >&2 2>/dev/null || true
      exit 1
    fi
    echo "fuzz smoke: $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs," \
         "$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1), $(( $(date +%s) - start )) s"
    rm -rf "$tmp"
  done
}

do_run() {
  local t=$1 secs=${2:-600}
  shift $(( $# >= 2 ? 2 : 1 ))
  is_target "$t" || die "unknown target '$t' (scripts/fuzz.sh list)"
  do_build
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$build/logs"
  exec nice -n 19 "$(bin "$t")" -max_total_time="$secs" "${common[@]}" \
    $(dict_for "$t") $(maxlen_for "$t") -artifact_prefix="$build/artifacts/$t/" \
    -print_final_stats=1 "$@" "$build/corpus/$t" "tests/fuzz/corpus/$t"
}

do_keep() {
  local t=$1 f=$2 name tmp
  is_target "$t" || die "unknown target '$t'"
  [ -f "$f" ] || die "no file '$f'"
  mkdir -p "tests/fuzz/regress/$t"
  tmp=$(mktemp -d)
  cp "$f" "$tmp/in"
  # Smaller is easier to read: minimise while it still fails (needs the
  # fuzz build; skipped without it).
  if [ -x "$(bin "$t")" ]; then
    "$(bin "$t")" -minimize_crash=1 -max_total_time=60 "${common[@]}" \
      -exact_artifact_path="$tmp/min" "$tmp/in" >"$tmp/log" 2>&1 || true
    # libFuzzer can end a minimisation on an input that no longer fails:
    # keep the smaller one only when it still does.
    if [ -s "$tmp/min" ] && ! "$(bin "$t")" "${common[@]}" "$tmp/min" \
        >/dev/null 2>&1; then
      cp "$tmp/min" "$tmp/in"
    fi
  fi
  name=$(sha1sum "$tmp/in" | cut -c1-12)
  cp "$tmp/in" "tests/fuzz/regress/$t/$name"
  rm -rf "$tmp"
  echo "kept tests/fuzz/regress/$t/$name (the test fuzz-replay/$t runs it)"
}

case ${1:-} in
  build) do_build ;;
  list) echo "$targets" ;;
  smoke) shift; do_smoke "$@" ;;
  run) shift; [ $# -ge 1 ] || die "usage: fuzz.sh run TARGET [SECONDS] [options]"; do_run "$@" ;;
  seeds) shift; if [ $# -eq 0 ]; then set -- $targets; fi; do_seeds "$@" ;;
  keep) shift; [ $# -eq 2 ] || die "usage: fuzz.sh keep TARGET FILE"; do_keep "$@" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
