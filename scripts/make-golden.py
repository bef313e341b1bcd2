#!/usr/bin/python3
"""Write the scikit-learn golden files that mloop's parity tests compare against.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-sklearn 1.2.1, numpy 1.24 and
pandas); another `python3` on PATH may lack scikit-learn. The script writes
test/golden/*.json and nothing else. CI never runs it: the JSON files are committed and
the TypeScript tests read them, so regenerate only when the parity target changes
(e.g. a new scikit-learn version), and review the diff.

json.dump writes Python floats with repr(), which round-trips every float64 exactly, so the
tests can compare with ===.
"""

import importlib.util
import json
import pathlib
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import classification_report, confusion_matrix, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"
LABELS = ["B", "M"]
GRID = {"svc__C": [0.1, 1, 10, 100], "svc__gamma": [1, 0.1, 0.01, 0.001]}

CASES = [
    ("default", 0.2, 20, False),
    ("ts25-rs42", 0.25, 42, False),
    ("ts30-rs0", 0.3, 0, False),
    ("stratified", 0.2, 20, True),
]


def load_wdbc():
    # round_trip parses each number to the nearest double, as JavaScript's Number() does; pandas'
    # default parser is faster but not always correctly rounded (identical for this file).
    df = pd.read_csv(ROOT / "data" / "wdbc.csv", float_precision="round_trip")
    # C order, as SVC's input validation makes it; X.var() depends on the memory order.
    x = np.ascontiguousarray(df.drop(columns=["diagnosis"]).to_numpy(dtype=np.float64))
    y = df["diagnosis"].to_numpy()
    assert x.shape == (569, 30), x.shape
    return x, y


def floats(a):
    return [float(v) for v in np.ravel(a)]


def ints(a):
    return [int(v) for v in np.ravel(a)]


def describe_svc(clf, predict, decision, x_test, y_test, params):
    pred = predict(x_test)
    assert list(clf.classes_) == LABELS
    return {
        "params": params,
        "gamma": float(clf._gamma),
        "C": float(clf.C),
        "n_support": ints(clf.n_support_),
        "support": ints(clf.support_),
        # Binary problem: dual_coef_ has shape (1, n_SV); stored flat.
        "dual_coef": floats(clf.dual_coef_),
        "intercept": floats(clf.intercept_),
        "decision_function": floats(decision(x_test)),
        "predictions": [str(p) for p in pred],
        "confusion_matrix": confusion_matrix(y_test, pred, labels=LABELS).tolist(),
        "report": classification_report(y_test, pred, output_dict=True),
        "report_text": classification_report(y_test, pred),
        "recall_positive": float(recall_score(y_test, pred, pos_label="M")),
        "recall_macro": float(recall_score(y_test, pred, average="macro")),
    }


def grid_search_extras(gs):
    res = gs.cv_results_
    out = {
        "params": [{"C": float(p["svc__C"]), "gamma": float(p["svc__gamma"])} for p in res["params"]],
        "mean_test_score": floats(res["mean_test_score"]),
        "std_test_score": floats(res["std_test_score"]),
        "rank_test_score": ints(res["rank_test_score"]),
    }
    for k in range(5):
        out[f"split{k}_test_score"] = floats(res[f"split{k}_test_score"])
    best = gs.best_params_
    return {
        "cv_results": out,
        "best_params": {"C": float(best["svc__C"]), "gamma": float(best["svc__gamma"])},
        "best_index": int(gs.best_index_),
        "best_score": float(gs.best_score_),
    }


