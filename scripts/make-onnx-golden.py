#!/usr/bin/python3
"""Write test/golden/onnx-svc.json: fitted scikit-learn SVCs, as scikit-learn exposes them, and what
they predict, for the ONNX export tests to run through ONNX Runtime.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-onnx-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-sklearn 1.2.1, numpy 1.24 and pandas), as
for scripts/make-golden.py. CI never runs it: the JSON is committed.

Why scikit-learn's models and not mloop's: mloop fits binary SVCs only (so far), and without Platt
probabilities; these cases prove the exporter on what mloop does not fit yet, a 3-class one-vs-one
SVC and the probA/probB pairs, against scikit-learn's own predict, decision_function (ovo) and
predict_proba.

The attributes are the public ones, with scikit-learn's conventions left as they are (the test
converts them to libsvm's, which is the point of the test): for a binary SVC, dual_coef_ is libsvm's
sv_coef negated and intercept_ is rho; for k > 2 classes, dual_coef_ is sv_coef and intercept_ is
-rho. probA_ and probB_ are libsvm's, for libsvm's decision values, in every case.

json.dump writes Python floats with repr(), which round-trips every float64 exactly.
"""

import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"


def floats(a):
    return [float(v) for v in np.ravel(a)]


def rows(a):
    return [floats(r) for r in np.atleast_2d(a)]


def describe(name, pipe, x, feature_names, rows_note, store_x):
    scaler = pipe[0] if len(pipe) == 2 else None
    svc = pipe[-1]
    svc.decision_function_shape = "ovo"
    case = {
        "case": name,
        "rows": rows_note,
        "feature_names": [str(f) for f in feature_names],
        "classes": [str(c) for c in svc.classes_],
        "scaler": None if scaler is None else {"scale": floats(scaler.scale_), "min": floats(scaler.min_)},
        "gamma": float(svc._gamma),
        "n_support": [int(n) for n in svc.n_support_],
        "support_vectors": rows(svc.support_vectors_),
        "dual_coef": rows(svc.dual_coef_),
        "intercept": floats(svc.intercept_),
        "probA": floats(svc.probA_),
        "probB": floats(svc.probB_),
        "predict": [str(p) for p in pipe.predict(x)],
        # ovo: one column per class pair (0,1), (0,2), ..., (1,2), ...; a binary SVC has one column.
        "decision_function": rows(pipe.decision_function(x).reshape(x.shape[0], -1)),
        "predict_proba": rows(pipe.predict_proba(x)) if svc.probability else None,
    }
    if store_x:
        case["x"] = rows(x)
    return case


def main():
    iris = load_iris()
    x_iris = np.ascontiguousarray(iris.data, dtype=np.float64)
    y_iris = iris.target_names[iris.target]

    df = pd.read_csv(ROOT / "data" / "wdbc.csv", float_precision="round_trip")
    x_wdbc = np.ascontiguousarray(df.drop(columns=["diagnosis"]).to_numpy(dtype=np.float64))
    y_wdbc = df["diagnosis"].to_numpy()
    train, _ = train_test_split(np.arange(x_wdbc.shape[0]), test_size=0.2, random_state=20)

    cases = [
        describe(
            "iris-minmax-probability",
            make_pipeline(MinMaxScaler(), SVC(probability=True, random_state=0)).fit(x_iris, y_iris),
            x_iris, iris.feature_names, "x", True,
        ),
        describe("iris-raw", make_pipeline(SVC()).fit(x_iris, y_iris), x_iris, iris.feature_names, "x", True),
        describe(
            "wdbc-minmax-probability",
            make_pipeline(MinMaxScaler(), SVC(probability=True, random_state=0)).fit(x_wdbc[train], y_wdbc[train]),
            x_wdbc, df.columns.drop("diagnosis"), "all rows of data/wdbc.csv (fitted on the default split's training rows)", False,
        ),
    ]
    payload = {"sklearn_version": sklearn.__version__, "numpy_version": np.__version__, "cases": cases}
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with open(GOLDEN / "onnx-svc.json", "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote", GOLDEN / "onnx-svc.json")


if __name__ == "__main__":
    main()
