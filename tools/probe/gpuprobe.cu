// gpuprobe: micro-benchmarks that calibrate gpuplan's GPU-sharing models
// (time-slicing quantum and switch cost, MPS overlap, MPS thread-percentage
// caps, co-location interference).  See docs/calibration.md.
//
// Plain CUDA C++; built by tools/probe/Makefile (or build.sh), never by the
// main CMake build.  It changes no GPU setting: it only creates contexts,
// launches kernels and reads timers.
//
// Every sub-command prints exactly one line that starts with "RESULT " and
// holds key=value pairs (the --tag string is copied into it verbatim), plus
// optional raw-data files.  tools/probe/analyze.py turns those into the
// calibration YAML.
//
// Sub-commands (run `gpuprobe help`):
//   info    device facts; SMs visible (MPS caps show here) and %smid spread
//   calib   find the FMA-loop iteration count giving a kernel of T us
//   bw      device-to-device copy bandwidth (bytes read + written)
//   spin    persistent kernel recording %globaltimer gaps (time-slice probe)
//   lat     per-kernel latency of a tiny kernel, host-timed, optional sleeps
//   tput    back-to-back FMA or copy kernels for a fixed wall time
//   caps    info + FMA throughput at a many-wave and a one-wave grid
//   hold    create a context, allocate memory, sleep (idle context / client limit)

#include <cuda_runtime.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <time.h>
#include <unistd.h>

// ---------------------------------------------------------------- helpers --

#define CK(x)                                                                  \
    do {                                                                       \
        cudaError_t e_ = (x);                                                  \
        if (e_ != cudaSuccess) {                                               \
            fprintf(stderr, "gpuprobe: CUDA error %d (%s) at %s:%d: %s\n",     \
                    (int)e_, cudaGetErrorName(e_), __FILE__, __LINE__, #x);    \
            printf("RESULT %s status=cuda_error code=%d where=%d\n",           \
                   g_tag.c_str(), (int)e_, __LINE__);                          \
            fflush(stdout);                                                    \
            exit(2);                                                           \
        }                                                                      \
    } while (0)

static std::string g_tag = "";

static double mono_s() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long long real_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// Sleep until CLOCK_REALTIME reaches t (ns).  Returns how late we were (ns,
// >= 0) -- a positive value means initialisation overran the barrier.
static long long wait_until(long long t) {
    if (t <= 0) return 0;
    long long now = real_ns();
    if (now >= t) return now - t;
    while (t - now > 2000000LL) {  // coarse sleep to 2 ms before
        long long d = t - now - 1000000LL;
        timespec ts{(time_t)(d / 1000000000LL), (long)(d % 1000000000LL)};
        nanosleep(&ts, nullptr);
        now = real_ns();
    }
    while (real_ns() < t) {
    }
    return 0;
}

static void sleep_us(double us) {
    if (us <= 0) return;
    long long ns = (long long)(us * 1000.0);
    timespec ts{(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
    nanosleep(&ts, nullptr);
}

// xorshift for the random host sleeps of `lat`
static uint64_t g_rng = 0x9E3779B97F4A7C15ULL;
static double urand() {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) * (1.0 / 9007199254740992.0);
}

struct Args {
    int argc;
    char** argv;
    const char* get(const char* k, const char* def) const {
        for (int i = 2; i < argc - 1; i++)
            if (strcmp(argv[i], k) == 0) return argv[i + 1];
        return def;
    }
    bool flag(const char* k) const {
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], k) == 0) return true;
        return false;
    }
    double num(const char* k, double def) const {
        const char* v = get(k, nullptr);
        return v ? atof(v) : def;
    }
    long long ll(const char* k, long long def) const {
        const char* v = get(k, nullptr);
        return v ? atoll(v) : def;
    }
};

static double pct(std::vector<double> v, double p) {  // p in [0,100]
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    double pos = p / 100.0 * (v.size() - 1);
    size_t lo = (size_t)floor(pos), hi = (size_t)ceil(pos);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

static double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? NAN : s / v.size();
}

