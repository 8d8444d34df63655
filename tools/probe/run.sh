#!/usr/bin/env bash
# gpuplan calibration driver: builds tools/probe/gpuprobe, runs the whole
# calibration procedure on GPU 0 and writes a calibration YAML that
# `gpuplan --calibration FILE` reads.  See docs/calibration.md.
#
#   tools/probe/run.sh --out FILE [--raw DIR] [--quick] [--no-mps] [--no-ts]
#                      [--model-id ID] [--date YYYY-MM-DD] [--sections LIST]
#
# --sections: comma-separated subset of ts_spin,ts_lat,ts_small,ts_pair,
# mps_caps,mps_small,mps_pair,mps_capped_pair,mps_lat,mps_clients (default:
# all).  Device facts, bandwidth and the iteration calibration always run.
#
# It changes NO GPU setting (no MIG mode, clocks, compute mode, compute
# policy, persistence, reset).  It starts its own MPS control daemon with
# private pipe/log directories under /tmp for the MPS part and always quits
# it again (trap), even on failure.  Needs: nvcc, nvidia-smi, python3 (stdlib
# only) and, for the MPS part, nvidia-cuda-mps-control.
#
# Environment overrides (defaults in brackets):
#   SECS [1.5]       wall time of each throughput / latency measurement
#   SPIN_MS [1500]   length of each time-slice spin run
#   REPS [3]         repetitions of each throughput configuration
#   SMALL_BLOCKS [4] SMALL_US [50]   the small-kernel workload
#   BLK_US [100]     block duration of the full-GPU FMA kernel (hog)
#   SMALL_ITERS, FMA_ITERS   skip the calibration and use these counts
#   MARGIN_MS [auto] barrier margin for process start-up
#   PROBE_BUILD_DIR [/tmp/gpuplan-probe]   ARCH [-arch=native if a GPU]
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTFILE=""
RAW=""
QUICK=0
DO_MPS=1
DO_TS=1
MODEL_ID=""
SECTIONS=""
DATE=$(date -u +%Y-%m-%d)
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUTFILE=$2; shift 2 ;;
        --raw) RAW=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --no-mps) DO_MPS=0; shift ;;
        --no-ts) DO_TS=0; shift ;;
        --model-id) MODEL_ID=$2; shift 2 ;;
        --date) DATE=$2; shift 2 ;;
        --sections) SECTIONS=",$2,"; shift 2 ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 1 ;;
    esac
done
[ -n "$OUTFILE" ] || { echo "run.sh: --out FILE is required" >&2; exit 1; }

if [ "$QUICK" = 1 ]; then
    SECS=${SECS:-0.4}; SPIN_MS=${SPIN_MS:-400}; REPS=${REPS:-1}
else
    SECS=${SECS:-1.5}; SPIN_MS=${SPIN_MS:-1500}; REPS=${REPS:-3}
fi
SMALL_BLOCKS=${SMALL_BLOCKS:-4}
SMALL_US=${SMALL_US:-50}
BLK_US=${BLK_US:-100}
LAT_KERN_US=${LAT_KERN_US:-5}
BUILD=${PROBE_BUILD_DIR:-/tmp/gpuplan-probe}
[ -n "$RAW" ] || RAW=$(mktemp -d /tmp/gpuplan-calib-raw.XXXXXX)
mkdir -p "$RAW/data"
RES=$RAW/results.kv
ERR=$RAW/stderr.log
LOG=$RAW/driver.log
: > "$RES"; : > "$ERR"; : > "$LOG"
T_START=$(date +%s)

log() { echo "[$(date +%H:%M:%S) +$(( $(date +%s) - T_START ))s] $*" | tee -a "$LOG" >&2; }

# ------------------------------------------------------------------ build --
if [ -z "${ARCH:-}" ]; then
    if nvidia-smi -L >/dev/null 2>&1; then ARCH="-arch=native"; fi
fi
log "building probe into $BUILD"
if ! make -s -C "$HERE" BUILD="$BUILD" ${ARCH:+ARCH="$ARCH"} >>"$LOG" 2>&1; then
    log "build failed"; tail -20 "$LOG" >&2; exit 1
fi
P=$BUILD/gpuprobe
cp "$BUILD/ptxas.log" "$RAW/ptxas.log" 2>/dev/null || true

# -------------------------------------------------------- process helpers --
declare -a PIDS=() OUTS=()
SEQ=0
MPS_STARTED=0
MPS_PIPE=""
MPS_LOGD=""

