#!/usr/bin/python3
"""Write the SciPy / numpy golden files that mloop's data-drift tests compare against.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-drift-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-scipy 1.10.1, numpy 1.24 and
python3-sklearn 1.2.1); another `python3` on PATH may lack them. The script writes
test/golden/drift-ks.json and test/golden/drift.json and nothing else; like
scripts/make-golden.py it is run by hand and its output is committed and reviewed.

- drift-ks.json: scipy.stats.ks_2samp(reference, current) (two-sided, method='auto') on fixed
  samples chosen to reach every branch SciPy has (exact lattice-path counts for n1 = n2 and
  n1 != n2, ties, identical and disjoint samples, the fallback to the asymptotic distribution
  when the exact n1 = n2 formula rounds above 1, and more than 10000 values), plus
  scipy.stats.kstwo.sf and scipy.special.smirnov on a grid of (n, x) covering each method of
  the asymptotic distribution.
- drift.json: the PSI of chosen samples, and the whole drift comparison on the bundled data:
  the reference is the training split of the default golden case (test/golden/default.json),
  the recent inputs are its test rows, the same rows with every feature times 1.3 (the shift the
  issue's end-to-end scenario uses), the training rows themselves and the first two test rows.

Samples above a few hundred values are not stored; they are made by `modular` (integer
arithmetic, then one division and one addition, which JavaScript reproduces bit for bit) or
written as runs of one repeated value.
json.dump writes floats with repr(), which round-trips every float64 exactly.
"""

import importlib.util
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import special, stats
from sklearn.model_selection import train_test_split

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"
BINS = 10
EMPTY_BIN_SHARE = 0.0001
ALPHA, PSI_MAJOR, DRIFT_SHARE = 0.05, 0.2, 0.3

# Reuse make-golden.py's CSV reader and writer, so both golden sets read the data the same way.
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make-golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def ints(a):
    return [int(v) for v in np.ravel(a)]


def modular(n, mult, mod, div, offset):
    """((i * mult) % mod) / div + offset for i < n, an exactly reproducible spread of values."""
    return np.array([((i * mult) % mod) / div + offset for i in range(n)], dtype=np.float64)


def expand_runs(runs):
    """[[value, count], ...] as one array: value repeated count times, run after run."""
    return np.concatenate([np.full(count, value, dtype=np.float64) for value, count in runs])


def sample(values, spec=None):
    """A sample as the JSON stores it: the values, or the modular() arguments that make them."""
    if spec is not None:
        assert np.array_equal(modular(**spec), values)
        return {"modular": spec}
    return {"values": floats(values)}


# --- Kolmogorov-Smirnov -------------------------------------------------------------------

