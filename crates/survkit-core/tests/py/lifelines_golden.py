"""Golden numbers for crates/survkit-core/tests/conventions_lifelines.rs.

lifelines 0.30.3 (pip install lifelines), Python 3.11. Run from the repo root:
    python3 crates/survkit-core/tests/py/lifelines_golden.py
Reads the public datasets in tests/data/ (and crates/survkit-core/tests/data/whas500.csv)
and writes crates/survkit-core/tests/fixtures/lifelines_golden.json with, per dataset:
the Kaplan-Meier curve and its 95% CI (lifelines' default, log(-log)), the median and
quartiles (qth_survival_time) with limits from the CI bands (median_survival_times on
confidence_interval_), the Nelson-Aalen cumulative hazard with its default tie
correction, variance and 95% CI, and survival predicted past the last observation.
"""
import json
import warnings
import math

import lifelines
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter, NelsonAalenFitter
from lifelines.utils import median_survival_times, qth_survival_time


def num(x):
    x = float(x)
    return None if math.isinf(x) or math.isnan(x) else x


def case(name, t, e):
    t = np.asarray(t, dtype=float)
    e = np.asarray(e, dtype=bool)
    km = KaplanMeierFitter().fit(t, e)
    sf = km.survival_function_.iloc[:, 0]
    ci = km.confidence_interval_
    keep = sf.index.values > 0  # lifelines adds t = 0
    out = {"name": name, "time": list(map(float, t)), "status": list(map(int, e))}
    out["km_time"] = list(map(float, sf.index.values[keep]))
    out["km_surv"] = list(map(float, sf.values[keep]))
    out["km_lower"] = [num(v) for v in ci.iloc[:, 0].values[keep]]
    out["km_upper"] = [num(v) for v in ci.iloc[:, 1].values[keep]]
    q = {}
    for p in (0.25, 0.5, 0.75):
        est = qth_survival_time(1 - p, km)
        lo = qth_survival_time(1 - p, ci.iloc[:, 0])
        hi = qth_survival_time(1 - p, ci.iloc[:, 1])
        q[str(p)] = [num(est), num(lo), num(hi)]
    m = median_survival_times(ci)
    q["median_ci"] = [num(m.iloc[0, 0]), num(m.iloc[0, 1])]
    out["quantiles"] = q
    out["median"] = num(km.median_survival_time_)
    # Where S equals 1 - p exactly (in exact arithmetic), lifelines' answer depends on
    # the rounding of its floating-point S (see conventions.rs): record those cases.
    out["exact_hit"] = {str(p): bool(any(abs(v - (1 - p)) < 1e-9 for v in sf.values))
                        for p in (0.25, 0.5, 0.75)}
    na = NelsonAalenFitter().fit(t, e)
    H = na.cumulative_hazard_.iloc[:, 0]
    nci = na.confidence_interval_
    nkeep = H.index.values > 0
    out["na_time"] = list(map(float, H.index.values[nkeep]))
    out["na_cumhaz"] = list(map(float, H.values[nkeep]))
    out["na_var"] = list(map(float, na._cumulative_sq.values[nkeep]))
    out["na_lower"] = [num(v) for v in nci.iloc[:, 0].values[nkeep]]
    out["na_upper"] = [num(v) for v in nci.iloc[:, 1].values[nkeep]]
    last = float(t.max())
    out["beyond"] = [last + 1.0, float(km.predict(last + 1.0))]
    return out


def km_plateaus(v):
    return [v[i] for i in range(1, len(v)) if v[i] == v[i - 1]]


warnings.simplefilter("ignore")
cases = []
aml = pd.read_csv("tests/data/aml.csv")
cases.append(case("aml", aml.time, aml.status == 1))
ov = pd.read_csv("tests/data/ovarian.csv")
cases.append(case("ovarian", ov.futime, ov.fustat == 1))
lung = pd.read_csv("tests/data/lung.csv")
cases.append(case("lung", lung.time, lung.status == 2))
# Months rounded to a tenth: many ties, a 50-patient cohort as in issue 16.
sub = lung.iloc[:50]
cases.append(case("lung50_months", np.round(sub.time / 30.4375, 1), sub.status == 2))
vet = pd.read_csv("tests/data/veteran.csv")
cases.append(case("veteran", vet.time, vet.status == 1))
w = pd.read_csv("crates/survkit-core/tests/data/whas500.csv")
cases.append(case("whas500", w.lenfol, w.fstat == 1))
# Hand-sized: ties between events and a censoring at an event time.
cases.append(case("tiny", [1, 1, 2, 3, 3, 3, 5], [1, 1, 0, 1, 1, 0, 1]))
# Weighted log-rank tests on WHAS500: by AFB, and by three age groups.
from lifelines.statistics import multivariate_logrank_test

w["agegrp"] = np.where(w.age <= 60, 0, np.where(w.age <= 75, 1, 2))
tests = []
for by in ("afb", "agegrp"):
    for wt in (None, "wilcoxon", "tarone-ware", "peto", "fleming-harrington"):
        kw = {} if wt is None else {"weightings": wt}
        if wt == "fleming-harrington":
            kw.update(p=1, q=0)
        r = multivariate_logrank_test(w.lenfol, w[by], w.fstat, **kw)
        tests.append({"by": by, "weightings": wt or "log-rank",
                      "chisq": float(r.test_statistic), "p": float(r.p_value)})
with open("crates/survkit-core/tests/fixtures/lifelines_golden.json", "w") as f:
    json.dump({"lifelines": lifelines.__version__, "cases": cases, "tests": tests}, f)
for c in cases:
    print(c["name"], c["median"], c["quantiles"]["median_ci"], c["exact_hit"])
