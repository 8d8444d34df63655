#!/usr/bin/env bash
# Installs what gpuplan needs that is missing (Debian 12, as root or with
# sudo), then configures and builds. Idempotent: a second run only rebuilds.
#   scripts/setup.sh             release build in build/ (warnings are errors)
#   scripts/setup.sh --sanitize  ASan + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium (and a font for it) renders report.html in the tests
# (tests/check_report_html.sh); the build does not need it.
pkgs=(build-essential cmake pkg-config libyaml-dev libcjson-dev libgsl-dev
      libglpk-dev chromium fonts-dejavu-core)
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

if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DGPUPLAN_SANITIZE=ON -DGPUPLAN_WERROR=ON)
else
  dir=build
  flags=(-DCMAKE_BUILD_TYPE=Release -DGPUPLAN_WERROR=ON)
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "setup: built $dir/gpuplan" >&2
