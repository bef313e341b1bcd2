#!/usr/bin/python3
"""Write the scikit-learn / SciPy golden files for mloop's statistical functions.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-stats-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-sklearn 1.2.1, python3-scipy 1.10.1
and numpy 1.24); another `python3` on PATH may lack them. The script writes
test/golden/ranking-curves.json, test/golden/mcnemar.json and test/golden/chi-square.json and
nothing else; like scripts/make-golden.py it is run by hand and its output is committed.

- ranking-curves.json: sklearn.metrics.roc_curve (drop_intermediate True and False),
  roc_auc_score, precision_recall_curve and average_precision_score on binary cases (ties,
  all-equal scores, one or two samples, 569 rows, a single class), and one-vs-rest curves and
  averages on 3-class cases.
- mcnemar.json: the exact McNemar p-value min(1, 2 * scipy.stats.binom.cdf(min(b, c), b + c,
  0.5)) (statsmodels' mcnemar(table, exact=True)), binom.cdf(k, n, 0.5) for any k, and the
  correctly rounded value of each from exact rational arithmetic (fractions.Fraction).
- chi-square.json: scipy.stats.chi2_contingency on 2x2 (Yates), k x 2, 2 x k and larger tables,
  scipy.stats.chi2.sf on a grid from p near 1 down to 1e-300 and below, scipy.special.gammaincc
  at other shapes a, and the category drift test on reference / recent counts.

json.dump writes floats with repr(), which round-trips every float64 exactly. JSON has no NaN,
so a NaN is written as null (the tests read null back as NaN).
"""

import importlib.util
import json
import math
import pathlib
import warnings
from fractions import Fraction

import numpy as np
import scipy
import sklearn
from scipy import special, stats
from sklearn.metrics import (auc, average_precision_score, precision_recall_curve, roc_auc_score,
                             roc_curve)

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Reuse make-golden.py's CSV reader and writer, as make-drift-golden.py does.
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make-golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


def floats(a):
    return [None if math.isnan(v) else float(v) for v in np.ravel(np.asarray(a, dtype=np.float64))]


def number(v):
    v = float(v)
    return None if math.isnan(v) else v


# --- Ranking curves ---------------------------------------------------------------------------

def binary_case(name, y, scores, positive):
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=np.float64)
    out = {"name": name, "y_true": [str(v) for v in y], "scores": floats(scores), "positive": str(positive)}
    for key, drop in (("roc", True), ("roc_all", False)):
        fpr, tpr, thr = roc_curve(y, scores, pos_label=positive, drop_intermediate=drop)
        out[key] = {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thr)}
    is_pos = (y == positive).astype(int)
    if 0 < is_pos.sum() < len(y):
        out["roc_auc"] = float(roc_auc_score(is_pos, scores))
        fpr, tpr, _ = roc_curve(y, scores, pos_label=positive)
        assert out["roc_auc"] == float(auc(fpr, tpr))
    else:
        out["roc_auc"] = None  # roc_auc_score raises "Only one class present in y_true"
    precision, recall, thr = precision_recall_curve(y, scores, pos_label=positive)
    out["pr"] = {"precision": floats(precision), "recall": floats(recall), "thresholds": floats(thr)}
    out["average_precision"] = float(average_precision_score(is_pos, scores))
    return out


def ranking_cases():
    rng = np.random.RandomState(11)
    cases = [
        binary_case("scikit-learn docstring example", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 1),
        binary_case("one positive sample", [1], [0.3], 1),
        binary_case("two samples, tied", ["M", "B"], [0.5, 0.5], "M"),
        binary_case("all scores equal", rng.randint(0, 2, 20), np.full(20, 0.25), 1),
        binary_case("perfect ranking", [0, 0, 0, 1, 1], [-2.0, -1.0, -0.5, 0.5, 3.0], 1),
        binary_case("inverted ranking", [1, 1, 0, 0, 0], [-2.0, -1.0, -0.5, 0.5, 3.0], 1),
        binary_case("no positive sample", [0, 0, 0, 0], [0.1, 0.5, 0.5, 0.9], 1),
        binary_case("no negative sample", ["M", "M", "M"], [0.1, 0.5, 0.5], "M"),
        # -0.0 and 0.0 tie; the threshold keeps the earliest sample's value, as mergesort
        # reversed does.
        binary_case("signed zeros tie", [1, 0, 1, 0, 1], [-0.0, 0.0, 1.0, 0.0, -1.0], 1),
        binary_case("huge scores (thresholds[0] + 1 rounds)", [1, 0, 1, 0], [1e17, 3e16, -1e17, 2e17], 1),
    ]
    y = rng.randint(0, 2, 50)
    cases.append(binary_case("50 rows, scores rounded to 0.1 (ties)", y, np.round(rng.rand(50) * 0.6 + 0.4 * y, 1), 1))
    y = (rng.rand(200) < 0.3).astype(int)
    cases.append(binary_case("200 rows, integer scores 0..9 (heavy ties)", y, rng.randint(0, 10, 200) + 3 * y, 1))
    y = np.where(rng.rand(569) < 0.37, "M", "B")
    decision = rng.normal(0, 1, 569) + 1.7 * (y == "M")
    cases.append(binary_case("569 rows, decision values", y, decision, "M"))
    cases.append(binary_case("569 rows, decision values, positive B", y, -decision, "B"))
    proba = np.round(1 / (1 + np.exp(-2 * decision)), 3)
    cases.append(binary_case("569 rows, probabilities rounded to 0.001", y, proba, "M"))
    x, wdbc_y = make_golden.load_wdbc()
    names = list(make_golden.pd.read_csv(ROOT / "data" / "wdbc.csv", nrows=0).columns.drop("diagnosis"))
    feature = names.index("concave points_worst")
    cases.append(binary_case("wdbc: concave points_worst as the score of M", wdbc_y, x[:, feature], "M"))
    return cases


