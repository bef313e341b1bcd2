#!/usr/bin/python3
"""Write the scikit-learn golden files for multi-class SVC (libsvm one-vs-one).

How to run (from the repository root):

    /usr/bin/python3 scripts/make-multiclass-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-sklearn 1.2.1 and numpy 1.24). The script
writes test/golden/multiclass-*.json and nothing else; CI never runs it (see make-golden.py).

Each file holds a data set that scikit-learn ships (the data itself, so the tests need no Python),
a train_test_split of it, and per training mode (`basic`: SVC on the raw features, `normalized`:
MinMaxScaler + SVC, `gridsearch`: GridSearchCV over the same grid and folds as make-golden.py)
what SVC fitted (n_support_, support_, dual_coef_, intercept_, n_iter_, _gamma), its
decision_function on the test rows in both shapes (`ovr`, scikit-learn's default, and `ovo`, the
raw libsvm pair values), its predictions (libsvm's votes), the classification report and the
confusion matrix. `probe` rows spread over the data's range add points near the boundaries,
where one-vs-one votes tie and libsvm's tie-breaking shows. multiclass-votes.json has libsvm's
votes and scikit-learn's ovr values for chosen pair values (exact zeros, ties).

json.dump writes Python floats with repr(), which round-trips every float64 exactly.
"""

import importlib.util
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.metrics import classification_report, confusion_matrix, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"

# The binary goldens' script: the same grid, number lists and cv_results layout.
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make-golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)
GRID, floats, ints, grid_search_extras = make_golden.GRID, make_golden.floats, make_golden.ints, make_golden.grid_search_extras


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def load(name):
    if name == "iris":
        bunch = load_iris()
    elif name == "wine":
        bunch = load_wine()
    else:
        # The first 200 digits: ten classes (45 pairs) in a small file.
        bunch = load_digits()
        bunch.data, bunch.target = bunch.data[:200], bunch.target[:200]
    x = np.ascontiguousarray(bunch.data, dtype=np.float64)
    # String labels, as mloop reads them; np.unique sorts them in the order of target_names.
    names = [str(n) for n in bunch.target_names]
    y = np.array([names[t] for t in bunch.target])
    assert list(np.unique(y)) == sorted(set(names)) == names
    return x, y, [str(f) for f in getattr(bunch, "feature_names", [f"pixel_{j}" for j in range(x.shape[1])])]


def probe_rows(x, count, seed):
    # Points spread over the box of the data (and a little past it): the pairwise classifiers
    # disagree there far more often than on the data itself. Rounded, to keep the file small.
    rng = np.random.RandomState(seed)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    return np.round(lo - 0.1 * span + rng.random_sample((count, x.shape[1])) * 1.2 * span, 3)


def vote_ties(ovo, n_classes):
    """Rows whose libsvm vote has more than one class at the maximum (first index wins)."""
    ties = 0
    for row in np.atleast_2d(ovo):
        votes = np.zeros(n_classes, dtype=int)
        p = 0
        for i in range(n_classes):
            for j in range(i + 1, n_classes):
                votes[i if row[p] > 0 else j] += 1
                p += 1
        ties += int((votes == votes.max()).sum() > 1)
    return ties


def describe_svc(svc, estimator, x_test, y_test, x_probe, params, positive):
    classes = [str(c) for c in svc.classes_]
    pred = estimator.predict(x_test)
    ovr = estimator.decision_function(x_test)
    probe_ovr = estimator.decision_function(x_probe)
    svc.decision_function_shape = "ovo"
    ovo = estimator.decision_function(x_test)
    probe_ovo = estimator.decision_function(x_probe)
    svc.decision_function_shape = "ovr"
    assert np.array_equal(estimator.decision_function(x_test), ovr)
    return {
        "params": params,
        "classes": classes,
        "gamma": float(svc._gamma),
        "C": float(svc.C),
        "n_support": ints(svc.n_support_),
        "support": ints(svc.support_),
        # (n_classes - 1) x n_SV: libsvm's sv_coef as it is (no negation for more than 2 classes).
        "dual_coef": rows(svc.dual_coef_),
        # -rho per pair, in libsvm's pair order (0,1), (0,2), ..., (k-2,k-1).
        "intercept": floats(svc.intercept_),
        "n_iter": ints(svc.n_iter_),
        "decision_function": rows(ovr),
        "decision_ovo": rows(ovo),
        "predictions": [str(p) for p in pred],
        "probe_decision_function": rows(probe_ovr),
        "probe_decision_ovo": rows(probe_ovo),
        "probe_predictions": [str(p) for p in estimator.predict(x_probe)],
        "vote_ties": vote_ties(ovo, len(classes)),
        "probe_vote_ties": vote_ties(probe_ovo, len(classes)),
        "confusion_matrix": confusion_matrix(y_test, pred, labels=classes).tolist(),
        "report": classification_report(y_test, pred, output_dict=True),
        "report_text": classification_report(y_test, pred),
        "positive": positive,
        "recall_positive": float(recall_score(y_test, pred, labels=[positive], average="macro")),
        "recall_macro": float(recall_score(y_test, pred, average="macro")),
    }