def make_case(name, test_size, random_state, stratify, x, y, modes):
    n = x.shape[0]
    train_idx, test_idx = train_test_split(
        np.arange(n), test_size=test_size, random_state=random_state, stratify=y if stratify else None
    )
    # The same call on (X, y) must pick the same rows, or the indices would not describe the tutorial.
    xa, xb, ya, yb = train_test_split(
        x, y, test_size=test_size, random_state=random_state, stratify=y if stratify else None
    )
    assert np.array_equal(xa, x[train_idx]) and np.array_equal(xb, x[test_idx])
    assert np.array_equal(ya, y[train_idx]) and np.array_equal(yb, y[test_idx])
    x_train, x_test, y_train, y_test = x[train_idx], x[test_idx], y[train_idx], y[test_idx]

    folds = np.full(len(train_idx), -1)
    for k, (_, test) in enumerate(StratifiedKFold(n_splits=5).split(x_train, y_train)):
        folds[test] = k
    assert (folds >= 0).all()

    scaler = MinMaxScaler().fit(x_train)
    x_train_scaled = np.ascontiguousarray(scaler.transform(x_train))
    x_var = float(np.ascontiguousarray(x_train).var())
    x_scaled_var = float(x_train_scaled.var())

    out_modes = {}
    if "basic" in modes:
        gamma = modes["basic"]
        clf = SVC(kernel="rbf", C=1.0, gamma=gamma).fit(x_train, y_train)
        if gamma == "scale":
            assert clf._gamma == 1.0 / (x.shape[1] * x_var)
        out_modes["basic"] = describe_svc(
            clf, clf.predict, clf.decision_function, x_test, y_test, {"C": 1.0, "gamma": gamma}
        )
    if "normalized" in modes:
        pipe = make_pipeline(MinMaxScaler(), SVC()).fit(x_train, y_train)
        assert pipe[-1]._gamma == 1.0 / (x.shape[1] * x_scaled_var)
        out_modes["normalized"] = describe_svc(
            pipe[-1], pipe.predict, pipe.decision_function, x_test, y_test, {"C": 1.0, "gamma": "scale"}
        )
    if "gridsearch" in modes:
        gs = GridSearchCV(make_pipeline(MinMaxScaler(), SVC()), GRID, cv=5).fit(x_train, y_train)
        best = gs.best_estimator_
        mode = describe_svc(
            best[-1], gs.predict, gs.decision_function, x_test, y_test,
            {"C": float(gs.best_params_["svc__C"]), "gamma": float(gs.best_params_["svc__gamma"])},
        )
        mode.update(grid_search_extras(gs))
        out_modes["gridsearch"] = mode

    return {
        "case": name,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "split": {"test_size": test_size, "random_state": random_state, "stratify": stratify},
        "train_indices": ints(train_idx),
        "test_indices": ints(test_idx),
        "cv_test_folds": ints(folds),
        "scaler": {
            "data_min": floats(scaler.data_min_),
            "data_max": floats(scaler.data_max_),
            "data_range": floats(scaler.data_range_),
            "scale": floats(scaler.scale_),
            "min": floats(scaler.min_),
        },
        "X_train_var": x_var,
        "X_train_scaled_var": x_scaled_var,
        "modes": out_modes,
    }


def synthetic_values(n):
    # Reproducible in TypeScript bit for bit: integer arithmetic, then one IEEE division and one subtraction.
    return np.array([((i * 7919) % 10007) / 97.0 - 50.0 for i in range(n)], dtype=np.float64)


def make_random_state():
    def raw(seed, count, skip=0):
        bg = np.random.RandomState(seed)._bit_generator
        if skip:
            bg.random_raw(skip)
        return ints(bg.random_raw(count))

    # randint over the full uint32 range returns the raw draws: a cross-check of random_raw.
    assert raw(20, 10) == ints(np.random.RandomState(20).randint(0, 2**32, size=10, dtype=np.uint32))
    sequence = np.random.RandomState(7)
    return {
        "numpy_version": np.__version__,
        "uint32": {str(s): raw(s, 10) for s in [0, 1, 20, 42, 2**32 - 1]},
        # Draws 620..639 cross the first regeneration of the 624-word state.
        "uint32_from_620_seed_20": raw(20, 20, skip=620),
        "permutations": [
            {"seed": s, "n": n, "permutation": ints(np.random.RandomState(s).permutation(n))}
            for s, n in [(0, 10), (20, 10), (42, 1), (42, 2), (1, 100), (20, 569), (0, 1000)]
        ],
        # Several calls on one generator: the state must carry over between calls.
        "sequence_seed_7": [ints(sequence.permutation(n)) for n in [5, 3, 100, 17]],
    }


