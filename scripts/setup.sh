#!/usr/bin/env bash
# Installs what gpuplan needs that is missing (Debian 12, as root or with
# sudo), then configures and builds. Idempotent: a second run only rebuilds.
#   scripts/setup.sh             release build in build/ (warnings are errors)
#   scripts/setup.sh --sanitize  ASan + UBSan build in build-asan/
#   scripts/setup.sh --memcheck  build-memcheck/: its tests run gpuplan under
#                                valgrind memcheck (installs valgrind)
#   scripts/setup.sh --fuzz      build-fuzz/: libFuzzer targets with ASan +
#                                UBSan (installs clang and its runtimes;
#                                scripts/fuzz.sh runs them, docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case $mode in
  ""|--sanitize|--memcheck|--fuzz) ;;
  *) echo "usage: $0 [--sanitize | --memcheck | --fuzz]" >&2; exit 2 ;;
esac

# chromium (and a font for it) renders report.html in the tests
# (tests/check_report_html.sh); the build does not need it.
pkgs=(build-essential cmake pkg-config libyaml-dev libcjson-dev libgsl-dev
      libglpk-dev chromium fonts-dejavu-core)
case $mode in
  --memcheck) pkgs+=(valgrind) ;;
  # Debian 12: clang 14; libFuzzer and the sanitizer runtimes are in
  # libclang-rt-14-dev (libclang-rt-dev depends on it).
  --fuzz) pkgs+=(clang libclang-rt-dev) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

case $mode in
  --sanitize)
    dir=build-asan
    # -O1, as AddressSanitizer's documentation advises for reasonable
    # speed (docs/testing.md has the stage times).
    flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1"
           -DGPUPLAN_SANITIZE=ON -DGPUPLAN_WERROR=ON) ;;
  --memcheck)
    # Optimised as released, with line numbers for valgrind's reports.
    dir=build-memcheck
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUPLAN_MEMCHECK=ON
           -DGPUPLAN_WERROR=ON) ;;
  --fuzz)
    FUZZ_BUILD=build-fuzz scripts/fuzz.sh build
    echo "setup: built build-fuzz/tests/fuzz/fuzz_*" >&2
    exit 0 ;;
  *)
    dir=build
    flags=(-DCMAKE_BUILD_TYPE=Release -DGPUPLAN_WERROR=ON) ;;
esac
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "setup: built $dir/gpuplan" >&2