static double sdev(const std::vector<double>& v) {
    if (v.size() < 2) return 0;
    double m = mean(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return sqrt(s / (v.size() - 1));
}

// ---------------------------------------------------------------- device ---

__device__ __forceinline__ unsigned long long gtime() {
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

__device__ __forceinline__ unsigned smid() {
    unsigned r;
    asm volatile("mov.u32 %0, %%smid;" : "=r"(r));
    return r;
}

// Persistent spinning kernel.  Block 0 / thread 0 records every jump of
// %globaltimer larger than thr_ns as (last time seen, first time seen again).
// While the context is switched out no thread runs, so the jumps are exactly
// the periods when another context owned the GPU (plus switch costs).
// HEAVY: every block holds smem_bytes of shared memory and a register array
// so that a context switch must save and restore real state on every SM.
template <bool HEAVY>
__global__ void __launch_bounds__(1024) spin_kernel(unsigned long long dur_ns,
                                                    unsigned long long thr_ns,
                                                    unsigned long long* rec,
                                                    unsigned maxrec,
                                                    unsigned long long* meta,
                                                    unsigned smem_words,
                                                    float* sink) {
    extern __shared__ float sm[];
    const bool recorder = (blockIdx.x == 0 && threadIdx.x == 0);
    float r[16];
    if (HEAVY) {
#pragma unroll
        for (int i = 0; i < 16; i++) r[i] = threadIdx.x * 1e-3f + i;
        for (unsigned i = threadIdx.x; i < smem_words; i += blockDim.x) sm[i] = (float)i;
        __syncthreads();
    }
    unsigned long long start = gtime(), prev = start;
    unsigned n = 0;
    for (;;) {
        unsigned long long t = gtime();
        if (recorder && t - prev > thr_ns) {
            if (n < maxrec) {
                rec[2 * n] = prev;
                rec[2 * n + 1] = t;
            }
            n++;
        }
        prev = t;
        if (HEAVY) {
#pragma unroll
            for (int i = 0; i < 16; i++) r[i] = fmaf(r[i], 0.9999f, 1e-4f);
        }
        if (t - start >= dur_ns) break;
    }
    if (HEAVY) {
        float s = 0;
#pragma unroll
        for (int i = 0; i < 16; i++) s += r[i];
        s += sm[(threadIdx.x * 7) % (smem_words ? smem_words : 1)];
        if (s == -12345.0f) sink[blockIdx.x] = s;
    }
    if (recorder) {
        meta[0] = start;
        meta[1] = prev;
        meta[2] = n;
    }
}

// Tiny kernel for latency probes: spins ns nanoseconds on one warp.
__global__ void busy_kernel(unsigned long long ns) {
    unsigned long long s = gtime();
    while (gtime() - s < ns) {
    }
}

// Compute-bound kernel: 8 independent FMA chains per thread, iters rounds.
__global__ void __launch_bounds__(256) fma_kernel(int iters, float* sink) {
    float a0 = threadIdx.x * 1e-3f, a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3;
    float a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7;
    for (int i = 0; i < iters; i++) {
        a0 = fmaf(a0, 0.9999f, 1e-4f);
        a1 = fmaf(a1, 0.9999f, 1e-4f);
        a2 = fmaf(a2, 0.9999f, 1e-4f);
        a3 = fmaf(a3, 0.9999f, 1e-4f);
        a4 = fmaf(a4, 0.9999f, 1e-4f);
        a5 = fmaf(a5, 0.9999f, 1e-4f);
        a6 = fmaf(a6, 0.9999f, 1e-4f);
        a7 = fmaf(a7, 0.9999f, 1e-4f);
    }
    float s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    if (s == -12345.0f) sink[blockIdx.x] = s;
}

// Memory-bound kernel: 16-byte copy, one chunk of 4*256 float4 per block
// (many short blocks, like an element-wise kernel; 4 loads in flight/thread).
__global__ void __launch_bounds__(256) copy_kernel(const float4* __restrict__ a,
                                                   float4* __restrict__ b,
                                                   size_t n) {
    size_t base = (size_t)blockIdx.x * 1024 + threadIdx.x;
    if (base + 768 < n) {
        float4 x0 = a[base], x1 = a[base + 256], x2 = a[base + 512], x3 = a[base + 768];
        b[base] = x0;
        b[base + 256] = x1;
        b[base + 512] = x2;
        b[base + 768] = x3;
    } else {
        for (size_t i = base; i < n; i += 256) b[i] = a[i];
    }
}

static int copy_grid(size_t n) { return (int)((n + 1023) / 1024); }

// Fixed-duration blocks (wall-clock spin): shows wave quantisation.
__global__ void __launch_bounds__(256) busy_blocks_kernel(unsigned long long ns) {
    unsigned long long s = gtime();
    while (gtime() - s < ns) {
    }
}

__global__ void fill_kernel(float4* a, size_t n) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    size_t stride = (size_t)gridDim.x * blockDim.x;
    for (; i < n; i += stride) a[i] = make_float4(i * 1e-6f, 1.f, 2.f, 3.f);
}

// Records which SMs run blocks of this context (MPS caps show here).
__global__ void smid_kernel(unsigned* mask, unsigned long long ns) {
    if (threadIdx.x == 0) {
        unsigned id = smid();
        atomicOr(&mask[(id / 32) % 16], 1u << (id % 32));
    }
    unsigned long long s = gtime();
    while (gtime() - s < ns) {
    }
}

// ---------------------------------------------------------- common pieces --

static cudaDeviceProp g_prop;
static int g_sms = 0;

static void init_device() {
    CK(cudaSetDevice(0));
    CK(cudaFree(0));
    CK(cudaGetDeviceProperties(&g_prop, 0));
    g_sms = g_prop.multiProcessorCount;
}

static int count_smids(double busy_us) {
    unsigned* d_mask;
    CK(cudaMalloc(&d_mask, 16 * sizeof(unsigned)));
    CK(cudaMemset(d_mask, 0, 16 * sizeof(unsigned)));
    // enough blocks to touch every SM of the full chip several times over
    smid_kernel<<<256 * 8, 64>>>(d_mask, (unsigned long long)(busy_us * 1000));
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    unsigned h[16];
    CK(cudaMemcpy(h, d_mask, sizeof(h), cudaMemcpyDeviceToHost));
    CK(cudaFree(d_mask));
    int c = 0;
    for (int i = 0; i < 16; i++) c += __builtin_popcount(h[i]);
    return c;
}

// time one launch configuration of fma_kernel (median of reps), in us
static double time_fma(int blocks, int iters, float* sink, int reps = 7) {
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    fma_kernel<<<blocks, 256>>>(iters, sink);  // warm-up
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    std::vector<double> t;
    for (int r = 0; r < reps; r++) {
        CK(cudaEventRecord(e0));
        fma_kernel<<<blocks, 256>>>(iters, sink);
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        float ms;
        CK(cudaEventElapsedTime(&ms, e0, e1));
        t.push_back(ms * 1000.0);
    }
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
    return pct(t, 50);
}

// ------------------------------------------------------------ sub-commands --

static int cmd_info(const Args& a) {
    init_device();
    int rt = 0, drv = 0;
    CK(cudaRuntimeGetVersion(&rt));
    CK(cudaDriverGetVersion(&drv));
    int clk_khz = 0, memclk_khz = 0;
    cudaDeviceGetAttribute(&clk_khz, cudaDevAttrClockRate, 0);
    cudaDeviceGetAttribute(&memclk_khz, cudaDevAttrMemoryClockRate, 0);
    cudaGetLastError();
    size_t fr = 0, tot = 0;
    CK(cudaMemGetInfo(&fr, &tot));
    int smid_n = count_smids(a.num("--busy-us", 50));
    std::string name = g_prop.name;
    for (auto& ch : name)
        if (ch == ' ') ch = '_';
    printf("RESULT %s status=ok name=%s cc=%d.%d sm_count=%d smid_distinct=%d "
           "mem_total_mib=%.0f mem_free_mib=%.0f l2_bytes=%d smem_per_sm=%zu "
           "smem_per_block_optin=%zu regs_per_sm=%d max_threads_per_sm=%d "
           "bus_width_bits=%d clock_khz_attr=%d memclock_khz_attr=%d "
           "cuda_runtime=%d cuda_driver=%d\n",
           g_tag.c_str(), name.c_str(), g_prop.major, g_prop.minor, g_sms, smid_n,
           tot / 1048576.0, fr / 1048576.0, g_prop.l2CacheSize,
           g_prop.sharedMemPerMultiprocessor, g_prop.sharedMemPerBlockOptin,
           g_prop.regsPerMultiprocessor, g_prop.maxThreadsPerMultiProcessor,
           g_prop.memoryBusWidth, clk_khz, memclk_khz, rt, drv);
    return 0;
}

// Find iters such that fma_kernel<<<blocks,256>>> takes target_us.
static int cmd_calib(const Args& a) {
    init_device();
    int blocks = (int)a.ll("--blocks", 4);
    double target = a.num("--target-us", 50);
    float* sink;
    CK(cudaMalloc(&sink, sizeof(float) * std::max(blocks, 1)));
    int iters = 2000;
    double t = time_fma(blocks, iters, sink);
    for (int k = 0; k < 4; k++) {
        iters = std::max(1, (int)llround(iters * target / t));
        t = time_fma(blocks, iters, sink);
        if (fabs(t - target) / target < 0.03) break;
    }
    printf("RESULT %s status=ok blocks=%d target_us=%.1f iters=%d kernel_us=%.2f sm_count=%d\n",
           g_tag.c_str(), blocks, target, iters, t, g_sms);
    return 0;
}

static int cmd_bw(const Args& a) {
    init_device();
    size_t mb = (size_t)a.ll("--mb", 1024);
    int reps = (int)a.ll("--reps", 20);
    size_t n = mb * 1048576 / sizeof(float4);
    float4 *x, *y;
    CK(cudaMalloc(&x, n * sizeof(float4)));
    CK(cudaMalloc(&y, n * sizeof(float4)));
    fill_kernel<<<g_sms * 8, 256>>>(x, n);
    CK(cudaGetLastError());
    int grid = copy_grid(n);
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int w = 0; w < 3; w++) copy_kernel<<<grid, 256>>>(x, y, n);
    CK(cudaDeviceSynchronize());
    std::vector<double> gbps;
    for (int r = 0; r < reps; r++) {
        CK(cudaEventRecord(e0));
        copy_kernel<<<grid, 256>>>(x, y, n);
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        float ms;
        CK(cudaEventElapsedTime(&ms, e0, e1));
        gbps.push_back(2.0 * n * sizeof(float4) / (ms * 1e-3) / 1e9);
    }
    // also cudaMemcpy D2D for comparison
    std::vector<double> gbps2;
    for (int r = 0; r < std::max(3, reps / 4); r++) {
        CK(cudaEventRecord(e0));
        CK(cudaMemcpy(y, x, n * sizeof(float4), cudaMemcpyDeviceToDevice));
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        float ms;
        CK(cudaEventElapsedTime(&ms, e0, e1));
        gbps2.push_back(2.0 * n * sizeof(float4) / (ms * 1e-3) / 1e9);
    }
    printf("RESULT %s status=ok mb=%zu reps=%d copy_gbps_mean=%.1f copy_gbps_sd=%.1f "
           "copy_gbps_p5=%.1f copy_gbps_p95=%.1f copy_gbps_max=%.1f memcpy_gbps_mean=%.1f "
           "memcpy_gbps_sd=%.1f\n",
           g_tag.c_str(), mb, reps, mean(gbps), sdev(gbps), pct(gbps, 5), pct(gbps, 95),
           pct(gbps, 100), mean(gbps2), sdev(gbps2));
    return 0;
}