def ovr_case(name, y, scores, classes, probabilities):
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=np.float64)
    per_class = []
    for k, label in enumerate(classes):
        case = binary_case(label, y, scores[:, k], label)
        per_class.append({key: case[key] for key in ("positive", "roc", "roc_auc", "pr", "average_precision")})
    aucs = np.array([np.nan if c["roc_auc"] is None else c["roc_auc"] for c in per_class])
    aps = np.array([c["average_precision"] for c in per_class])
    support = np.array([int((y == label).sum()) for label in classes])
    macro = float(np.average(aucs))
    weighted_scores = aucs.copy()
    weighted_scores[support == 0] = 0  # _average_binary_score zeroes scores of zero weight
    weighted = float(np.average(weighted_scores, weights=support))
    if probabilities and (support > 0).all():
        assert macro == roc_auc_score(y, scores, multi_class="ovr", average="macro", labels=classes)
        assert weighted == roc_auc_score(y, scores, multi_class="ovr", average="weighted", labels=classes)
    indicator = np.stack([(y == label).astype(int) for label in classes], axis=1)
    macro_ap = float(np.average(aps))
    assert macro_ap == float(average_precision_score(indicator, scores, average="macro"))
    return {
        "name": name,
        "classes": list(classes),
        "y_true": [str(v) for v in y],
        "scores": [floats(row) for row in scores],
        "per_class": per_class,
        "macro_roc_auc": number(macro),
        "weighted_roc_auc": number(weighted),
        "macro_average_precision": macro_ap,
    }


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def ovr_cases():
    rng = np.random.RandomState(5)
    classes = ["setosa", "versicolor", "virginica"]
    cases = []
    y_idx = rng.randint(0, 3, 150)
    logits = rng.normal(0, 1, (150, 3)) + 1.5 * np.eye(3)[y_idx]
    cases.append(ovr_case("150 rows, softmax probabilities", np.array(classes)[y_idx], softmax(logits), classes, True))
    y_idx = rng.randint(0, 3, 569)
    logits = rng.normal(0, 1, (569, 3)) + 1.0 * np.eye(3)[y_idx]
    cases.append(ovr_case("569 rows, decision values", np.array(classes)[y_idx], logits, classes, False))
    y_idx = rng.randint(0, 3, 90)
    proba = np.round(softmax(rng.normal(0, 1, (90, 3)) + 2 * np.eye(3)[y_idx]), 1)
    cases.append(ovr_case("90 rows, probabilities rounded to 0.1 (ties)", np.array(classes)[y_idx], proba, classes, False))
    y_idx = rng.randint(0, 2, 30)  # virginica never occurs
    cases.append(ovr_case("30 rows, a class absent", np.array(classes)[y_idx], softmax(rng.normal(0, 1, (30, 3))), classes, False))
    return cases


# --- McNemar ----------------------------------------------------------------------------------

def exact_binom_cdf_half(k, n):
    total, term = 0, 1
    for i in range(k + 1):
        total += term
        term = term * (n - i) // (i + 1)  # C(n, i + 1), exactly
    return Fraction(total, 2 ** n)


