#!/usr/bin/python3
"""Write test/golden/probability.json: scikit-learn's probability estimates (Platt scaling) for
mloop's port of libsvm's `svm_binary_svc_probability`, `sigmoid_train`, `sigmoid_predict` and
`multiclass_probability`.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-probability-golden.py

It also writes test/golden/probability-pipeline.json: the whole pipeline with probabilities, as a
training fits it (see `pipeline_case`).

Use Debian's interpreter (python3-sklearn 1.2.1, numpy 1.24); see scripts/make-golden.py. CI never
runs it: the JSON is committed. json.dump writes floats with repr(), which round-trips exactly.

What libsvm does with `SVC(probability=True, random_state=RS)`:
- `BaseLibSVM.fit` draws libsvm's seed as `check_random_state(RS).randint(np.iinfo("i").max)`;
- `svm_train` calls `set_seed(seed)` on libsvm's `std::mt19937` (newrand.h), and so does every
  internal sub-fit of the 5-fold cross-validation (its parameters are a copy of the main ones);
- each class pair's `svm_binary_svc_probability` shuffles the pair's rows with `bounded_rand_int`.
`sklearn.svm._newrand` wraps that very generator (`set_seed_wrap`, `bounded_rand_int_wrap`), so the
generator section below comes from libsvm's own C++ code, not from a transliteration.
"""

import importlib.util
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import load_iris, make_blobs
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.svm import _newrand

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"
NR_FOLD = 5

# The data loading and float writing of the parity goldens (scripts/make-golden.py).
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make-golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)
load_wdbc, floats, ints = make_golden.load_wdbc, make_golden.floats, make_golden.ints


def rows(a):
    return [floats(r) for r in np.asarray(a)]


def libsvm_seed(random_state):
    # BaseLibSVM.fit: rnd = check_random_state(random_state); rnd.randint(np.iinfo("i").max)
    return int(np.random.RandomState(random_state).randint(np.iinfo("i").max))