# bg [ENV=VAL ...] -- gpuprobe args...   start one probe process
bg() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local out=$RAW/data/proc.$SEQ.out
    SEQ=$((SEQ + 1))
    env "${envs[@]}" timeout -k 5 "${PROC_TIMEOUT:-90}" "$P" "$@" >"$out" 2>>"$ERR" &
    PIDS+=($!)
    OUTS+=("$out")
}

waitall() {
    local i rc
    for i in "${!PIDS[@]}"; do
        wait "${PIDS[$i]}"; rc=$?
        [ $rc -eq 0 ] || echo "process ${OUTS[$i]} exited rc=$rc" >>"$ERR"
        if grep -q '^RESULT ' "${OUTS[$i]}"; then
            grep '^RESULT ' "${OUTS[$i]}" >>"$RES"
        else
            echo "RESULT status=noresult rc=$rc out=${OUTS[$i]}" >>"$RES"
        fi
        rm -f "${OUTS[$i]}"
    done
    PIDS=(); OUTS=()
}

# one process, foreground
fg1() { bg "$@"; waitall; }

at() { echo $(( $(date +%s%N) + $1 * 1000000 )); }

# want SECTION: true if SECTION was asked for (or no --sections given)
want() { [ -z "$SECTIONS" ] || [[ "$SECTIONS" == *",$1,"* ]]; }

# value of key K in the last RESULT line that contains pattern PAT
getkv() { grep -F -- "$1" "$RES" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -1; }

mps_quit() {
    if [ "$MPS_STARTED" = 1 ]; then
        log "quitting MPS control daemon"
        echo quit | CUDA_MPS_PIPE_DIRECTORY=$MPS_PIPE timeout 30 nvidia-cuda-mps-control >>"$LOG" 2>&1
        local k
        for k in $(seq 1 40); do   # wait (<= 20 s) until the daemon logs its exit
            grep -q "Exit with status" "$MPS_LOGD/control.log" 2>/dev/null && break
            sleep 0.5
        done
        ls -la "$MPS_PIPE" >>"$LOG" 2>&1
        cp -r "$MPS_LOGD" "$RAW/mps-log" 2>/dev/null || true
        MPS_STARTED=0
    fi
}

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    mps_quit
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ----------------------------------------------------------- device facts --
log "device facts"
{
    echo "# nvidia-smi (read-only queries)"
    nvidia-smi --query-gpu=name,driver_version,pci.device_id,memory.total,compute_mode,mig.mode.current,persistence_mode,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,power.limit,temperature.gpu --format=csv 2>&1
    nvidia-smi 2>&1 | sed -n 1,12p
    echo "# nvcc"; nvcc --version 2>&1 | tail -2
    echo "# uname"; uname -srm
    echo "# mps-control present: $(command -v nvidia-cuda-mps-control || echo no)"
    echo "# pre-existing default MPS pipe: $(ls -d /tmp/nvidia-mps 2>/dev/null || echo none)"
} >"$RAW/device.txt" 2>&1
SMI=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_mode,clocks.sm,clocks.mem,clocks.max.sm,clocks.max.mem,power.limit,mig.mode.current --format=csv,noheader,nounits 2>/dev/null | head -1)
CUDA_SMI=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
NVCC_V=$(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')
{
    echo "smi=$SMI"
    echo "cuda_version_smi=$CUDA_SMI"
    echo "nvcc=$NVCC_V"
    echo "date=$DATE"
    echo "quick=$QUICK"
    echo "model_id=$MODEL_ID"
    echo "secs=$SECS spin_ms=$SPIN_MS reps=$REPS small_blocks=$SMALL_BLOCKS small_us=$SMALL_US blk_us=$BLK_US lat_kern_us=$LAT_KERN_US"
    echo "probe_sha256=$(sha256sum "$HERE/gpuprobe.cu" | cut -c1-16)"
    echo "command=tools/probe/run.sh --out $(basename "$OUTFILE")$( [ $QUICK = 1 ] && echo ' --quick')"
} >"$RAW/meta.txt"
case "$SMI" in
    *Exclusive*) log "WARNING: compute mode is exclusive; multi-process time-slicing tests will fail" ;;
esac
if [ -e /tmp/nvidia-mps/control ]; then
    log "WARNING: an MPS daemon seems to run on the default pipe; TS results may be MPS results"
fi

fg1 -- info --tag "test=info mode=plain"
SMS=$(getkv "test=info mode=plain" sm_count)
[ -n "$SMS" ] || { log "info failed"; cat "$ERR" >&2; exit 1; }
fg1 -- hold --secs 0 --mb 256 --tag "test=init mode=plain"
INIT_S=$(getkv "test=init mode=plain" init_s)
if [ -z "${MARGIN_MS:-}" ]; then
    MARGIN_MS=$(python3 -c "print(int(max(700, 3000*float('${INIT_S:-0.5}') + 500)))")
