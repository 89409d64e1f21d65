"""lifelines engine of `npm run bench` (KM, log-rank and Cox only).

Called by `survkit-bench all` as
    python3 bench/lifelines_bench.py --task km|cox --file F --p P --reps N
and prints one JSON line (times in seconds, warm-up run dropped). The CSV is read
with pandas before timing (lifelines has no reader of its own).
  km:  KaplanMeierFitter per arm + multivariate_logrank_test
  cox: CoxPHFitter (Efron ties, its only method) with x1..xp
"""
import os

# Single thread, like survkit and R.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402


def rss_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return None


base = rss_kb("VmRSS:")

import lifelines  # noqa: E402
import pandas as pd  # noqa: E402
from lifelines import CoxPHFitter, KaplanMeierFitter  # noqa: E402
from lifelines.statistics import multivariate_logrank_test  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--task", required=True)
ap.add_argument("--file", required=True)
ap.add_argument("--p", type=int, required=True)
ap.add_argument("--reps", type=int, default=5)
a = ap.parse_args()
warnings.simplefilter("ignore")

covs = [f"x{j}" for j in range(1, a.p + 1)]
d = pd.read_csv(a.file, usecols=["time", "status", "arm"] + covs)


def km():
    for g in sorted(d["arm"].unique()):
        m = d["arm"] == g
        k = KaplanMeierFitter().fit(d["time"][m], d["status"][m])
        k.median_survival_time_
    return multivariate_logrank_test(d["time"], d["arm"], d["status"]).test_statistic


def cox():
    f = CoxPHFitter().fit(d[["time", "status"] + covs], "time", "status")
    return {"loglik": f.log_likelihood_, "coef1": float(f.params_.iloc[0])}


f = {"km": km, "cox": cox}[a.task]
times = []
cpus = []
out = None
for i in range(a.reps + 1):
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = f()
    dt = time.perf_counter() - t0
    dc = time.process_time() - c0
    if i > 0:
        times.append(dt)
        cpus.append(dc)

print(json.dumps({
    "engine": "lifelines",
    "version": f"lifelines {lifelines.__version__}; pandas {pd.__version__}",
    "times": times,
    "cpu_times": cpus,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "base_rss_kb": base,
    "check": float(out) if not isinstance(out, dict) else out,
}))