def mcnemar_cases():
    rng = np.random.RandomState(17)
    pairs = [(0, 0), (0, 1), (1, 0), (1, 1), (5, 5), (3, 10), (10, 3), (0, 20), (7, 8), (12, 40),
             (100, 150), (400, 600), (1000, 1100), (2500, 3000), (4999, 5001), (0, 1073), (0, 1074),
             (0, 1075), (0, 1100), (1, 1100), (10, 5000), (300, 5000), (20000, 20500)]
    pairs += [tuple(int(v) for v in rng.randint(0, 60, 2)) for _ in range(10)]
    pairs += [tuple(int(v) for v in rng.randint(0, 4000, 2)) for _ in range(6)]
    tests = []
    for b, c in pairs:
        n, k = b + c, min(b, c)
        p = min(1.0, float(stats.binom.cdf(k, n, 0.5)) * 2)
        exact = min(Fraction(1), 2 * exact_binom_cdf_half(k, n))
        tests.append({"b": b, "c": c, "pvalue": p, "pvalue_exact": float(exact)})
    cdf = []
    for n in [0, 1, 2, 3, 10, 33, 100, 569, 1000, 1074, 1075, 3000, 10001]:
        for k in sorted({0, 1, n // 4, n // 2 - 1, n // 2, n // 2 + 1, (3 * n) // 4, n - 1, n}):
            if 0 <= k <= n:
                cdf.append([k, n, float(stats.binom.cdf(k, n, 0.5)), float(exact_binom_cdf_half(k, n))])
    # Paired outcomes: which of two models got each of 569 rows right.
    correct_a = rng.rand(569) < 0.93
    correct_b = np.where(rng.rand(569) < 0.9, correct_a, ~correct_a)
    b = int((correct_a & ~correct_b).sum())
    c = int((~correct_a & correct_b).sum())
    paired = {
        "correct_a": [bool(v) for v in correct_a],
        "correct_b": [bool(v) for v in correct_b],
        "b": b,
        "c": c,
        "pvalue": min(1.0, float(stats.binom.cdf(min(b, c), b + c, 0.5)) * 2),
    }
    return {"tests": tests, "binom_cdf_half": cdf, "paired": paired}


# --- Chi-square -------------------------------------------------------------------------------

def contingency(name, table):
    res = stats.chi2_contingency(np.array(table))
    return {
        "name": name,
        "table": table,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "dof": int(res.dof),
        "expected": [floats(row) for row in res.expected_freq],
    }


def contingency_cases():
    rng = np.random.RandomState(23)
    cases = [
        contingency("2x2 Yates, small counts", [[3, 7], [9, 2]]),
        contingency("2x2 Yates, |o - e| below 0.5 (correction clipped)", [[10, 11], [10, 10]]),
        contingency("2x2 Yates, observed = expected", [[10, 20], [30, 60]]),
        contingency("2x2 Yates, zero cell", [[0, 12], [8, 5]]),
        contingency("2x2 Yates, large counts", [[3051, 2987], [2899, 3112]]),
        contingency("2x2 Yates, p near 1e-300", [[850, 60], [58, 845]]),
        contingency("2x2 Yates, p underflows to 0", [[3000, 0], [0, 3000]]),
        contingency("1x4 (dof 0)", [[3, 5, 1, 9]]),
        contingency("4x1 (dof 0)", [[3], [5], [1], [9]]),
        contingency("5x2", [[12, 8], [30, 25], [7, 14], [0, 3], [40, 41]]),
        contingency("2x6", [[16, 18, 16, 14, 12, 12], [32, 24, 16, 28, 20, 24]]),
        contingency("3x4 with zero cells", [[0, 5, 9, 2], [4, 0, 11, 3], [6, 7, 0, 8]]),
        contingency("2x3 scipy docstring", [[10, 10, 20], [20, 20, 20]]),
        contingency("2x20 big shift", [[int(v) for v in rng.randint(50, 150, 20)], [int(v) for v in rng.randint(0, 300, 20)]]),
        contingency("2x60 same law", [[int(v) for v in rng.poisson(40, 60)], [int(v) for v in rng.poisson(40, 60)]]),
        contingency("10x2 k x 2", [[int(v) for v in row] for row in rng.randint(1, 500, (10, 2))]),
        contingency("8x9 random", [[int(v) for v in row] for row in rng.randint(0, 30, (8, 9))]),
        contingency("2x2 huge counts", [[1234567, 1230000], [2345678, 2350000]]),
    ]
    return cases


def sf_grid():
    """[df, x, chi2.sf(x, df)]: for each df, x at chosen upper-tail probabilities (from 1 - 1e-15
    down to 1e-300 and below, found with chi2.isf) and at small fixed x; then a random sweep."""
    rows = []
    dofs = [1, 2, 3, 4, 5, 7, 9, 10, 15, 20, 30, 39, 40, 41, 42, 50, 79, 99, 100, 101, 150, 199, 200,
            399, 400, 401, 402, 500, 999, 1000, 2000, 5000, 10000, 100000]
    ps = [1 - 1e-15, 1 - 1e-9, 0.999999, 0.99, 0.9, 0.75, 0.5, 0.25, 0.1, 0.05, 0.01, 1e-3, 1e-6,
          1e-10, 1e-15, 1e-20, 1e-30, 1e-50, 1e-100, 1e-150, 1e-200, 1e-250, 1e-300, 1e-305]
    for df in dofs:
        xs = [stats.chi2.isf(p, df) for p in ps]
        xs += [1e-300, 1e-10, 1e-3, 0.1, 0.5, 0.9, 1.0, 1.1, 2.2, 3.0, float(df), df + 0.5, df - 0.5,
               df + 2 * math.sqrt(2 * df), df - 2 * math.sqrt(2 * df)]
        for x in xs:
            if x >= 0 and math.isfinite(x):
                rows.append([df, float(x), float(stats.chi2.sf(x, df))])
    rng = np.random.RandomState(29)
    for _ in range(600):
        df = int(rng.choice([rng.randint(1, 12), rng.randint(1, 120), rng.randint(1, 3000)]))
        x = float(df * math.exp(rng.uniform(-4, 2.2)))
        rows.append([df, x, float(stats.chi2.sf(x, df))])
    return rows


def gammaincc_grid():
    """[a, x, scipy.special.gammaincc(a, x)] for a that are not multiples of 1/2: small a
    (Temme's series for small x), a near x (where SciPy uses its uniform asymptotic expansion)
    and far tails."""
    rng = np.random.RandomState(37)
    rows = []
    for _ in range(500):
        a = float(math.exp(rng.uniform(math.log(0.01), math.log(5000))))
        x = float(a * math.exp(rng.uniform(-3, 1.5))) if rng.rand() < 0.7 else float(math.exp(rng.uniform(-8, 3)))
        rows.append([a, x, float(special.gammaincc(a, x))])
    for a in [0.013, 0.2, 0.77, 1.3, 25.5, 150.25, 333.3, 4321.0]:
        for x in [1e-6, 0.3, 0.51, 1.05, a * 0.9, a, a * 1.1, a + 5 * math.sqrt(a), 2 * a + 40]:
            rows.append([a, x, float(special.gammaincc(a, x))])
    return rows


def drift_case(name, reference, recent):
    reference = np.array(reference)
    recent = np.array(recent)
    kept = [j for j in range(len(reference)) if reference[j] + recent[j] > 0]
    table = np.array([reference[kept], recent[kept]])
    res = stats.chi2_contingency(table)
    return {
        "name": name,
        "reference": [int(v) for v in reference],
        "recent": [int(v) for v in recent],
        "kept": kept,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "dof": int(res.dof),
    }


def drift_cases():
    rng = np.random.RandomState(31)
    ref = rng.multinomial(455, [0.5, 0.3, 0.15, 0.05])
    return [
        drift_case("same shares", ref, rng.multinomial(114, [0.5, 0.3, 0.15, 0.05])),
        drift_case("shifted shares", ref, rng.multinomial(114, [0.2, 0.3, 0.3, 0.2])),
        drift_case("new category in recent", [200, 100, 0], [40, 20, 15]),
        drift_case("category gone in recent", [200, 100, 50], [40, 20, 0]),
        drift_case("categories absent in both dropped", [0, 200, 0, 100, 0], [0, 40, 0, 25, 0]),
        drift_case("two categories (Yates)", [300, 155], [70, 44]),
        drift_case("one category left (dof 0)", [455, 0], [114, 0]),
        drift_case("many categories", [int(v) for v in rng.poisson(30, 40)], [int(v) for v in rng.poisson(8, 40)]),
        drift_case("huge drift, tiny p", [5000, 10, 10], [10, 10, 5000]),
    ]


def main():
    versions = {"sklearn_version": sklearn.__version__, "scipy_version": scipy.__version__, "numpy_version": np.__version__}
    with warnings.catch_warnings():
        # The single-class cases warn (UndefinedMetricWarning, "No positive class found"):
        # the NaN / recall-of-one values they record are what the warnings are about.
        warnings.simplefilter("ignore")
        make_golden.write("ranking-curves", {**versions, "binary": ranking_cases(), "ovr": ovr_cases()})
    make_golden.write("mcnemar", {**versions, **mcnemar_cases()})
    make_golden.write("chi-square", {
        **versions,
        "contingency": contingency_cases(),
        "chi2_sf": sf_grid(),
        "gammaincc": gammaincc_grid(),
        "drift": drift_cases(),
    })


if __name__ == "__main__":
    main()