fi
log "SMs=$SMS context init ${INIT_S}s -> start barrier margin ${MARGIN_MS} ms"

fg1 -- bw --mb 1024 --reps $([ $QUICK = 1 ] && echo 5 || echo 30) --tag "test=bw mode=plain"

# iteration counts: small kernel (SMALL_BLOCKS blocks, SMALL_US us) and the
# full-GPU FMA kernel whose one-wave grid (SMs*8 blocks of 256) takes BLK_US
FULL1=$((SMS * 8))
if [ -z "${SMALL_ITERS:-}" ]; then
    fg1 -- calib --blocks "$SMALL_BLOCKS" --target-us "$SMALL_US" --tag "test=calib what=small"
    SMALL_ITERS=$(getkv "test=calib what=small" iters)
fi
if [ -z "${FMA_ITERS:-}" ]; then
    fg1 -- calib --blocks "$FULL1" --target-us "$BLK_US" --tag "test=calib what=full"
    FMA_ITERS=$(getkv "test=calib what=full" iters)
fi
HOG_BLOCKS=$((SMS * 8 * 4))   # four waves of BLK_US blocks
log "small kernel: $SMALL_BLOCKS blocks x $SMALL_ITERS iters; full FMA: $HOG_BLOCKS blocks x $FMA_ITERS iters"

# clocks under load (read-only query while an FMA hog runs)
bg -- tput --kind fma --blocks $HOG_BLOCKS --iters $FMA_ITERS --secs 3 --tag "test=load_clock mode=plain"
sleep 2
nvidia-smi --query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_event_reasons.active --format=csv,noheader,nounits >"$RAW/load_clocks.txt" 2>&1 \
    || nvidia-smi --query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv,noheader,nounits >"$RAW/load_clocks.txt" 2>&1
waitall
echo "load_clocks=$(head -1 "$RAW/load_clocks.txt")" >>"$RAW/meta.txt"

# common experiment runners ---------------------------------------------------
# spin_group MODE N HEAVY REP  (+ optional extra "idle" process)
spin_group() {
    local mode=$1 n=$2 heavy=$3 rep=$4 extra=${5:-} s p hf=""
    [ "$heavy" = 1 ] && hf="--heavy"
    s=$(at "$MARGIN_MS")
    for p in $(seq 0 $((n - 1))); do
        local f=$RAW/data/${mode}_spin_n${n}_h${heavy}_${extra:+${extra}_}r${rep}_p${p}.gaps
        bg -- spin $hf --dur-ms "$SPIN_MS" --thr-us 4 --start-at "$s" --gaps "$f" \
            --tag "test=${mode}_spin n=$n heavy=$heavy extra=${extra:-none} rep=$rep proc=$p"
    done
    if [ "$extra" = idle ]; then
        bg -- hold --secs "$(python3 -c "print($MARGIN_MS/1000+$SPIN_MS/1000+0.5)")" --mb 1024 \
            --tag "test=${mode}_idlectx n=$n heavy=$heavy rep=$rep"
    fi
    waitall
}

# small_group MODE N SYNC REP
small_group() {
    local mode=$1 n=$2 sync=$3 rep=$4 s p
    s=$(at "$MARGIN_MS")
    for p in $(seq 0 $((n - 1))); do
        bg -- tput --kind fma --blocks "$SMALL_BLOCKS" --iters "$SMALL_ITERS" --secs "$SECS" \
            --sync "$sync" --start-at "$s" \
            --tag "test=${mode}_small n=$n sync=$sync rep=$rep proc=$p"
    done
    waitall
}