def make_synthetic():
    letters = np.array(list("aabbbcccdddd" "ab" "cd" "e" "e"))
    split_cases = []
    for labels, test_size, seed in [
        (list(letters), 0.3, 0),
        (list(letters), 0.5, 3),
        (["x", "y", "z"] * 4, 0.25, 1),  # equal class counts: ties broken by the RNG
        (["b", "a", "b", "c", "a", "c", "b", "a"], 0.5, 5),
    ]:
        tr, te = train_test_split(np.arange(len(labels)), test_size=test_size, random_state=seed, stratify=labels)
        split_cases.append({"labels": labels, "test_size": test_size, "random_state": seed,
                            "train": ints(tr), "test": ints(te)})
    for n, test_size, seed in [(10, 0.3, 0), (7, 0.5, 9), (100, 0.01, 2)]:
        tr, te = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
        split_cases.append({"n": n, "test_size": test_size, "random_state": seed, "train": ints(tr), "test": ints(te)})

    fold_cases = []
    for labels, k in [(list("ccaabbacbcab" "caab"), 3), (list("MBBMBMBBBBMBMMBBBB"), 2), (list("qqqqqppppprrrrr"), 5)]:
        folds = [{"train": ints(a), "test": ints(b)} for a, b in StratifiedKFold(n_splits=k).split(np.zeros(len(labels)), labels)]
        fold_cases.append({"labels": labels, "n_splits": k, "folds": folds})

    sums = []
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 1000, 8191, 8192, 8193, 13650, 20000, 40000]:
        v = synthetic_values(n)
        sums.append({"n": n, "sum": float(v.sum()), "var": float(v.var()) if n else None})

    reports = []
    for y_true, y_pred, labels, pos, digits, names in [
        (list("BBBB"), list("BBBB"), ["B", "M"], "M", 2, None),  # absent class: zero division and "micro avg"
        (list("BMBM"), list("BBBB"), ["B", "M"], "M", 2, None),
        (list("BMBMMBBB"), list("MMBBMBMB"), ["B", "M"], "M", 3, ["benign", "malignant"]),
        (list("abcabcabca"), list("abcbbcaacc"), ["a", "b", "c"], "a", 4, None),
        (list("BBBBBBBM"), list("BBBBBBBB"), ["B", "M"], "M", 2, None),
        # Exact binary ties (0.125, 0.625, 0.5625): Python rounds half to even, JS toFixed away from zero.
        (list("BMBMMBBB"), list("MMBBMBMB"), ["B", "M"], "M", 2, None),
        (list("BBBBBBBBMMMMMMMM"), list("BMMMMMMMMMMMMMMM"), ["B", "M"], "M", 2, None),
        (list("BBBBBBBBMMMMMMMM"), list("BMMMMMMMMMMMMMMM"), ["B", "M"], "M", 3, None),
    ]:
        kwargs = {"labels": labels, "zero_division": 0}
        reports.append({
            "y_true": y_true, "y_pred": y_pred, "labels": labels, "positive": pos, "digits": digits,
            "target_names": names,
            "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
            "report": classification_report(y_true, y_pred, output_dict=True, target_names=names, **kwargs),
            "report_text": classification_report(y_true, y_pred, digits=digits, target_names=names, **kwargs),
            "recall_positive": float(recall_score(y_true, y_pred, labels=[pos], average="macro", zero_division=0)),
            "recall_macro": float(recall_score(y_true, y_pred, average="macro", **kwargs)),
        })
    return {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
            "splits": split_cases, "stratified_k_fold": fold_cases, "sums": sums, "reports": reports}


