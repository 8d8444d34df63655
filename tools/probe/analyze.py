#!/usr/bin/env python3
"""Turn the raw output of tools/probe/run.sh into a gpuplan calibration YAML.

    python3 tools/probe/analyze.py --raw RAWDIR --out FILE.yaml [--summary S.txt]
                                   [--model-id ID]

RAWDIR holds results.kv (one "RESULT k=v ..." line per probe process),
meta.txt, device.txt and data/*.gaps / data/*.lat written by gpuprobe.
Standard library only, so that it also runs where numpy is missing; it can be
re-run offline on a copied RAWDIR.  Method: docs/calibration.md.
"""
import argparse
import glob
import math
import os
import statistics as st
import sys


# --------------------------------------------------------------- parsing ---

def num(v):
    try:
        if v.lower() in ("nan", "inf", "-inf"):
            return float(v)
        if any(c in v for c in ".eE"):
            return float(v)
        return int(v)
    except (ValueError, AttributeError):
        return v


def load_results(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.startswith("RESULT "):
                continue
            d = {}
            for tok in line.split()[1:]:
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    d.setdefault(k, num(v))  # the --tag identity wins
            rows.append(d)
    return rows


def load_meta(path):
    m = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    if " " in v and k == "secs":
                        for tok in line.split():
                            a, b = tok.split("=", 1)
                            m[a] = b
                    else:
                        m[k] = v
    return m


def sel(rows, **kw):
    out = []
    for r in rows:
        if all(str(r.get(k)) == str(v) for k, v in kw.items()):
            out.append(r)
    return out


# ------------------------------------------------------------- statistics --

def q(v, p):
    """p-th percentile (0..100), linear interpolation."""
    v = sorted(v)
    if not v:
        return float("nan")
    pos = p / 100.0 * (len(v) - 1)
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def sd(v):
    return st.stdev(v) if len(v) > 1 else 0.0


def stat(v, unit, digits=2, **extra):
    """Constant with spread: value = median for samples, plus mean/sd/p5/p95/n."""
    d = {"value": rnd(q(v, 50), digits), "unit": unit, "mean": rnd(mean(v), digits),
         "sd": rnd(sd(v), digits), "p5": rnd(q(v, 5), digits), "p95": rnd(q(v, 95), digits),
         "n": len(v)}
    d.update(extra)
    return d


def mstat(v, unit, digits=3, **extra):
    """Constant from a few repetitions: value = mean, sd, min, max, n."""
    d = {"value": rnd(mean(v), digits), "unit": unit, "sd": rnd(sd(v), digits),
         "min": rnd(min(v), digits) if v else None, "max": rnd(max(v), digits) if v else None,
         "n": len(v)}
    d.update(extra)
    return d


def rnd(x, digits):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return round(float(x), digits)


# ------------------------------------------------------------ time-slicing --

BIG_GAP_NS = 50_000  # gaps above this are time-slice gaps, below: noise


def read_gaps(path):
    with open(path) as f:
        lines = [l for l in f if l.strip() and not l.startswith("#")]
    start, end, _ng, _heavy = (int(x) for x in lines[0].split())
    gaps = [tuple(int(x) for x in l.split()) for l in lines[1:]]
    return start, end, gaps


def spin_group_analysis(files):
    """files: list of gap files of one experiment (one per process)."""
    procs = [read_gaps(f) for f in files]
    n = len(procs)
    w0 = max(p[0] for p in procs)
    w1 = min(p[1] for p in procs)
    # Narrow the window to where every process has already been switched out
    # once and will be switched out again: there each timeline's boundaries
    # are real switch points, not kernel start/end.
    firsts, lasts = [], []
    for s, e, gaps in procs:
        big = [g for g in gaps if g[1] - g[0] > BIG_GAP_NS]
        if big:
            firsts.append(big[0][1])
            lasts.append(big[-1][0])
    if n > 1 and len(firsts) == n and max(firsts) < min(lasts):
        w0, w1 = max(firsts), min(lasts)
    W = max(1, w1 - w0)
    merged = []          # (start, end, owner, complete)
    shares, offs, small = [], [], []
    for pid, (s, e, gaps) in enumerate(procs):
        big = [g for g in gaps if g[1] - g[0] > BIG_GAP_NS]
        small += [g[1] - g[0] for g in gaps if g[1] - g[0] <= BIG_GAP_NS]
        runs, cur = [], s
        for a, b in big:
            runs.append((cur, a))
            cur = b
            if a >= w0 and b <= w1:
                offs.append(b - a)
        runs.append((cur, e))
        own = 0
        for i, (a, b) in enumerate(runs):
            ca, cb = max(a, w0), min(b, w1)
            if cb <= ca:
                continue
            own += cb - ca
            complete = (a >= w0 and b <= w1 and 0 < i < len(runs) - 1)
            merged.append((ca, cb, pid, complete))
        shares.append(own / W)
    merged.sort()
    slices = [b - a for a, b, _, c in merged if c]
    switches, overlaps = [], 0
    for (a1, b1, p1, c1), (a2, b2, p2, c2) in zip(merged, merged[1:]):
        if p1 != p2 and c1 and c2:
            d = a2 - b1
            if d < 0:
                overlaps += 1
            switches.append(d)
    owners = [m[2] for m in merged]
    rr_ok = rr_tot = 0
    if n >= 2:
        for i in range(len(owners) - n + 1):
            rr_tot += 1
            rr_ok += len(set(owners[i:i + n])) == n
    return {
        "n": n, "window_ms": W / 1e6,
        "slices_us": [x / 1e3 for x in slices],
        "switch_us": [x / 1e3 for x in switches],
        "off_us": [x / 1e3 for x in offs],
        "overlaps": overlaps,
        "rr_frac": rr_ok / rr_tot if rr_tot else None,
        "shares": shares, "eta": sum(shares),
        "noise_gaps_us": [x / 1e3 for x in small],
    }


def spin_files(raw, mode, n, heavy, extra, rep):
    pat = os.path.join(raw, "data", f"{mode}_spin_n{n}_h{heavy}_{extra + '_' if extra else ''}r{rep}_p*.gaps")
    return sorted(glob.glob(pat))


def read_lat(path):
    with open(path) as f:
        return [float(l) for l in f if l.strip()]


# -------------------------------------------------------------- main parts --

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary")
    ap.add_argument("--model-id", default="")
    a = ap.parse_args()
    raw = a.raw
    rows = load_results(os.path.join(raw, "results.kv"))
    meta = load_meta(os.path.join(raw, "meta.txt"))
    S = []  # summary lines

    def say(s=""):
        S.append(s)

    cal = {}
    warnings = []
    late = [r for r in rows if isinstance(r.get("late_ns"), int) and r["late_ns"] > 0]
    if late:
        warnings.append(f"{len(late)} processes started after the barrier (max {max(r['late_ns'] for r in late)/1e6:.1f} ms late)")
    bad = [r for r in rows if r.get("status") not in ("ok",) and r.get("test") != "mps_clients"]
    for r in bad:
        warnings.append("non-ok result: " + " ".join(f"{k}={v}" for k, v in r.items()))

    # ---- device facts
    info = (sel(rows, test="info", mode="plain") or [{}])[-1]
    smi = meta.get("smi", "").split(",")
    smi = [x.strip() for x in smi]
    keys = ["name", "driver", "memory_mib", "compute_mode", "sm_clock_mhz", "mem_clock_mhz",
            "sm_clock_max_mhz", "mem_clock_max_mhz", "power_limit_w", "mig_mode"]
    smid = dict(zip(keys, smi)) if len(smi) >= 9 else {}
    sms = info.get("sm_count")
    lc = meta.get("load_clocks", "").split(",")
    gpu = {
        "name": smid.get("name", str(info.get("name", "")).replace("_", " ")),
        "model_id": a.model_id or None,
        "driver": smid.get("driver"),
        "cuda_version": meta.get("cuda_version_smi"),
        "cuda_driver_api": info.get("cuda_driver"),
        "cuda_runtime": info.get("cuda_runtime"),
        "nvcc": meta.get("nvcc"),
        "compute_capability": str(info.get("cc")) if info.get("cc") is not None else None,
        "sm_count": sms,
        "memory_mib": num(smid["memory_mib"]) if "memory_mib" in smid else info.get("mem_total_mib"),
        "l2_bytes": info.get("l2_bytes"),
        "compute_mode": smid.get("compute_mode"),
        "mig_mode": smid.get("mig_mode"),
        "clocks_read_only": {
            "sm_mhz_idle": num(smid.get("sm_clock_mhz", "")) if smid else None,
            "sm_mhz_max": num(smid.get("sm_clock_max_mhz", "")) if smid else None,
            "mem_mhz": num(smid.get("mem_clock_mhz", "")) if smid else None,
            "sm_mhz_under_fma_load": num(lc[0].strip()) if len(lc) > 1 else None,
            "power_w_under_fma_load": num(lc[2].strip()) if len(lc) > 2 else None,
            "power_limit_w": num(smid.get("power_limit_w", "")) if smid else None,
        },
    }
    say("== device")
    say(f"name={gpu['name']} driver={gpu['driver']} cuda={gpu['cuda_version']} nvcc={gpu['nvcc']} "
        f"cc={gpu['compute_capability']} SMs={sms} mem={gpu['memory_mib']} MiB L2={gpu['l2_bytes']} "
        f"compute_mode={gpu['compute_mode']} mig={gpu['mig_mode']}")
    say(f"clocks: idle sm={gpu['clocks_read_only']['sm_mhz_idle']} max sm={gpu['clocks_read_only']['sm_mhz_max']} "
        f"mem={gpu['clocks_read_only']['mem_mhz']}; under FMA load: {meta.get('load_clocks', '?')}")
    inits = sel(rows, test="init")
    for r in inits:
        say(f"context init ({r.get('mode')}{' first' if r.get('first') == 1 else ''}): {r.get('init_s')} s")
    bw = (sel(rows, test="bw") or [{}])[-1]
    if bw:
        cal["memory_bandwidth_gbps_measured"] = {
            "value": bw.get("copy_gbps_mean"), "unit": "GB/s", "sd": bw.get("copy_gbps_sd"),
            "p5": bw.get("copy_gbps_p5"), "p95": bw.get("copy_gbps_p95"), "n": bw.get("reps"),
            "note": "float4 copy kernel, 1 GiB -> 1 GiB, bytes read + written; cudaMemcpy D2D: "
                    f"{bw.get('memcpy_gbps_mean')} GB/s"}
        say(f"copy bandwidth: {bw.get('copy_gbps_mean')} +- {bw.get('copy_gbps_sd')} GB/s (read+write, n={bw.get('reps')}); "
            f"cudaMemcpy D2D {bw.get('memcpy_gbps_mean')} GB/s")
    cs = (sel(rows, test="calib", what="small") or [{}])[-1]
    cf = (sel(rows, test="calib", what="full") or [{}])[-1]
    say(f"small kernel: {cs.get('blocks')} blocks x 256 thr, {cs.get('iters')} iters = {cs.get('kernel_us')} us alone; "
        f"full FMA one wave: {cf.get('blocks')} blocks, {cf.get('iters')} iters = {cf.get('kernel_us')} us (block duration)")
    lcr = (sel(rows, test="load_clock") or [{}])[-1]
    if lcr:
        say(f"FMA throughput alone: {lcr.get('work')} GFLOP/s fp32")
        gpu["fp32_fma_gflops_measured"] = lcr.get("work")

    # ---- time-slicing
    ts = {}
    say("")
    say("== time-slicing")
    groups = {}
    for r in sel(rows, test="ts_spin"):
        groups.setdefault((r["n"], r["heavy"], r["extra"], r["rep"]), 1)
    res = {}
    for (n, h, ex, rep) in sorted(groups):
        files = spin_files(raw, "ts", n, h, "" if ex == "none" else ex, rep)
        if len(files) != n:
            warnings.append(f"ts_spin n={n} heavy={h} extra={ex} rep={rep}: {len(files)} gap files")
            continue
        g = spin_group_analysis(files)
        res[(n, h, ex, rep)] = g
        say(f"spin n={n} heavy={h} extra={ex} rep={rep}: window {g['window_ms']:.0f} ms, "
            f"slices={len(g['slices_us'])} Q med={q(g['slices_us'],50):.1f} us, "
            f"switch med={q(g['switch_us'],50):.1f} us (n={len(g['switch_us'])}, overlaps={g['overlaps']}), "
            f"eta={g['eta']:.4f}, shares={','.join(f'{x:.3f}' for x in g['shares'])}, "
            f"rr={g['rr_frac'] if g['rr_frac'] is None else round(g['rr_frac'], 4)}, "
            f"noise gaps={len(g['noise_gaps_us'])}")

    def pool(n, h, ex="none", key="slices_us"):
        v = []
        for (nn, hh, ee, _r), g in res.items():
            if nn == n and hh == h and ee == ex:
                v += g[key]
        return v

    def etas(n, h, ex="none"):
        return [g["eta"] for (nn, hh, ee, _r), g in res.items() if nn == n and hh == h and ee == ex]

    q_heavy = pool(2, 1) + pool(3, 1) + pool(4, 1)
    q_light = pool(2, 0) + pool(3, 0) + pool(4, 0)
    d_heavy = pool(2, 1, key="switch_us") + pool(3, 1, key="switch_us") + pool(4, 1, key="switch_us")
    d_light = pool(2, 0, key="switch_us") + pool(3, 0, key="switch_us") + pool(4, 0, key="switch_us")
    Q = q(q_heavy, 50) if q_heavy else (q(q_light, 50) if q_light else float("nan"))
    if q_heavy or q_light:
        ts["timeslice_us"] = stat(q_heavy or q_light, "us", 1,
                                  note="GPU ownership interval of one context between two switches, "
                                       "full-GPU contexts (heavy spin), n = 2..4 busy contexts")
        ts["switch_cost_us"] = stat(d_heavy or d_light, "us", 1,
                                    note="dead time between the last instruction of one context and the first of "
                                         "the next; full-GPU context (132 blocks x 1024 threads, 200 KB smem each)")
        ts["timeslice_light_us"] = stat(q_light, "us", 1, note="1-warp contexts")
        ts["switch_cost_light_us"] = stat(d_light, "us", 1, note="1-warp contexts: minimal state")
        eff = {}
        for n in (2, 3, 4):
            e = etas(n, 1)
            if e:
                eff[f"n{n}"] = mstat(e, "fraction", 4)
        effl = {}
        for n in (2, 3, 4):
            e = etas(n, 0)
            if e:
                effl[f"n{n}"] = mstat(e, "fraction", 4)
        if effl:
            ts["efficiency_light"] = dict(effl, note="same for 1-warp contexts")
        if d_heavy or d_light:
            ts["slice_period_us"] = {"value": rnd(Q + q(d_heavy or d_light, 50), 1), "unit": "us",
                                     "note": "timeslice_us + switch_cost_us: period of the round robin per context turn"}
        ts["efficiency"] = dict(eff, note="sum over busy contexts of the time each owned the GPU / wall time (full-GPU contexts); "
                                          "compare Q/(Q+delta)")
        ts["efficiency_model_q_over_q_plus_delta"] = rnd(Q / (Q + q(d_heavy or d_light, 50)), 4)
        rr = {}
        for n in (3, 4):
            v = [g["rr_frac"] for (nn, hh, ee, _r), g in res.items() if nn == n and ee == "none" and g["rr_frac"] is not None]
            if v:
                rr[f"n{n}"] = rnd(min(v), 4)
        ts["round_robin_fraction"] = dict(rr, note="fraction of windows of n consecutive slices owned by n distinct contexts (1 = strict round robin); minimum over runs")
        off = {}
        for n in (2, 3, 4):
            v = pool(n, 1, key="off_us")
            if v:
                qn = q(pool(n, 1), 50)
                dn = q(pool(n, 1, key="switch_us"), 50)
                off[f"n{n}"] = stat(v, "us", 1, predicted_us=rnd((n - 1) * qn + n * dn, 1))
        ts["off_time_us"] = dict(off, note="time a busy context waits between its own slices; predicted (n-1)Q + n*delta")
        fair = []
        for (nn, hh, ee, _r), g in res.items():
            if nn >= 2 and ee == "none":
                fair.append(min(g["shares"]) / max(g["shares"]))
        if fair:
            ts["share_min_over_max"] = rnd(min(fair), 4)
        # idle context
        idle = {}
        for h in (0, 1):
            alone = [g["shares"][0] for (nn, hh, ee, _r), g in res.items() if nn == 1 and hh == h and ee == "none"]
            withi = [g["shares"][0] for (nn, hh, ee, _r), g in res.items() if nn == 1 and hh == h and ee == "idle"]
            gaps_i = [len([x for x in pool(1, h, "idle", "off_us")])]
            if withi:
                idle["heavy" if h else "light"] = {
                    "owned_fraction_alone": rnd(mean(alone), 5) if alone else None,
                    "owned_fraction_beside_idle_context": rnd(mean(withi), 5),
                    "slice_gaps_seen": gaps_i[0], "n": len(withi)}
        ts["idle_context"] = dict(idle, note="a second process with a context and 1 GiB allocated, sleeping on the host")
        say(f"Q (full-GPU ctx) median {q(q_heavy,50):.1f} us p5 {q(q_heavy,5):.1f} p95 {q(q_heavy,95):.1f} n={len(q_heavy)}; "
            f"light {q(q_light,50):.1f} us n={len(q_light)}")
        say(f"switch cost (full-GPU ctx) median {q(d_heavy,50):.1f} us p5 {q(d_heavy,5):.1f} p95 {q(d_heavy,95):.1f} n={len(d_heavy)}; "
            f"light median {q(d_light,50):.1f} us")
        for k, v in eff.items():
            say(f"efficiency {k}: {v['value']} (sd {v['sd']})")
        for k, v in off.items():
            say(f"off time {k}: median {v['value']} us, predicted {v['predicted_us']} us")
        for k, v in idle.items():
            say(f"idle ctx ({k}): owned alone {v['owned_fraction_alone']} vs beside idle ctx "
                f"{v['owned_fraction_beside_idle_context']}, slice gaps {v['slice_gaps_seen']}")
        n1 = pool(1, 0, key="noise_gaps_us") + pool(1, 1, key="noise_gaps_us")
        say(f"alone: {len(n1)} gaps in 4..50 us (max {max(n1) if n1 else 0:.1f} us) in "
            f"{len([1 for k in res if k[0] == 1 and k[2] == 'none'])} runs")

    # latency beside a hog
    lat = {}
    for r in sel(rows, test="ts_lat", role="probe"):
        samp = read_lat(os.path.join(raw, "data", os.path.basename(r["samples"]))) if r.get("samples") not in (None, "-") else []
        lat[(r["hog"], r["sleep_max_us"])] = (r, samp)
    if lat:
        tl = {}
        for (hog, slp), (r, smp) in sorted(lat.items()):
            say(f"latency hog={hog} sleep_max={slp} us: n={r['n']} p5={r['p5_us']} p50={r['p50_us']} p95={r['p95_us']} "
                f"p99={r['p99_us']} max={r['max_us']} mean={r['mean_us']} us")
            base = lat.get(("none", slp), lat.get(("none", 0), (None, [])))[1]
            b50 = q(base, 50) if base else 0.0
            ent = {"kernel_us": r["kern_us"], "host_sleep_max_us": slp,
                   "latency_us": {"p5": r["p5_us"], "p50": r["p50_us"], "p95": r["p95_us"],
                                  "p99": r["p99_us"], "max": r["max_us"], "mean": r["mean_us"], "n": r["n"]}}
            if hog != "none" and smp and not math.isnan(Q):
                w = [x - b50 for x in smp]
                wq = [x / Q for x in w]
                ks = 0.0
                ws = sorted(wq)
                for i, x in enumerate(ws):
                    u = min(max(x, 0.0), 1.0)
                    ks = max(ks, abs((i + 1) / len(ws) - u), abs(i / len(ws) - u))
                ent["wait_over_timeslice"] = {"mean": rnd(mean(wq), 3), "p5": rnd(q(wq, 5), 3),
                                              "p50": rnd(q(wq, 50), 3), "p95": rnd(q(wq, 95), 3),
                                              "frac_above_1": rnd(sum(1 for x in wq if x > 1) / len(wq), 4),
                                              "frac_below_0.2": rnd(sum(1 for x in wq if x < 0.2) / len(wq), 4),
                                              "ks_distance_vs_uniform_0_Q": rnd(ks, 3)}
                say(f"   wait/Q: mean {mean(wq):.3f} p5 {q(wq,5):.3f} p50 {q(wq,50):.3f} p95 {q(wq,95):.3f}; "
                    f"frac<0.2Q {sum(1 for x in wq if x < 0.2) / len(wq):.3f}; "
                    f"KS vs U(0,Q) {ks:.3f}  (U(0,Q): mean .5, p50 .5, p95 .95)")
                hogr = sel(rows, test="ts_lat", role="hog", hog=hog, sleep_max_us=slp)
                if hogr and hog == "fma":
                    ent["hog_rate_kernels_per_s"] = hogr[-1].get("rate")
            tl[f"{hog}_sleep{int(slp)}"] = ent
        ts["short_kernel_latency"] = dict(tl, note="host-timed launch+sync of a 1-warp kernel; hog=fma: back-to-back 4-wave FMA kernels; "
                                                    "hog=spin: one persistent full-GPU kernel; sleep = uniform random host sleep before each launch")

    # small kernels
    def small_table(mode, ns):
        out, txt = {}, []
        for sync in (0, 1):
            agg = {}
            fairness = {}
            for r in sel(rows, test=f"{mode}_small", sync=sync):
                agg.setdefault((r["n"], r["rep"]), []).append(r["rate"])
            if not agg:
                continue
            alone = [sum(v) for (n, _r), v in agg.items() if n == 1]
            if not alone:
                continue
            a1 = mean(alone)
            tab = {"alone_kernels_per_s": mstat(alone, "kernels/s", 1)}
            for n in ns:
                rats = [sum(v) / a1 for (nn, _r), v in agg.items() if nn == n]
                fr = [min(v) / max(v) for (nn, _r), v in agg.items() if nn == n]
                if rats:
                    tab[f"n{n}"] = mstat(rats, "aggregate/alone", 3, per_client_min_over_max=rnd(min(fr), 3))
            key = "small_kernel_throughput_ratio" + ("_sync" if sync else "")
            out[key] = tab
            txt.append(f"{mode} small kernels sync={sync}: alone {a1:.0f} k/s; " +
                       "; ".join(f"n{n}: {tab[f'n{n}']['value']} (sd {tab[f'n{n}']['sd']}, min/max client {tab[f'n{n}']['per_client_min_over_max']})"
                                 for n in ns if f"n{n}" in tab))
        return out, txt

    t, txt = small_table("ts", (2, 4))
    ts.update(t)
    sk = t.get("small_kernel_throughput_ratio_sync", {})
    if "n2" in sk and sk.get("alone_kernels_per_s", {}).get("value"):
        a1 = sk["alone_kernels_per_s"]["value"]
        ex = [1e6 / (a1 * sk[k]["value"]) - 1e6 / a1 for k in ("n2", "n4") if k in sk]
        ts["small_kernel_sync_extra_us_per_kernel"] = {
            "value": rnd(mean(ex), 1), "unit": "us", "n2": rnd(ex[0], 1), "n4": rnd(ex[-1], 1),
            "note": "extra GPU time per kernel when every kernel is followed by a host sync and another context "
                    "is waiting: each kernel then costs one context switch (compare switch_cost_light_us)"}
        txt.append(f"ts small kernels sync: extra time per kernel vs alone {mean(ex):.1f} us (n2 {ex[0]:.1f}, n4 {ex[-1]:.1f})")
    for l in txt:
        say(l)

    def pair_table(mode):
        out, txt = {}, []
        rates = {}
        for r in sel(rows, test=f"{mode}_pair"):
            rates.setdefault((r["pair"], r["rep"]), []).append((r["idx"], r["role"], r["rate"]))
        aC = [x[2] for (p, _r), v in rates.items() if p == "C" for x in v]
        aM = [x[2] for (p, _r), v in rates.items() if p == "M" for x in v]
        if not aC or not aM:
            return out, txt
        alone = {"C": mean(aC), "M": mean(aM)}
        out["alone"] = {"compute_kernels_per_s": mstat(aC, "kernels/s", 2),
                        "memory_kernels_per_s": mstat(aM, "kernels/s", 2)}
        names = {"CC": "compute_compute", "MM": "memory_memory", "CM": "compute_memory"}
        for p, nm in names.items():
            reps = [v for (pp, _r), v in rates.items() if pp == p]
            if not reps:
                continue
            slow = {0: [], 1: []}
            sums = []
            for v in reps:
                v = sorted(v)
                norm = [x[2] / alone[x[1]] for x in v]
                sums.append(sum(norm))
                for i, x in enumerate(norm):
                    slow[i].append(1 / x if x > 0 else float("inf"))
            ent = {"sum_of_normalised_throughput": mstat(sums, "fraction of one GPU", 3)}
            if p == "CM":
                ent["slowdown_compute"] = mstat(slow[0], "x (alone time / shared time)", 3)
                ent["slowdown_memory"] = mstat(slow[1], "x", 3)
            else:
                ent["slowdown"] = mstat(slow[0] + slow[1], "x (alone time / shared time)", 3)
            out[nm] = ent
            txt.append(f"{mode} pair {p}: sum normalised {mean(sums):.3f}; slowdowns " +
                       (f"C {mean(slow[0]):.3f} M {mean(slow[1]):.3f}" if p == "CM" else f"{mean(slow[0] + slow[1]):.3f}"))
        return out, txt

    t, txt = pair_table("ts")
    if t:
        ts["full_gpu_pairs"] = dict(t, note="two processes each running back-to-back full-GPU kernels "
                                            "(C: 4-wave FMA kernel, M: 1 GiB float4 copy)")
    for l in txt:
        say(l)
    if ts:
        cal["timeslicing"] = ts

    # ---- MPS
    mps = {}
    say("")
    say("== MPS")
    ms = sel(rows, test="mps_start")
    if ms:
        say(f"MPS daemon start: {ms[-1].get('status')}; default active thread % = {meta.get('mps_default_active_thread_percentage')}")
        mps["daemon_start"] = ms[-1].get("status")
    t, txt = small_table("mps", (2, 4, 8))
    if t:
        mps["small_kernel_aggregate_ratio"] = t.get("small_kernel_throughput_ratio")
        if "small_kernel_throughput_ratio_sync" in t:
            mps["small_kernel_aggregate_ratio_sync"] = t["small_kernel_throughput_ratio_sync"]
    for l in txt:
        say(l)
    t, txt = pair_table("mps")
    if t:
        mps["interference"] = {
            "compute_compute": t.get("compute_compute", {}).get("slowdown"),
            "memory_memory": t.get("memory_memory", {}).get("slowdown"),
            "compute_memory": {"compute": t.get("compute_memory", {}).get("slowdown_compute"),
                               "memory": t.get("compute_memory", {}).get("slowdown_memory")},
            "note": "slowdown factor = alone throughput / throughput in the pair (2.0 = fair halving). "
                    "C: 4-wave full-GPU FMA kernel; M: 1 GiB float4 copy; MPS clients without caps"}
        if "compute_compute" in t:
            mps["full_kernel_pair_ratio"] = dict(t["compute_compute"]["sum_of_normalised_throughput"],
                                                 note="two clients each launching back-to-back FMA kernels of 4 full waves "
                                                      "(32 blocks of 256 threads per SM): aggregate / one alone")
        mps["pairs_detail"] = t
    for l in txt:
        say(l)
    cp = sel(rows, test="mps_cappedpair")
    if cp:
        aC = [x["rate"] for x in sel(rows, test="mps_pair", pair="C")]
        aM = [x["rate"] for x in sel(rows, test="mps_pair", pair="M")]
        lst = []
        for pcc, pcm in sorted({(r["pct_c"], r["pct_m"]) for r in cp}):
            g = [r for r in cp if r["pct_c"] == pcc and r["pct_m"] == pcm]
            cC = [r["rate"] for r in g if r["pair"] == "C"]
            cM = [r["rate"] for r in g if r["pair"] == "M"]
            pc = [r["rate"] for r in g if r["pair"] == "CM" and r["role"] == "C"]
            pm = [r["rate"] for r in g if r["pair"] == "CM" and r["role"] == "M"]
            if not (pc and pm):
                continue
            ent = {"pct_compute": pcc, "pct_memory": pcm}
            if aC and aM:
                nc = [x / mean(aC) for x in pc]
                nm = [x / mean(aM) for x in pm]
                ent["compute_vs_uncapped_alone"] = mstat(nc, "fraction", 3)
                ent["memory_vs_uncapped_alone"] = mstat(nm, "fraction", 3)
                ent["sum_vs_uncapped_alone"] = mstat([a + b for a, b in zip(nc, nm)], "fraction of one GPU", 3)
            if cC and cM:
                ent["compute_capped_alone_vs_uncapped"] = rnd(mean(cC) / mean(aC), 3) if aC else None
                ent["memory_capped_alone_vs_uncapped"] = rnd(mean(cM) / mean(aM), 3) if aM else None
                ent["slowdown_compute_vs_capped_alone"] = mstat([mean(cC) / x for x in pc], "x", 3)
                ent["slowdown_memory_vs_capped_alone"] = mstat([mean(cM) / x for x in pm], "x", 3)
            lst.append(ent)
            say(f"mps capped pair C{pcc}/M{pcm}: C {ent.get('compute_vs_uncapped_alone', {}).get('value')} "
                f"M {ent.get('memory_vs_uncapped_alone', {}).get('value')} of uncapped alone, sum "
                f"{ent.get('sum_vs_uncapped_alone', {}).get('value')}; capped alone C {ent.get('compute_capped_alone_vs_uncapped')} "
                f"M {ent.get('memory_capped_alone_vs_uncapped')}; slowdown vs capped alone C "
                f"{ent.get('slowdown_compute_vs_capped_alone', {}).get('value')} M "
                f"{ent.get('slowdown_memory_vs_capped_alone', {}).get('value')}")
        if lst:
            mps["interference_capped"] = lst
    caps = sorted(sel(rows, test="mps_caps"), key=lambda r: r["pct"])
    if caps:
        ref = [r for r in caps if r["pct"] == 100]
        rb = ref[-1]["big_gflops"] if ref else None
        r1 = ref[-1]["one_gflops"] if ref else None
        bref = ref[-1].get("busy_one_wave_us") if ref else None
        lst = []
        say("caps: pct  sm_visible  smid_distinct  predicted_floor_tpc  thr_ratio_many_waves  thr_ratio_one_wave(fma)  "
            "thr_ratio_one_wave(fixed-duration blocks)  1/ceil(N_SM/visible)")
        for r in caps:
            pred = int(math.floor(r["pct"] / 100.0 * sms / 2)) * 2 if sms else None
            vis = r["sm_visible"]
            onep = 1.0 / math.ceil(sms / vis) if sms and vis else None
            ent = {"percentage": r["pct"], "sm_count_visible": vis, "smid_distinct": r["smid_distinct"],
                   "sm_count_predicted_floor_tpc": pred,
                   "throughput_ratio": rnd(r["big_gflops"] / rb, 4) if rb else None,
                   "throughput_ratio_one_wave": rnd(r["one_gflops"] / r1, 4) if r1 else None,
                   "one_wave_ratio_predicted": rnd(onep, 4),
                   "gflops": r["big_gflops"], "kernel_us_sd_pct": rnd(100 * r["big_us_sd"] / r["big_us"], 2)}
            if bref and r.get("busy_one_wave_us"):
                ent["throughput_ratio_fixed_duration_blocks_one_wave"] = rnd(bref / r["busy_one_wave_us"], 4)
            lst.append(ent)
            say(f"caps: {r['pct']:>3}  {vis:>4}  {r['smid_distinct']:>4}  {pred}  {ent['throughput_ratio']}  "
                f"{ent['throughput_ratio_one_wave']}  {ent.get('throughput_ratio_fixed_duration_blocks_one_wave')}  "
                f"{ent['one_wave_ratio_predicted']}")
        mps["active_thread_caps"] = lst
    # MPS latency
    ml = {}
    base = None
    for r in sel(rows, test="mps_lat", role="probe"):
        if r["hog"] == "none":
            base = r
    aCw = [x["work"] for x in sel(rows, test="mps_pair", pair="C")]
    for r in sorted(sel(rows, test="mps_lat", role="probe"), key=lambda r: (str(r["hog"]), r["hogpct"], r["sleep_max_us"])):
        hog = sel(rows, test="mps_lat", role="hog", hog=r["hog"], hogpct=r["hogpct"], sleep_max_us=r["sleep_max_us"])
        hw = hog[-1].get("work") if hog else None
        hr = hog[-1].get("rate") if hog else None
        ent = {"hog_active_thread_percentage": r["hogpct"] if r["hog"] != "none" else None,
               "host_sleep_max_us": r["sleep_max_us"],
               "latency_us": {"p5": r["p5_us"], "p50": r["p50_us"], "p95": r["p95_us"], "p99": r["p99_us"],
                              "max": r["max_us"], "mean": r["mean_us"], "n": r["n"]},
               "hog_throughput_vs_uncapped_alone": rnd(hw / mean(aCw), 3) if hw and aCw else None}
        if hog and hog[-1].get("blocks"):
            hb = hog[-1]["blocks"]
            ent["hog_kernel_us"] = rnd(1e6 / hr, 1) if hr else None
            ent["hog_waves_full_gpu"] = rnd(hb / (8.0 * sms), 2) if sms else None
            if base and hr:
                kus = 1e6 / hr
                ent["extra_wait_over_hog_kernel"] = {
                    "p50": rnd((r["p50_us"] - base["p50_us"]) / kus, 3),
                    "p95": rnd((r["p95_us"] - base["p95_us"]) / kus, 3),
                    "mean": rnd((r["mean_us"] - base["mean_us"]) / kus, 3)}
        key = "alone" if r["hog"] == "none" else f"{r['hog']}_cap{r['hogpct']}_sleep{int(r['sleep_max_us'])}"
        ml[key] = ent
        say(f"mps latency {key}: p50={r['p50_us']} p95={r['p95_us']} p99={r['p99_us']} max={r['max_us']} us; "
            f"hog tput {ent['hog_throughput_vs_uncapped_alone']}; hog kernel {ent.get('hog_kernel_us')} us; "
            f"extra wait/hog kernel {ent.get('extra_wait_over_hog_kernel')}")
    hol = [e["extra_wait_over_hog_kernel"]["mean"] for k, e in ml.items()
           if e.get("hog_active_thread_percentage") == 100 and e.get("host_sleep_max_us", 0) > 0
           and e.get("extra_wait_over_hog_kernel")]
    if hol:
        mps["hol_wait_over_hog_kernel"] = {
            "value": rnd(mean(hol), 3), "unit": "fraction of the hog's kernel duration", "sd": rnd(sd(hol), 3),
            "min": rnd(min(hol), 3), "max": rnd(max(hol), 3), "n": len(hol),
            "note": "mean extra latency of a short kernel arriving at a random time beside an uncapped full-GPU "
                    "hog, divided by the hog's kernel duration; independent of the hog's block duration, so the "
                    "newcomer waits for the hog's running grid, about U(0, T_kernel), not for one block"}
        say(f"MPS head-of-line wait / hog kernel duration: mean {mean(hol):.3f} over {len(hol)} configurations")
    if ml:
        mps["short_kernel_latency"] = dict(ml, note=f"1-warp {LAT_note(rows)} kernel beside back-to-back full-GPU FMA kernels "
                                                    "(fma: 4 waves of blocks of the calibrated block duration; fma16: 16 waves of "
                                                    "blocks 4x shorter, same kernel length; fma64: 16 waves of full-length blocks, 4x longer kernel; "
                                                    "2048 threads/SM), hog capped with "
                                                    "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE, probe uncapped")
    cl = sel(rows, test="mps_clients")
    if cl:
        ok = [r for r in cl if r.get("status") == "ok"]
        errs = sorted({str(r.get("err")) for r in cl if r.get("status") != "ok"})
        mps["client_limit"] = {"value": len(ok), "unit": "client contexts", "tried": len(cl),
                               "errors_seen": errs,
                               "note": "64 idle client processes started 20 ms apart; value = how many got a context"}
        say(f"client limit: {len(ok)} of {len(cl)} clients got a context; errors: {','.join(errs) or 'none'}")
    mi = sel(rows, test="info", mode="mps")
    if mi:
        mps["sm_count_visible_default"] = mi[-1].get("sm_count")
    if mps:
        cal["mps"] = mps

    if warnings:
        say("")
        say("== warnings")
        for w in warnings[:40]:
            say("  " + w)

    # ---- write YAML
    prov = {
        "date": meta.get("date"),
        "method": "docs/calibration.md; " + meta.get("command", "tools/probe/run.sh --out FILE"),
        "probe": "tools/probe/gpuprobe.cu sha256:" + meta.get("probe_sha256", "?"),
        "quick_mode": meta.get("quick") == "1",
        "parameters": {k: num(meta[k]) for k in ("secs", "spin_ms", "reps", "small_blocks", "small_us", "blk_us", "lat_kern_us") if k in meta},
        "notes": [meta[k] for k in sorted(meta) if k.startswith("note")] or None,
        "settings_changed": "none (no MIG, clock, compute-mode, compute-policy or reset commands); "
                            "MPS control daemon started privately and quit at the end",
    }
    doc = {"schema": "gpuplan-calibration/1", "gpu": gpu, "provenance": prov}
    doc.update(cal)
    if warnings:
        doc["warnings"] = warnings[:20]
    header = HEADER.format(name=gpu["name"], date=meta.get("date"))
    with open(a.out, "w") as f:
        f.write(header)
        f.write(to_yaml(doc))
    if a.summary:
        with open(a.summary, "w") as f:
            f.write("\n".join(S) + "\n")
    else:
        print("\n".join(S))
    return 0


def LAT_note(rows):
    r = sel(rows, test="mps_lat", role="probe")
    return f"{r[0].get('kern_us')} us" if r else ""


HEADER = """# gpuplan calibration file: measured GPU-sharing constants for {name}.
# Written by tools/probe/analyze.py from a run of tools/probe/run.sh on {date};
# the procedure, the meaning of every key and the comparison with published
# numbers are in docs/calibration.md.  gpuplan's simulator reads this file with
# `gpuplan --calibration FILE` and uses it instead of its built-in defaults
# (time-slice quantum and switch cost, MPS overlap, caps and interference).
# Each measured constant has value, unit, a spread (sd and/or p5/p95, or
# min/max over repetitions) and n (number of samples or repetitions).
"""


# ------------------------------------------------------------ tiny YAML ----

def yscalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "null"
        s = repr(v)
        return s
    s = str(v)
    if s == "" or s[0].isdigit() or s[0] in "-+." or any(c in s for c in ":#{}[],&*!|>'\"%@`\n") or s.strip() != s or \
            s.lower() in ("null", "true", "false", "yes", "no", "on", "off", "~") or _looks_num(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def _looks_num(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def to_yaml(d, ind=0):
    out = []
    sp = "  " * ind
    if isinstance(d, dict):
        for k, v in d.items():
            if isinstance(v, dict):
                if not v:
                    out.append(f"{sp}{k}: {{}}")
                elif all(not isinstance(x, (dict, list)) for x in v.values()) and len(v) <= 8 and \
                        sum(len(str(x)) for x in v.values()) < 90:
                    out.append(f"{sp}{k}: {{" + ", ".join(f"{kk}: {yscalar(x)}" for kk, x in v.items()) + "}")
                else:
                    out.append(f"{sp}{k}:")
                    out.append(to_yaml(v, ind + 1))
            elif isinstance(v, list):
                if not v:
                    out.append(f"{sp}{k}: []")
                elif all(not isinstance(x, (dict, list)) for x in v):
                    out.append(f"{sp}{k}: [" + ", ".join(yscalar(x) for x in v) + "]")
                else:
                    out.append(f"{sp}{k}:")
                    for x in v:
                        if isinstance(x, dict):
                            inner = to_yaml(x, ind + 2).split("\n")
                            inner[0] = "  " * (ind + 1) + "- " + inner[0].lstrip()
                            out.append("\n".join(inner))
                        else:
                            out.append("  " * (ind + 1) + "- " + yscalar(x))
            else:
                out.append(f"{sp}{k}: {yscalar(v)}")
    return "\n".join(out) + ("\n" if ind == 0 else "")


if __name__ == "__main__":
    sys.exit(main())
