#!/usr/bin/env bash
# Renders one scenario's report.html in headless Chromium (Debian's
# 'chromium', which scripts/setup.sh installs) and checks that:
#  - the page references no external asset (it must open offline);
#  - it loads with no console message (errors, CSP violations);
#  - every chart report.json implies is in the DOM (GPUs and cost before
#    and after, load per pool, latency and throughput against target when
#    some workload has such a target, one picture per MIG layout), and
#    each one renders with a size;
# and keeps light and dark screenshots in OUTDIR as test artifacts.
# Usage: check_report_html.sh GPUPLAN OUTDIR SCENARIO.yaml
# Exit 77 (skipped) only when chromium is not installed.
set -u
bin=$1
out=$2
scen=$3
chromium=${GPUPLAN_CHROMIUM:-/usr/bin/chromium}
root=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$scen" .yaml)
dir=$out/$name

if [ ! -x "$chromium" ]; then
  echo "SKIPPED: $chromium is not installed, so report.html was not" \
       "rendered (scripts/setup.sh installs Debian's chromium)"
  exit 77
fi
fail() {
  echo "FAIL ($name): $*"
  exit 1
}

mkdir -p "$out"
rm -rf "$dir"
(cd "$root" && "$bin" report "$scen" -o "$dir" >/dev/null)
rc=$?
[ "$rc" -le 1 ] || fail "gpuplan report exited $rc"
html=$dir/report.html
json=$dir/report.json

# 1. self-contained: no URL to load, no import
if grep -Eq '(src|href|xlink:href)="(https?:|//|file:)|url\((https?:|//)|@import' \
     "$html"; then
  fail "report.html references an external asset"
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
run_chromium() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
    --no-first-run --no-default-browser-check --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --hide-scrollbars \
    --window-size=1280,6000 "$@"
}

# 2. load as is (its Content-Security-Policy forbids scripts and any
# load); dump the DOM and take the light screenshot
run_chromium --screenshot="$out/$name-light.png" --dump-dom \
  "file://$html" >"$dir/dom.html" 2>"$dir/chromium.log" ||
  fail "chromium failed (see $dir/chromium.log)"
if grep -E 'CONSOLE|Uncaught|Refused to' "$dir/chromium.log" >"$dir/console.log"
then
  cat "$dir/console.log"
  fail "console messages while loading report.html"
fi
[ -s "$out/$name-light.png" ] || fail "no screenshot"

# the charts report.json implies
want="gpus cost load"
grep -q '"p99OfTarget"' "$json" && want="$want latency"
grep -q '"throughputOfTarget"' "$json" && want="$want throughput"
n_mig=$(grep -c '"layout":' "$json")
i=0
while [ "$i" -lt "$n_mig" ]; do
  want="$want mig"
  i=$((i + 1))
done
got=$(grep -o 'data-chart="[a-z]*"' "$dir/dom.html" | sed 's/data-chart="//; s/"//' |
      tr '\n' ' ' | sed 's/ $//')
sorted() { tr ' ' '\n' | sort | tr '\n' ' '; }
[ "$(echo "$want" | sorted)" = "$(echo "$got" | sorted)" ] ||
  fail "charts in the DOM: '$got'; expected '$want'"
n_svg=$(grep -o '<svg ' "$dir/dom.html" | wc -l)
n_fig=$(echo "$got" | wc -w)
[ "$n_svg" -eq "$n_fig" ] || fail "$n_fig charts but $n_svg <svg> elements"

# 3. every chart renders with a size: a copy without the policy, with a
# probe that measures each chart and writes the result into the page
sed -e '/Content-Security-Policy/d' \
    -e 's#</body>#<script>(function(){var f=document.querySelectorAll("figure.chart"),r=[],i;for(i=0;i<f.length;i++){var s=f[i].querySelector("svg"),b=s?s.getBoundingClientRect():null,n=s?s.querySelectorAll("rect,path,text").length:0;r.push(f[i].getAttribute("data-chart")+(b\&\&b.width>200\&\&b.height>40\&\&n>=5?":ok":":EMPTY"));}var p=document.createElement("pre");p.id="gp-probe";p.textContent=r.join(" ");document.body.appendChild(p);})();</script></body>#' \
    "$html" >"$dir/probe.html"
run_chromium --dump-dom "file://$dir/probe.html" >"$dir/probe-dom.html" \
  2>"$dir/probe.log" || fail "chromium failed on the probe"
probe=$(sed -n 's#.*<pre id="gp-probe">\([^<]*\)</pre>.*#\1#p' "$dir/probe-dom.html")
[ -n "$probe" ] || fail "the probe did not run"
case " $probe " in
  *EMPTY*) fail "a chart rendered empty: $probe" ;;
esac

# 4. the dark scheme (prefers-color-scheme: dark)
run_chromium --force-dark-mode --blink-settings=preferredColorScheme=0 \
  --screenshot="$out/$name-dark.png" "file://$html" >/dev/null \
  2>"$dir/chromium-dark.log" || fail "chromium failed (dark)"
[ -s "$out/$name-dark.png" ] || fail "no dark screenshot"

echo "ok ($name): charts $probe"
echo "screenshots: $out/$name-light.png $out/$name-dark.png"