def load_preprocessing_tables():
    """The data sets of scripts/make-preprocessing-golden.py, defined once there."""
    spec = importlib.util.spec_from_file_location("preprocessing_golden", ROOT / "scripts" / "make-preprocessing-golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def describe_pipeline(pipe, predict, decision, x_test, y_test, labels, positive):
    svc = pipe[-1]
    pred = predict(x_test)
    return {
        "gamma": float(svc._gamma),
        "n_support": ints(svc.n_support_),
        "support": ints(svc.support_),
        # decision_function_shape="ovr" for more than two classes: one value per class, row-major.
        "decision_function": floats(decision(x_test)),
        "predictions": [str(v) for v in pred],
        "confusion_matrix": confusion_matrix(y_test, pred, labels=labels).tolist(),
        "report": classification_report(y_test, pred, labels=labels, output_dict=True, zero_division=0),
        "report_text": classification_report(y_test, pred, labels=labels, zero_division=0),
        "recall_positive": float(recall_score(y_test, pred, labels=[positive], average="macro", zero_division=0)),
        "recall_macro": float(recall_score(y_test, pred, labels=labels, average="macro", zero_division=0)),
    }


def make_tabular_case(table, prep):
    """
    The whole pipeline on a table with missing cells, categories or more than two classes, read as
    a user's pd.read_csv reads it: Pipeline([ColumnTransformer, SVC()]) per mode (impute="mean"),
    GridSearchCV over it for gridsearch, so the preprocessing is fitted inside each fold.
    """
    df = prep.read_table(table)
    features, label = table["features"], table["label"]
    numeric = [f for f in features if f not in table["categorical"] and df[f].dtype != object]
    categorical = [f for f in features if f not in numeric]
    x = df[features]
    y = df[label].astype(str).to_numpy()
    labels = sorted(set(y), key=(lambda v: float(v)) if all(v.lstrip("-").replace(".", "", 1).isdigit() for v in y) else None)
    positive = table["mloop"]["positive"]
    train_idx, test_idx = train_test_split(np.arange(len(df)), test_size=0.2, random_state=20)
    x_train, x_test, y_train, y_test = x.iloc[train_idx], x.iloc[test_idx], y[train_idx], y[test_idx]

    def pipeline(scaled):
        return Pipeline([("columns", prep.column_transformer("mean", scaled, numeric, categorical)), ("svc", SVC())])

    modes = {}
    for mode, scaled in [("basic", False), ("normalized", True)]:
        pipe = pipeline(scaled).fit(x_train, y_train)
        assert list(pipe[-1].classes_) == labels
        modes[mode] = describe_pipeline(pipe, pipe.predict, pipe.decision_function, x_test, y_test, labels, positive)
    gs = GridSearchCV(pipeline(True), {"svc__C": GRID["svc__C"], "svc__gamma": GRID["svc__gamma"]}, cv=5).fit(x_train, y_train)
    mode = describe_pipeline(gs.best_estimator_, gs.predict, gs.decision_function, x_test, y_test, labels, positive)
    mode.update(grid_search_extras(gs))
    modes["gridsearch"] = mode
    return {
        "case": f"tabular-{table['name']}",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "csv": table["csv"],
        "reading": table["mloop"],
        "classes": labels,
        "train_indices": ints(train_idx),
        "test_indices": ints(test_idx),
        "tabular_modes": modes,
    }


def write(name, payload):
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with open(GOLDEN / f"{name}.json", "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote", GOLDEN / f"{name}.json")


def main():
    # The gamma='auto' model predicts only "B" and some synthetic reports have absent classes:
    # the zero precision is what the goldens record, so the warning is noise here.
    warnings.filterwarnings("ignore", category=UndefinedMetricWarning)
    x, y = load_wdbc()
    all_modes = {"basic": "scale", "normalized": True, "gridsearch": True}
    for name, test_size, random_state, stratify in CASES:
        write(name, make_case(name, test_size, random_state, stratify, x, y, all_modes))
    write("gamma-auto-basic", make_case("gamma-auto-basic", 0.2, 20, False, x, y, {"basic": "auto"}))
    write("random_state", make_random_state())
    write("synthetic", make_synthetic())
    prep = load_preprocessing_tables()
    for table in prep.TABLES:
        case = make_tabular_case(table(), prep)
        write(case["case"], case)


if __name__ == "__main__":
    main()