# pair_group MODE PAIR REP [PCT_C PCT_M]  (PAIR in C, M, CC, MM, CM; the
# optional MPS active-thread percentages cap the C and the M process)
pair_group() {
    local mode=$1 pair=$2 rep=$3 pcc=${4:-100} pcm=${5:-100} s i r test=${1}_pair
    [ "$pcc/$pcm" != "100/100" ] && test=${1}_cappedpair
    s=$(at "$MARGIN_MS")
    for i in $(seq 0 $((${#pair} - 1))); do
        r=${pair:$i:1}
        if [ "$r" = C ]; then
            bg CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$pcc -- tput --kind fma --blocks "$HOG_BLOCKS" --iters "$FMA_ITERS" --secs "$SECS" \
                --start-at "$s" --tag "test=$test pair=$pair role=C idx=$i rep=$rep pct_c=$pcc pct_m=$pcm"
        else
            bg CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$pcm -- tput --kind copy --mb 1024 --secs "$SECS" \
                --start-at "$s" --tag "test=$test pair=$pair role=M idx=$i rep=$rep pct_c=$pcc pct_m=$pcm"
        fi
    done
    waitall
}

# lat_group MODE HOG HOGPCT SLEEPMAX  (HOG: none|fma|fma16|fma64|spin; fma: 4
# waves of BLK_US blocks, fma16: 16 waves of BLK_US/4 blocks (same kernel
# length), fma64: 16 waves of BLK_US blocks (4x longer kernel), spin: one
# persistent kernel)
lat_group() {
    local mode=$1 hog=$2 hogpct=$3 sl=$4 s lsecs hsecs
    lsecs=$(python3 -c "print(max(1.0, 2*$SECS))")
    hsecs=$(python3 -c "print($lsecs + 1.0)")
    s=$(at "$MARGIN_MS")
    local tag="test=${mode}_lat hog=$hog hogpct=$hogpct sleep_max_us=$sl"
    local f=$RAW/data/${mode}_lat_${hog}_p${hogpct}_s${sl}.lat
    case $hog in
        fma) bg CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$hogpct -- tput --kind fma --blocks "$HOG_BLOCKS" \
                 --iters "$FMA_ITERS" --secs "$hsecs" --start-at "$s" --tag "$tag role=hog" ;;
        fma64) bg CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$hogpct -- tput --kind fma --blocks $((HOG_BLOCKS * 4)) \
                 --iters "$FMA_ITERS" --secs "$hsecs" --start-at "$s" --tag "$tag role=hog" ;;
        fma16) bg CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$hogpct -- tput --kind fma --blocks $((HOG_BLOCKS * 4)) \
                 --iters $((FMA_ITERS / 4)) --secs "$hsecs" --start-at "$s" --tag "$tag role=hog" ;;
        spin) bg -- spin --heavy --dur-ms "$(python3 -c "print(int($hsecs*1000))")" --thr-us 4 \
                 --start-at "$s" --tag "$tag role=hog" ;;
    esac
    bg -- lat --secs "$lsecs" --kern-us "$LAT_KERN_US" --sleep-max-us "$sl" \
        --start-at $((s + 500000000)) --samples "$f" --tag "$tag role=probe"
    waitall
}

# ------------------------------------------------------------ time-slicing --
if [ "$DO_TS" = 1 ] && want ts_spin; then
    log "time-slicing: spin (Q, switch cost, round robin)"
    spin_group ts 1 0 1
    for r in $(seq 1 $REPS); do spin_group ts 2 0 "$r"; done
    for r in $(seq 1 $(( (REPS + 1) / 2 ))); do spin_group ts 3 0 "$r"; spin_group ts 4 0 "$r"; done
    spin_group ts 1 1 1
    for r in $(seq 1 $(( (REPS + 1) / 2 ))); do spin_group ts 2 1 "$r"; done
    spin_group ts 3 1 1
    spin_group ts 4 1 1
    log "time-slicing: idle context"
    for r in $(seq 1 $(( (REPS + 1) / 2 ))); do spin_group ts 1 0 "$r" idle; spin_group ts 1 1 "$r" idle; done
fi
if [ "$DO_TS" = 1 ] && want ts_lat; then
    log "time-slicing: short-kernel latency beside a hog"
    lat_group ts none 100 0
    lat_group ts none 100 2000
    lat_group ts none 100 10000
    lat_group ts fma 100 0
    lat_group ts fma 100 2000
    lat_group ts fma 100 10000
    lat_group ts spin 100 10000
fi
if [ "$DO_TS" = 1 ] && want ts_small; then
    log "time-slicing: N small-kernel workloads"
    for r in $(seq 1 $REPS); do
        for n in 1 2 4; do for sy in 0 1; do small_group ts $n $sy "$r"; done; done
    done
fi
if [ "$DO_TS" = 1 ] && want ts_pair; then
    log "time-slicing: full-GPU pairs"
    for r in $(seq 1 $(( (REPS + 1) / 2 ))); do
        for pr in C M CC MM CM; do pair_group ts $pr "$r"; done
    done
fi

# ---------------------------------------------------------------------- MPS --
MPS_WANTED=0
for sec in mps_caps mps_small mps_pair mps_capped_pair mps_lat mps_clients; do
    want $sec && MPS_WANTED=1