def libsvm_permutation(seed, n):
    """svm_binary_svc_probability's shuffle, drawn from libsvm's generator right after set_seed."""
    _newrand.set_seed_wrap(seed)
    perm = list(range(n))
    for i in range(n):
        j = i + _newrand.bounded_rand_int_wrap(n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def fold_kinds(perm, signs):
    """For each CV fold: what libsvm does (a sub-fit, or a constant for a one-class training part)."""
    n = len(perm)
    kinds = []
    for f in range(NR_FOLD):
        begin, end = f * n // NR_FOLD, (f + 1) * n // NR_FOLD
        train = perm[:begin] + perm[end:]
        pos = sum(1 for k in train if signs[k] > 0)
        neg = len(train) - pos
        kind = "fit" if pos and neg else "positive-only" if pos else "negative-only" if neg else "empty"
        kinds.append({"kind": kind, "held_out": perm[begin:end]})
    return kinds


def make_generator():
    out = {"seeds": [], "sequences": [], "permutations": []}
    for rs in [0, 1, 7, 20, 42, 2**31 - 1, 2**32 - 1]:
        out["seeds"].append({"random_state": rs, "random_seed": libsvm_seed(rs)})
    # std::mt19937 with its default seed 5489: the C++ standard's check value, via numpy's MT19937
    # (same init_genrand seeding and tempering for a 32-bit seed).
    raw = np.random.RandomState(5489)._bit_generator.random_raw(10000)
    assert int(raw[-1]) == 4123659995
    for seed in [0, 5489, libsvm_seed(20)]:
        # Ranges: small, one that rejects a quarter of the draws (2**32 mod 3*2**29 = 2**30) and INT_MAX.
        for rng in [10, 455, 3 * 2**29, 2**31 - 1]:
            _newrand.set_seed_wrap(seed)
            draws = [_newrand.bounded_rand_int_wrap(rng) for _ in range(40)]
            out["sequences"].append({"seed": seed, "range": rng, "draws": draws})
        bits = np.random.RandomState(seed)._bit_generator.random_raw(640)
        out["sequences"].append({"seed": seed, "range": None, "uint32_first": ints(bits[:10]), "uint32_620_to_640": ints(bits[620:])})
    for seed, n in [(libsvm_seed(20), 455), (libsvm_seed(7), 70), (0, 1), (0, 2), (3, 7)]:
        out["permutations"].append({"seed": seed, "n": n, "permutation": libsvm_permutation(seed, n)})
    return out


def svc_case(x_train, y_train, x_test, random_state, C=1.0, class_weight=None, decision_shape="ovr"):
    kwargs = dict(kernel="rbf", C=C, gamma="scale", class_weight=class_weight, decision_function_shape=decision_shape)
    clf = SVC(probability=True, random_state=random_state, **kwargs).fit(x_train, y_train)
    plain = SVC(**kwargs).fit(x_train, y_train)
    # probability=True must not change the model itself, only add probA_ / probB_.
    assert np.array_equal(clf.support_, plain.support_)
    assert np.array_equal(clf.dual_coef_, plain.dual_coef_)
    assert np.array_equal(clf.decision_function(x_test), plain.decision_function(x_test))
    seed = libsvm_seed(random_state)
    return {
        "random_state": random_state,
        "random_seed": seed,
        "C": float(C),
        "class_weight": None if class_weight is None else floats(clf.class_weight_),
        "classes": [str(c) for c in clf.classes_],
        "gamma": float(clf._gamma),
        "support": ints(clf.support_),
        "probA": floats(clf.probA_),
        "probB": floats(clf.probB_),
        "decision_function": rows(clf.decision_function(x_test)) if decision_shape == "ovo" and len(clf.classes_) > 2
        else floats(clf.decision_function(x_test)),
        "predict_proba": rows(clf.predict_proba(x_test)),
    }


def make_wdbc():
    x, y = load_wdbc()
    train_idx, test_idx = train_test_split(np.arange(x.shape[0]), test_size=0.2, random_state=20)
    x_train, x_test, y_train = x[train_idx], x[test_idx], y[train_idx]
    scaler = MinMaxScaler().fit(x_train)
    xs_train = np.ascontiguousarray(scaler.transform(x_train))
    xs_test = np.ascontiguousarray(scaler.transform(x_test))
    cases = []
    for mode, a, b in [("basic", x_train, x_test), ("normalized", xs_train, xs_test)]:
        for rs in [20, 7]:
            cases.append({"mode": mode, **svc_case(a, y_train, b, rs)})
    # Class weights give the pair's two classes different C (libsvm's Cp, Cn).
    cases.append({"mode": "normalized", **svc_case(xs_train, y_train, xs_test, 20, C=1.5, class_weight={"B": 1.0, "M": 2.5})})
    return {"split": {"test_size": 0.2, "random_state": 20}, "train_indices": ints(train_idx), "test_indices": ints(test_idx), "cases": cases}


def multiclass_case(name, x, y, test_size, split_seed, random_state):
    x_train, x_test, y_train, _ = train_test_split(x, y, test_size=test_size, random_state=split_seed, stratify=y)
    scaler = MinMaxScaler().fit(x_train)
    xs_train = np.ascontiguousarray(scaler.transform(x_train))
    xs_test = np.ascontiguousarray(scaler.transform(x_test))
    case = svc_case(xs_train, y_train, xs_test, random_state, decision_shape="ovo")
    return {"name": name, "X_train": rows(xs_train), "y_train": [str(v) for v in y_train], "X_test": rows(xs_test), **case}


def make_multiclass():
    iris = load_iris()
    y = np.array(["setosa", "versicolor", "virginica"])[iris.target]
    blobs_x, blobs_y = make_blobs(n_samples=[30, 12, 25, 9], centers=[[0, 0], [1.5, 0.5], [0.5, 2], [2, 2]], cluster_std=0.8, random_state=3)
    return [
        multiclass_case("iris", iris.data, y, 0.3, 0, 0),
        multiclass_case("iris", iris.data, y, 0.3, 0, 42),
        multiclass_case("blobs-4", blobs_x, np.array(list("abcd"))[blobs_y], 0.25, 1, 5),
    ]


def synthetic_binary(name, x, y, random_state, expect):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    case = svc_case(x, y, x, random_state)
    # libsvm groups the rows by class (sorted labels): classes_[0] first, as +1.
    order = [i for c in case["classes"] for i in range(len(y)) if y[i] == c]
    signs = [1 if y[i] == case["classes"][0] else -1 for i in order]
    perm = libsvm_permutation(case["random_seed"], len(order))
    kinds = fold_kinds(perm, signs)
    assert expect <= {k["kind"] for k in kinds}, (name, kinds)
    return {"name": name, "X": rows(x), "y": [str(v) for v in y], "permutation": perm, "folds": kinds, **case}


def make_synthetic():
    line = [[v / 4.0, (v * 7 % 5) / 2.0] for v in range(12)]
    return [
        # Two rows: every fold's training part is empty of the held-out row's class.
        synthetic_binary("two-rows", [[0.0, 1.0], [1.0, 0.5]], ["n", "p"], 0, {"fit", "positive-only", "negative-only"}),
        # Four rows: folds with no held-out row still fit (and reseed libsvm's generator).
        synthetic_binary("four-rows", [[0.0, 0.0], [0.5, 1.0], [1.0, 0.25], [1.5, 1.5]], ["n", "p", "n", "p"], 1, {"fit"}),
        # One row of a class: the fold holding it out trains on the other class only
        # (classes_[0] is libsvm's +1, so a lone "b" leaves a positive-only training part).
        synthetic_binary("lone-second-class", line[:6], ["a", "a", "a", "b", "a", "a"], 3, {"fit", "positive-only"}),
        synthetic_binary("lone-first-class", line[:7], ["b", "b", "a", "b", "b", "b", "b"], 11, {"fit", "negative-only"}),
        synthetic_binary("imbalanced-12", line, list("aaaaabaaaaab"), 4, {"fit"}),
    ]


def pipeline_case(name, x, y, positive, prep=None, numeric=None, categorical=None):
    """
    The whole pipeline with probabilities, as mloop trains it: split (test_size=0.2,
    random_state=20), Pipeline([ColumnTransformer, SVC(probability=True, random_state=20)]) per mode
    (GridSearchCV over it in gridsearch mode); on the test rows predict_proba and the one-vs-rest
    ROC / PR areas of each class on decision values; on the training rows the out-of-fold decision
    values of cross_val_predict(cv=5, method="decision_function") (what an operating point is
    chosen on). `prep` None: the bundled all-numeric table, MinMaxScaler + SVC.
    """
    train_idx, test_idx = train_test_split(np.arange(len(y)), test_size=0.2, random_state=20)
    take = (lambda a, i: a.iloc[i]) if prep is not None else (lambda a, i: a[i])
    x_train, x_test, y_train, y_test = take(x, train_idx), take(x, test_idx), y[train_idx], y[test_idx]

    def pipeline(scaled, **svc):
        steps = [SVC(**svc)]
        if prep is not None:
            return Pipeline([("columns", prep.column_transformer("mean", scaled, numeric, categorical)), ("svc", SVC(**svc))])
        return make_pipeline(*([MinMaxScaler()] if scaled else []), *steps)

    modes = {}
    for mode in ["basic", "normalized", "gridsearch"]:
        scaled = mode != "basic"
        if mode == "gridsearch":
            grid = {f"{pipeline(True).steps[-1][0]}__{k}": v for k, v in [("C", make_golden.GRID["svc__C"]), ("gamma", make_golden.GRID["svc__gamma"])]}
            gs = GridSearchCV(pipeline(True, probability=True, random_state=20), grid, cv=5).fit(x_train, y_train)
            pipe = gs.best_estimator_
            best = {k.split("__")[1]: float(v) for k, v in gs.best_params_.items()}
        else:
            pipe = pipeline(scaled, probability=True, random_state=20).fit(x_train, y_train)
            best = {"C": 1.0, "gamma": "scale"}
        svc = pipe[-1]
        plain = pipeline(scaled, C=best["C"], gamma=best["gamma"])
        decision = pipe.decision_function(x_test)
        assert np.array_equal(decision, plain.fit(x_train, y_train).decision_function(x_test))
        classes = [str(c) for c in svc.classes_]
        scores = decision[:, None] * [-1, 1] if len(classes) == 2 else decision
        curves = {}
        for j, c in enumerate(classes):
            truth = (y_test == c)
            if truth.all() or not truth.any():
                continue
            curves[c] = {"roc_auc": float(roc_auc_score(truth, scores[:, j])), "average_precision": float(average_precision_score(truth, scores[:, j]))}
        oof = cross_val_predict(pipeline(scaled, C=best["C"], gamma=best["gamma"]), x_train, y_train, cv=5, method="decision_function")
        modes[mode] = {
            "best_params": best,
            "support": ints(svc.support_),
            "probA": floats(svc.probA_),
            "probB": floats(svc.probB_),
            "decision_function": floats(np.ravel(decision)),
            "predict_proba": floats(np.ravel(pipe.predict_proba(x_test))),
            "curves": curves,
            "out_of_fold_decision": floats(np.ravel(oof)),
        }
    return {"name": name, "positive": positive, "classes": classes, "train_indices": ints(train_idx), "test_indices": ints(test_idx), "modes": modes}


def make_pipelines():
    prep = make_golden.load_preprocessing_tables()
    x, y = load_wdbc()
    cases = [pipeline_case("bundled-wdbc", x, y, "M")]
    for make_table in prep.TABLES[:3]:
        table = make_table()
        df = prep.read_table(table)
        features, label = table["features"], table["label"]
        numeric = [f for f in features if f not in table["categorical"] and df[f].dtype != object]
        categorical = [f for f in features if f not in numeric]
        case = pipeline_case(table["name"], df[features], df[label].astype(str).to_numpy(), table["mloop"]["positive"], prep, numeric, categorical)
        cases.append({**case, "csv": table["csv"], "reading": table["mloop"]})
    return {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__, "cases": cases}


def main():
    pipelines = GOLDEN / "probability-pipeline.json"
    with open(pipelines, "w", encoding="utf-8") as f:
        json.dump(make_pipelines(), f, indent=1)
        f.write("\n")
    print("wrote", pipelines)
    payload = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "generator": make_generator(),
        "wdbc": make_wdbc(),
        "multiclass": make_multiclass(),
        "synthetic": make_synthetic(),
    }
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / "probability.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