def make_case(dataset, stratify, positive, probe_count):
    x, y, feature_names = load(dataset)
    test_size, random_state = 0.2, 20
    n = x.shape[0]
    train_idx, test_idx = train_test_split(
        np.arange(n), test_size=test_size, random_state=random_state, stratify=y if stratify else None
    )
    xa, xb, ya, yb = train_test_split(x, y, test_size=test_size, random_state=random_state, stratify=y if stratify else None)
    assert np.array_equal(xa, x[train_idx]) and np.array_equal(xb, x[test_idx])
    assert np.array_equal(ya, y[train_idx]) and np.array_equal(yb, y[test_idx])
    x_train, x_test, y_train, y_test = x[train_idx], x[test_idx], y[train_idx], y[test_idx]
    x_probe = probe_rows(x, probe_count, random_state)

    folds = np.full(len(train_idx), -1)
    for k, (_, test) in enumerate(StratifiedKFold(n_splits=5).split(x_train, y_train)):
        folds[test] = k
    assert (folds >= 0).all()

    modes = {}
    clf = SVC().fit(x_train, y_train)
    modes["basic"] = describe_svc(clf, clf, x_test, y_test, x_probe, {"C": 1.0, "gamma": "scale"}, positive)
    pipe = make_pipeline(MinMaxScaler(), SVC()).fit(x_train, y_train)
    modes["normalized"] = describe_svc(pipe[-1], pipe, x_test, y_test, x_probe, {"C": 1.0, "gamma": "scale"}, positive)
    gs = GridSearchCV(make_pipeline(MinMaxScaler(), SVC()), GRID, cv=5).fit(x_train, y_train)
    best = gs.best_estimator_
    mode = describe_svc(
        best[-1], best, x_test, y_test, x_probe,
        {"C": float(gs.best_params_["svc__C"]), "gamma": float(gs.best_params_["svc__gamma"])}, positive,
    )
    mode.update(grid_search_extras(gs))
    modes["gridsearch"] = mode

    name = f"multiclass-{dataset}" + ("-stratified" if stratify else "")
    return name, {
        "case": name,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "dataset": dataset,
        "feature_names": feature_names,
        "X": rows(x),
        "y": [str(v) for v in y],
        "probe": rows(x_probe),
        "split": {"test_size": test_size, "random_state": random_state, "stratify": stratify},
        "train_indices": ints(train_idx),
        "test_indices": ints(test_idx),
        "cv_test_folds": ints(folds),
        "modes": modes,
    }


def make_votes():
    """Votes and ovr values for chosen pair values: exact zeros (libsvm's vote goes to the pair's
    second class, the ovr votes to its first) and tied votes. A fitted SVC whose dual coefficients
    are set to zero has the pair values sum - rho = intercept_, so its predict and decision_function
    run libsvm's and scikit-learn's own code on exactly these values."""
    rng = np.random.RandomState(0)
    cases = []
    for k in [3, 4, 5]:
        n_pairs = k * (k - 1) // 2
        classes = [chr(ord("a") + c) for c in range(k)]
        x = np.arange(k, dtype=np.float64).reshape(-1, 1)
        clf = SVC().fit(x, np.array(classes))
        clf._dual_coef_ = np.zeros_like(clf._dual_coef_)
        if k == 3:
            patterns = [[a, b, c] for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0) for c in (-1.0, 0.0, 1.0)]
        else:
            patterns = [[0.0] * n_pairs] + rng.choice([-1.5, -1.0, -0.25, 0.0, 0.25, 1.0, 2.0], size=(60, n_pairs)).tolist()
        ovo, ovr, predictions = [], [], []
        for pattern in patterns:
            clf._intercept_ = np.array(pattern, dtype=np.float64)
            clf.decision_function_shape = "ovo"
            dec = clf.decision_function(x[:1])
            assert np.array_equal(dec[0], pattern)
            clf.decision_function_shape = "ovr"
            ovo.append(floats(dec))
            ovr.append(floats(clf.decision_function(x[:1])))
            predictions.append(str(clf.predict(x[:1])[0]))
        cases.append({"classes": classes, "ovo": ovo, "ovr": ovr, "predictions": predictions,
                      "vote_ties": vote_ties(np.array(ovo), k)})
    return {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__, "cases": cases}


def write(name, payload):
    text = to_json(payload, 0)
    assert json.loads(text) == payload
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with open(GOLDEN / f"{name}.json", "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print("wrote", GOLDEN / f"{name}.json")


def to_json(value, depth):
    """json.dumps(indent=1), except that a matrix (a list of lists of numbers) takes a line per row:
    the data sets would otherwise take a line per number."""
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {to_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(isinstance(r, list) and all(not isinstance(v, (list, dict)) for v in r) for r in value):
            items = [inner + json.dumps(r, separators=(",", ":")) for r in value]
        else:
            items = [inner + to_json(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value)


def main():
    for dataset, positive, probe_count in [("iris", "virginica", 100), ("wine", "class_1", 100), ("digits", "3", 20)]:
        for stratify in [False, True]:
            if dataset == "digits" and not stratify:
                continue
            name, payload = make_case(dataset, stratify, positive, probe_count)
            write(name, payload)
            print("  vote ties (test, probe):", {m: (v["vote_ties"], v["probe_vote_ties"]) for m, v in payload["modes"].items()})
    votes = make_votes()
    write("multiclass-votes", votes)
    print("  vote ties:", [c["vote_ties"] for c in votes["cases"]])


if __name__ == "__main__":
    main()