done
if [ "$DO_MPS" = 1 ] && [ "$MPS_WANTED" = 1 ]; then
    if ! command -v nvidia-cuda-mps-control >/dev/null; then
        log "nvidia-cuda-mps-control not found: skipping MPS"
        echo "RESULT test=mps_start status=missing" >>"$RES"
    else
        MPS_PIPE=$(mktemp -d /tmp/gpuplan-mps-pipe.XXXXXX)
        MPS_LOGD=$(mktemp -d /tmp/gpuplan-mps-log.XXXXXX)
        export CUDA_MPS_PIPE_DIRECTORY=$MPS_PIPE CUDA_MPS_LOG_DIRECTORY=$MPS_LOGD
        log "starting MPS control daemon (pipe $MPS_PIPE)"
        MPS_STARTED=1   # set before, so that the trap quits even a half-started daemon
        if ! nvidia-cuda-mps-control -d >>"$LOG" 2>&1; then
            log "MPS daemon failed to start"
            echo "RESULT test=mps_start status=fail" >>"$RES"
        else
            sleep 1
            echo "RESULT test=mps_start status=ok" >>"$RES"
            fg1 -- hold --secs 0 --mb 256 --tag "test=init mode=mps first=1"
            fg1 -- hold --secs 0 --mb 256 --tag "test=init mode=mps first=0"
            MPS_DEF=$(echo get_default_active_thread_percentage | nvidia-cuda-mps-control 2>&1 | tail -1)
            echo "mps_default_active_thread_percentage=$MPS_DEF" >>"$RAW/meta.txt"
            INIT_M=$(getkv "test=init mode=mps first=0" init_s)
            MARGIN_SAVE=$MARGIN_MS
            MARGIN_MS=$(python3 -c "print(int(max($MARGIN_SAVE, 3000*float('${INIT_M:-0.5}') + 800)))")
            log "MPS client init ${INIT_M}s -> margin ${MARGIN_MS} ms"
            fg1 -- info --tag "test=info mode=mps"

            want mps_caps && log "MPS: thread-percentage caps"
            want mps_caps && for pc in 10 25 33 50 75 100; do
                fg1 CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=$pc -- caps --iters "$FMA_ITERS" --full-sms "$SMS" \
                    --bps 8 --waves 16 --busy-us "$BLK_US" --reps $([ $QUICK = 1 ] && echo 3 || echo 7) \
                    --tag "test=mps_caps pct=$pc"
            done

            want mps_small && log "MPS: N small-kernel clients"
            want mps_small && for r in $(seq 1 $REPS); do
                for n in 1 2 4 8; do for sy in 0 1; do small_group mps $n $sy "$r"; done; done
            done
            want mps_pair && log "MPS: pairs (compute/memory)"
            want mps_pair && for r in $(seq 1 $REPS); do
                for pr in C M CC MM CM; do pair_group mps $pr "$r"; done
            done
            want mps_capped_pair && log "MPS: compute/memory pairs with active-thread caps"
            want mps_capped_pair && for r in $(seq 1 $(( (REPS + 1) / 2 ))); do
                for cp in "50 50" "75 25" "25 75"; do
                    set -- $cp
                    pair_group mps C "$r" "$1" "$2"
                    pair_group mps M "$r" "$1" "$2"
                    pair_group mps CM "$r" "$1" "$2"
                done
            done
            if want mps_lat; then
                log "MPS: short-kernel latency beside a capped hog"
                lat_group mps none 100 2000
                for pc in 25 50 75 100; do lat_group mps fma $pc 2000; done
                lat_group mps fma 100 0
                lat_group mps fma16 100 2000   # same kernel length, blocks 4x shorter
                lat_group mps fma64 100 5000   # 4x longer kernel, same blocks
            fi

            if want mps_clients; then
                log "MPS: client limit (64 idle clients)"
                for i in $(seq 0 63); do
                    PROC_TIMEOUT=30 bg -- hold --secs 4 --mb 0 --tag "test=mps_clients idx=$i"
                    sleep 0.02
                done
                waitall
            fi
            echo get_server_list | nvidia-cuda-mps-control >>"$LOG" 2>&1
        fi
        mps_quit
        unset CUDA_MPS_PIPE_DIRECTORY CUDA_MPS_LOG_DIRECTORY
    fi
fi

log "probe runs done in $(( $(date +%s) - T_START )) s; analysing"
python3 "$HERE/analyze.py" --raw "$RAW" --out "$OUTFILE" --summary "$RAW/summary.txt" \
    ${MODEL_ID:+--model-id "$MODEL_ID"}
rc=$?
cat "$RAW/summary.txt" 2>/dev/null
log "raw data in $RAW; calibration written to $OUTFILE (analysis rc=$rc)"
exit $rc