static int cmd_spin(const Args& a) {
    init_device();
    bool heavy = a.flag("--heavy");
    double dur_ms = a.num("--dur-ms", 2000);
    double thr_us = a.num("--thr-us", 4);
    const char* gaps = a.get("--gaps", nullptr);
    long long start_at = a.ll("--start-at", 0);
    unsigned maxrec = 1 << 20;
    unsigned long long *d_rec, *d_meta;
    float* sink;
    CK(cudaMalloc(&d_rec, sizeof(unsigned long long) * 2 * maxrec));
    CK(cudaMalloc(&d_meta, sizeof(unsigned long long) * 4));
    CK(cudaMalloc(&sink, sizeof(float) * 4096));
    int blocks = 1, threads = 32;
    size_t smem = 0;
    if (heavy) {
        blocks = g_sms;
        threads = 1024;
        smem = std::min<size_t>(g_prop.sharedMemPerBlockOptin, 200 * 1024);
        CK(cudaFuncSetAttribute(spin_kernel<true>,
                                cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    }
    // warm-up (module load) with a 1 ms spin
    if (heavy)
        spin_kernel<true><<<blocks, threads, smem>>>(1000000ULL, 1000000000ULL, d_rec, 0, d_meta,
                                                      (unsigned)(smem / 4), sink);
    else
        spin_kernel<false><<<1, 32>>>(1000000ULL, 1000000000ULL, d_rec, 0, d_meta, 0, sink);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    long long late = wait_until(start_at);
    unsigned long long dur = (unsigned long long)(dur_ms * 1e6);
    unsigned long long thr = (unsigned long long)(thr_us * 1e3);
    double t0 = mono_s();
    if (heavy)
        spin_kernel<true><<<blocks, threads, smem>>>(dur, thr, d_rec, maxrec, d_meta,
                                                      (unsigned)(smem / 4), sink);
    else
        spin_kernel<false><<<1, 32>>>(dur, thr, d_rec, maxrec, d_meta, 0, sink);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());
    double wall = mono_s() - t0;
    unsigned long long meta[3];
    CK(cudaMemcpy(meta, d_meta, sizeof(meta), cudaMemcpyDeviceToHost));
    unsigned n = (unsigned)std::min<unsigned long long>(meta[2], maxrec);
    std::vector<unsigned long long> rec(2 * (size_t)n);
    if (n) CK(cudaMemcpy(rec.data(), d_rec, rec.size() * sizeof(unsigned long long),
                         cudaMemcpyDeviceToHost));
    double gap_sum = 0, gap_big = 0;
    unsigned nbig = 0;
    for (unsigned i = 0; i < n; i++) {
        double g = (rec[2 * i + 1] - rec[2 * i]) * 1e-3;
        gap_sum += g;
        if (g > 50) {
            gap_big += g;
            nbig++;
        }
    }
    double span_us = (meta[1] - meta[0]) * 1e-3;
    if (gaps) {
        FILE* f = fopen(gaps, "w");
        if (!f) {
            fprintf(stderr, "cannot write %s: %s\n", gaps, strerror(errno));
            return 1;
        }
        fprintf(f, "# start_ns end_ns ngaps heavy\n%llu %llu %llu %d\n", meta[0], meta[1],
                meta[2], heavy ? 1 : 0);
        for (unsigned i = 0; i < n; i++) fprintf(f, "%llu %llu\n", rec[2 * i], rec[2 * i + 1]);
        fclose(f);
    }
    printf("RESULT %s status=ok heavy=%d blocks=%d threads=%d smem=%zu dur_ms=%.1f "
           "ngaps=%llu ngaps_gt50us=%u gap_sum_us=%.1f gap_gt50_sum_us=%.1f span_us=%.1f "
           "owned_frac=%.5f wall_s=%.4f late_ns=%lld gaps=%s\n",
           g_tag.c_str(), heavy ? 1 : 0, blocks, threads, smem, dur_ms, meta[2], nbig, gap_sum,
           gap_big, span_us, span_us > 0 ? 1.0 - gap_sum / span_us : NAN, wall, late,
           gaps ? gaps : "-");
    return 0;
}

static int cmd_lat(const Args& a) {
    init_device();
    double secs = a.num("--secs", 2);
    double kern_us = a.num("--kern-us", 5);
    double sleep_max = a.num("--sleep-max-us", 0);
    const char* out = a.get("--samples", nullptr);
    long long start_at = a.ll("--start-at", 0);
    g_rng ^= (uint64_t)getpid() * 0x2545F4914F6CDD1DULL;
    cudaStream_t s;
    CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    unsigned long long ns = (unsigned long long)(kern_us * 1000);
    for (int i = 0; i < 20; i++) busy_kernel<<<1, 32, 0, s>>>(ns);
    CK(cudaGetLastError());
    CK(cudaStreamSynchronize(s));
    long long late = wait_until(start_at);
    std::vector<double> lat;
    lat.reserve(1 << 20);
    double tend = mono_s() + secs;
    while (mono_s() < tend) {
        if (sleep_max > 0) sleep_us(urand() * sleep_max);
        double t0 = mono_s();
        busy_kernel<<<1, 32, 0, s>>>(ns);
        CK(cudaStreamSynchronize(s));
        lat.push_back((mono_s() - t0) * 1e6);
    }
    CK(cudaGetLastError());
    if (out) {
        FILE* f = fopen(out, "w");
        if (f) {
            for (double x : lat) fprintf(f, "%.2f\n", x);
            fclose(f);
        }
    }
    printf("RESULT %s status=ok kern_us=%.1f sleep_max_us=%.0f n=%zu mean_us=%.2f sd_us=%.2f "
           "p5_us=%.2f p25_us=%.2f p50_us=%.2f p75_us=%.2f p95_us=%.2f p99_us=%.2f "
           "max_us=%.2f late_ns=%lld samples=%s\n",
           g_tag.c_str(), kern_us, sleep_max, lat.size(), mean(lat), sdev(lat), pct(lat, 5),
           pct(lat, 25), pct(lat, 50), pct(lat, 75), pct(lat, 95), pct(lat, 99), pct(lat, 100),
           late, out ? out : "-");
    return 0;
}

// Back-to-back kernels for a fixed wall time.  async: keep 8..16 kernels
// queued (never lets the queue drain); sync: synchronise after each kernel.
static int cmd_tput(const Args& a) {
    init_device();
    std::string kind = a.get("--kind", "fma");
    int blocks = (int)a.ll("--blocks", 4);
    int iters = (int)a.ll("--iters", 1000);
    double secs = a.num("--secs", 2);
    bool sync = a.ll("--sync", 0) != 0;
    long long start_at = a.ll("--start-at", 0);
    size_t mb = (size_t)a.ll("--mb", 1024);
    cudaStream_t s;
    CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    float* sink;
    CK(cudaMalloc(&sink, sizeof(float) * std::max(blocks, 1)));
    float4 *x = nullptr, *y = nullptr;
    size_t n = 0;
    if (kind == "copy") {
        n = mb * 1048576 / sizeof(float4);
        CK(cudaMalloc(&x, n * sizeof(float4)));
        CK(cudaMalloc(&y, n * sizeof(float4)));
        fill_kernel<<<g_sms * 8, 256, 0, s>>>(x, n);
        CK(cudaGetLastError());
        blocks = copy_grid(n);
    }
    auto launch = [&]() {
        if (kind == "copy")
            copy_kernel<<<blocks, 256, 0, s>>>(x, y, n);
        else
            fma_kernel<<<blocks, 256, 0, s>>>(iters, sink);
    };
    for (int i = 0; i < 3; i++) launch();
    CK(cudaGetLastError());
    CK(cudaStreamSynchronize(s));
    cudaEvent_t ev[2];
    CK(cudaEventCreateWithFlags(&ev[0], cudaEventDisableTiming));
    CK(cudaEventCreateWithFlags(&ev[1], cudaEventDisableTiming));
    long long late = wait_until(start_at);
    double t0 = mono_s(), tend = t0 + secs;
    long long count = 0;
    int b = 0;
    const int BATCH = 8;
    if (sync) {
        while (mono_s() < tend) {
            launch();
            CK(cudaStreamSynchronize(s));
            count++;
        }
    } else {
        while (mono_s() < tend) {
            for (int i = 0; i < BATCH; i++) launch();
            count += BATCH;
            CK(cudaEventRecord(ev[b & 1], s));
            if (b > 0) CK(cudaEventSynchronize(ev[(b - 1) & 1]));
            b++;
        }
        CK(cudaStreamSynchronize(s));
    }
    CK(cudaGetLastError());
    double el = mono_s() - t0;
    double rate = count / el;
    double work = 0;  // GFLOP/s or GB/s
    if (kind == "copy")
        work = rate * 2.0 * n * sizeof(float4) / 1e9;
    else
        work = rate * 2.0 * 8.0 * (double)iters * 256.0 * blocks / 1e9;
    printf("RESULT %s status=ok kind=%s blocks=%d iters=%d sync=%d kernels=%lld secs=%.4f "
           "rate=%.3f work=%.2f work_unit=%s sm_visible=%d late_ns=%lld\n",
           g_tag.c_str(), kind.c_str(), blocks, iters, sync ? 1 : 0, count, el, rate, work,
           kind == "copy" ? "GBps" : "GFLOPps", g_sms, late);
    return 0;
}

// MPS caps: visible SMs, distinct %smid, FMA rate at a many-wave grid and
// at a one-wave grid sized for the full chip (--full-sms, --bps blocks/SM).
static int cmd_caps(const Args& a) {
    init_device();
    int full_sms = (int)a.ll("--full-sms", g_sms);
    int bps = (int)a.ll("--bps", 8);
    int waves = (int)a.ll("--waves", 16);
    int iters = (int)a.ll("--iters", 1000);
    int reps = (int)a.ll("--reps", 9);
    int smid_n = count_smids(50);
    float* sink;
    int big = full_sms * bps * waves, one = full_sms * bps;
    CK(cudaMalloc(&sink, sizeof(float) * big));
    std::vector<double> tb, t1;
    for (int r = 0; r < 3; r++) {
        tb.push_back(time_fma(big, iters, sink, reps));
        t1.push_back(time_fma(one, iters, sink, reps));
    }
    double fl = 2.0 * 8.0 * iters * 256.0;
    // one wave of fixed-duration blocks (busy_us each)
    double busy_us = a.num("--busy-us", 100);
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    std::vector<double> tbusy;
    for (int r = 0; r < 1 + reps; r++) {
        CK(cudaEventRecord(e0));
        busy_blocks_kernel<<<one, 256>>>((unsigned long long)(busy_us * 1000));
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        float ms;
        CK(cudaEventElapsedTime(&ms, e0, e1));
        if (r) tbusy.push_back(ms * 1000.0);
    }
    printf("RESULT %s status=ok sm_visible=%d smid_distinct=%d full_sms=%d bps=%d waves=%d "
           "iters=%d big_us=%.2f big_us_sd=%.2f one_us=%.2f one_us_sd=%.2f big_gflops=%.1f "
           "one_gflops=%.1f busy_block_us=%.1f busy_one_wave_us=%.2f busy_one_wave_sd=%.2f\n",
           g_tag.c_str(), g_sms, smid_n, full_sms, bps, waves, iters, mean(tb), sdev(tb),
           mean(t1), sdev(t1), fl * big / (mean(tb) * 1e3), fl * one / (mean(t1) * 1e3),
           busy_us, pct(tbusy, 50), sdev(tbusy));
    return 0;
}

// Create a context (and some memory), report, then idle on the host.
static int cmd_hold(const Args& a) {
    double secs = a.num("--secs", 2);
    size_t mb = (size_t)a.ll("--mb", 256);
    double t0 = mono_s();
    cudaError_t e = cudaSetDevice(0);
    if (e == cudaSuccess) e = cudaFree(0);
    void* p = nullptr;
    if (e == cudaSuccess && mb) e = cudaMalloc(&p, mb * 1048576);
    if (e == cudaSuccess && mb) e = cudaMemset(p, 1, mb * 1048576);
    if (e == cudaSuccess) e = cudaDeviceSynchronize();
    double init_s = mono_s() - t0;
    printf("RESULT %s status=%s code=%d err=%s init_s=%.3f\n", g_tag.c_str(),
           e == cudaSuccess ? "ok" : "fail", (int)e, cudaGetErrorName(e), init_s);
    fflush(stdout);
    sleep_us(secs * 1e6);
    return e == cudaSuccess ? 0 : 3;
}

static void usage() {
    fprintf(stderr,
            "usage: gpuprobe CMD [--tag 'k=v ...'] [options]\n"
            "  info  [--busy-us 50]\n"
            "  calib --blocks B --target-us T\n"
            "  bw    [--mb 1024] [--reps 20]\n"
            "  spin  [--heavy] [--dur-ms 2000] [--thr-us 4] [--gaps FILE] [--start-at NS]\n"
            "  lat   [--secs 2] [--kern-us 5] [--sleep-max-us 0] [--samples FILE] [--start-at NS]\n"
            "  tput  --kind fma|copy --blocks B [--iters I] [--mb M] [--secs S] [--sync 0|1]\n"
            "        (copy: --blocks is ignored, one block per 16 KiB)\n"
            "        [--start-at NS]\n"
            "  caps  --iters I [--full-sms N] [--bps 8] [--waves 16] [--busy-us 100]\n"
            "  hold  [--secs S] [--mb M]\n"
            "--start-at NS: CLOCK_REALTIME epoch ns at which the timed part starts\n"
            "(all processes of one experiment get the same value).\n");
}

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 1;
    }
    Args a{argc, argv};
    g_tag = a.get("--tag", "");
    std::string c = argv[1];
    setvbuf(stdout, nullptr, _IOLBF, 0);
    if (c == "info") return cmd_info(a);
    if (c == "calib") return cmd_calib(a);
    if (c == "bw") return cmd_bw(a);
    if (c == "spin") return cmd_spin(a);
    if (c == "lat") return cmd_lat(a);
    if (c == "tput") return cmd_tput(a);
    if (c == "caps") return cmd_caps(a);
    if (c == "hold") return cmd_hold(a);
    usage();
    return 1;
}