def ks_cases():
    rng = np.random.RandomState(8)
    cases = []

    def add(name, ref, cur, ref_spec=None, cur_spec=None):
        res = stats.ks_2samp(ref, cur)  # alternative='two-sided', method='auto'
        n1, n2 = len(ref), len(cur)
        method = "exact" if max(n1, n2) <= 10000 else "asymp"
        if method == "exact" and n1 == n2:
            # SciPy falls back to 'asymp' (with a RuntimeWarning) when the exact n1 = n2 formula
            # lands outside [0, 1]; detect it the way ks_2samp does.
            g = math.gcd(n1, n2)
            h = int(np.round(res.statistic * (n1 // g) * n2))
            p = stats._stats_py._compute_prob_outside_square(n1, h) if h else 1.0
            if not 0 <= p <= 1:
                method = "asymp"
        cases.append({
            "name": name,
            "reference": sample(ref, ref_spec),
            "current": sample(cur, cur_spec),
            "statistic": float(res.statistic),
            "pvalue": float(res.pvalue),
            "method": method,
        })

    normal = lambda n, loc=0.0, scale=1.0: np.round(rng.normal(loc, scale, n), 4)  # noqa: E731
    add("tiny n1=n2=3 shifted", normal(3), normal(3, 1.0))
    add("small n1=8 n2=5", normal(8), normal(5, 0.5))
    add("small n1=1 n2=6", normal(1), normal(6))
    add("n1=n2=20 coarse ties", np.round(rng.normal(0, 1, 20), 0), np.round(rng.normal(0.3, 1, 20), 0))
    add("n1=30 n2=45 heavy ties", rng.randint(0, 5, 30).astype(float), rng.randint(1, 6, 45).astype(float))
    add("n1=n2=50 same law", normal(50), normal(50))
    add("n1=n2=50 shifted", normal(50), normal(50, 0.8))
    add("n1=455 n2=50 same law", normal(455), normal(50))
    add("n1=455 n2=50 scaled x1.3", normal(455, 2.0, 0.5), normal(50, 2.6, 0.65))
    add("n1=455 n2=114 slight shift", normal(455), normal(114, 0.2))
    add("n1=455 n2=500 same law", normal(455), normal(500))
    add("n1=455 n2=500 wider", normal(455), normal(500, 0.0, 1.3))
    ident = normal(40)
    add("identical samples", ident, ident.copy())
    add("disjoint samples", normal(25), normal(35, 100.0))
    add("disjoint n1=n2=455", np.arange(455.0), np.arange(455.0) + 1000)
    # n1 = n2 with a tiny statistic: for some n and h the exact formula rounds to just above 1
    # (here n = 440 with h = 4 and n = 30 with h = 1, not n = 455 with h = 1) and SciPy uses
    # kstwo.sf instead.
    add("n1=n2=455 D=1/455", np.arange(455.0), np.arange(455.0) + 0.5)
    add("n1=n2=440 D=4/440", np.arange(440.0), np.arange(440.0) + 3.5)
    add("n1=n2=30 D=1/30", np.arange(30.0), np.arange(30.0) + 0.5)
    big_ref = dict(n=455, mult=7919, mod=10007, div=97.0, offset=-50.0)
    big_cur = dict(n=10001, mult=104729, mod=10009, div=97.0, offset=-48.0)
    add("n1=455 n2=10001", modular(**big_ref), modular(**big_cur), big_ref, big_cur)
    shifted = dict(n=10001, mult=104729, mod=10009, div=97.0, offset=-40.0)
    add("n1=455 n2=10001 shifted", modular(**big_ref), modular(**shifted), big_ref, shifted)
    big_small = dict(n=12000, mult=7919, mod=10007, div=89.0, offset=-50.0)
    small = dict(n=60, mult=31, mod=61, div=7.0, offset=-4.0)
    add("n1=12000 n2=60", modular(**big_small), modular(**small), big_small, small)
    exact_max = dict(n=10000, mult=7919, mod=10007, div=97.0, offset=-50.0)
    add("n1=455 n2=10000", modular(**big_ref), modular(**exact_max), big_ref, exact_max)
    return cases


def distribution_grid():
    """(n, x) pairs on both sides of every switch in _kolmogn: n <= 140 and > 140, n x^2 at
    0.754693, 2.2, 4, 18 and 370, n x^1.5 at 1.4, x at 1/n and 0.5, n at 100000 and 1e6."""
    kstwo_rows, smirnov_rows = [], []
    ns = [1, 2, 3, 5, 9, 20, 50, 99, 140, 141, 228, 455, 1000, 5000, 20000, 100000, 100001, 1000001]
    nx2 = [0.05, 0.2, 0.5, 0.754, 0.755, 1.0, 1.5, 2.19, 2.21, 3.0, 3.99, 4.01, 8.0, 17.9, 18.1, 60.0, 200.0, 369.0, 371.0]
    # For large n a few points per method suffice (smirnov's sum has up to n terms, and the port
    # is slower than SciPy's C); 0.02 reaches the Durbin matrix for n = 100000 (n x^1.5 <= 1.4).
    nx2_large_n = [0.02, 0.2, 1.0, 2.19, 2.21, 8.0, 369.0, 371.0]
    for n in ns:
        grid = nx2 if n < 20000 else nx2_large_n
        xs = [math.sqrt(v / n) for v in grid] + [0.4 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.5, 0.7, 1 - 1.5 / n]
        for x in xs:
            if not 0 < x < 1:
                continue
            kstwo_rows.append([n, x, float(stats.kstwo.sf(x, n))])
            smirnov_rows.append([n, x, float(special.smirnov(n, x))])
    return kstwo_rows, smirnov_rows


# --- Histograms and PSI ---------------------------------------------------------------------

def binned(ref, cur):
    """Reference-range edges; current values outside them moved onto the nearest edge."""
    edges = np.histogram_bin_edges(ref, bins=BINS)
    ref_counts = np.histogram(ref, edges)[0]
    cur_counts = np.histogram(np.clip(cur, edges[0], edges[-1]), edges)[0]
    assert ref_counts.sum() == len(ref) and cur_counts.sum() == len(cur)
    return edges, ref_counts, cur_counts


def evidently_psi(ref_counts, cur_counts, n_ref, n_cur):
    """Evidently's psi(): get_binned_data's shares and feel_zeroes, then sum of sub_psi."""
    reference_percents = ref_counts / n_ref
    current_percents = cur_counts / n_cur
    for percents in (reference_percents, current_percents):
        smallest = min(percents[percents != 0])
        np.place(percents, percents == 0, smallest / 10**6 if smallest <= EMPTY_BIN_SHARE else EMPTY_BIN_SHARE)
    psi_value = 0
    for i, _ in enumerate(reference_percents):
        psi_value += (reference_percents[i] - current_percents[i]) * np.log(reference_percents[i] / current_percents[i])
    return float(psi_value)


def psi_cases():
    rng = np.random.RandomState(3)
    cases = []

    def add(name, ref, cur, runs=None):
        edges, rc, cc = binned(ref, cur)
        cases.append({
            "name": name,
            "reference": sample(ref),
            "current": {"runs": runs} if runs else sample(cur),
            "edges": floats(edges),
            "reference_counts": ints(rc),
            "current_counts": ints(cc),
            "below": int((cur < ref.min()).sum()),
            "above": int((cur > ref.max()).sum()),
            "psi": evidently_psi(rc, cc, len(ref), len(cur)),
        })

    base = np.round(rng.normal(10, 2, 200), 3)
    add("same law", base, np.round(rng.normal(10, 2, 150), 3))
    add("identical", base, base.copy())
    add("shift half a sd", base, np.round(rng.normal(11, 2, 150), 3))
    add("scaled x1.3 (beyond the range)", base, base * 1.3)
    add("all current below the range", base, np.round(rng.normal(-50, 1, 40), 3))
    gap = np.concatenate([np.round(rng.uniform(0, 3, 60), 3), np.round(rng.uniform(7, 10, 60), 3)])
    add("reference with empty bins", gap, np.round(rng.uniform(0, 10, 80), 3))
    add("constant reference", np.full(30, 4.2), np.round(rng.normal(4.2, 0.3, 30), 3))
    add("two recent rows", base, np.array([9.5, 30.0]))
    # One current value in 20000 in a bin: its share 5e-5 is <= 0.0001, so the empty current
    # bins get 5e-5 / 10^6 instead of 0.0001.
    runs = [[0.05, 19999], [0.5, 1]]
    add("20000 recent values, sparse bins", np.round(rng.uniform(0, 1, 100), 4), expand_runs(runs), runs=runs)
    return cases


# --- The drift comparison on the bundled data ------------------------------------------------

def profile(x_train, names):
    features = []
    for j, name in enumerate(names):
        col = np.ascontiguousarray(x_train[:, j])
        # Stride-30 view and contiguous copy reduce alike (pairwise over one inner loop).
        assert col.mean() == x_train[:, j].mean() and col.std() == x_train[:, j].std()
        edges = np.histogram_bin_edges(col, bins=BINS)
        features.append({
            "name": name,
            "min": float(col.min()),
            "max": float(col.max()),
            "mean": float(np.mean(col)),
            "std": float(np.std(col)),
            "edges": floats(edges),
            "counts": ints(np.histogram(col, edges)[0]),
        })
    return {"n_samples": int(x_train.shape[0]), "features": features}


def compare(x_train, recent, names):
    n_features = len(names)
    per_feature = []
    for j, name in enumerate(names):
        ref, cur = x_train[:, j], recent[:, j]
        res = stats.ks_2samp(ref, cur)
        p_adjusted = min(1.0, float(res.pvalue) * n_features)
        edges, rc, cc = binned(ref, cur)
        psi = evidently_psi(rc, cc, len(ref), len(cur))
        per_feature.append({
            "feature": name,
            "statistic": float(res.statistic),
            "pvalue": float(res.pvalue),
            "p_adjusted": p_adjusted,
            "drifted": p_adjusted < ALPHA,
            "psi": psi,
            "psi_major": psi >= PSI_MAJOR,
            "below": int((cur < ref.min()).sum()),
            "above": int((cur > ref.max()).sum()),
            "recent_counts": ints(cc),
        })
    drifted = sum(f["drifted"] for f in per_feature)
    return {
        "n_recent": int(recent.shape[0]),
        "n_features": n_features,
        "drifted_count": drifted,
        "drifted_share": drifted / n_features,
        "dataset_drift": drifted / n_features > DRIFT_SHARE,
        "features": per_feature,
    }


def wdbc_drift():
    x, _ = make_golden.load_wdbc()
    names = list(make_golden.pd.read_csv(ROOT / "data" / "wdbc.csv", nrows=0).columns.drop("diagnosis"))
    default = json.loads((GOLDEN / "default.json").read_text(encoding="utf-8"))
    train_idx, test_idx = np.array(default["train_indices"]), np.array(default["test_indices"])
    tr, te = train_test_split(np.arange(x.shape[0]), test_size=0.2, random_state=20)
    assert np.array_equal(tr, train_idx) and np.array_equal(te, test_idx)
    x_train, x_test = x[train_idx], x[test_idx]
    scenarios = {
        "test": (x_test, "the test rows"),
        "test-x1.3": (x_test * 1.3, "the test rows, every feature times 1.3"),
        "train": (x_train, "the training rows themselves"),
        "test-first-2": (x_test[:2], "the first two test rows (the fewest allowed)"),
    }
    out = {
        "reference": "train_indices of test/golden/default.json",
        "options": {"alpha": ALPHA, "psiMajor": PSI_MAJOR, "driftShare": DRIFT_SHARE},
        "feature_names": names,
        "profile": profile(x_train, names),
        "scenarios": [],
    }
    for name, (recent, description) in scenarios.items():
        report = compare(x_train, recent, names)
        out["scenarios"].append({"name": name, "description": description, "report": report})
    by_name = {s["name"]: s["report"] for s in out["scenarios"]}
    # The end-to-end expectation, checked here so a regenerated golden cannot drift from it.
    assert by_name["test-x1.3"]["dataset_drift"] and not by_name["test"]["dataset_drift"]
    return out


def main():
    kstwo_rows, smirnov_rows = distribution_grid()
    versions = {"scipy_version": scipy.__version__, "numpy_version": np.__version__}
    make_golden.write("drift-ks", {**versions, "ks_2samp": ks_cases(), "kstwo_sf": kstwo_rows, "smirnov": smirnov_rows})
    make_golden.write("drift", {**versions, "bins": BINS, "psi": psi_cases(), "wdbc": wdbc_drift()})


if __name__ == "__main__":
    import warnings

    # The n1 = n2 cases that fall back to the asymptotic distribution warn; that fallback is
    # what they are there to record.
    warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful")
    main()
