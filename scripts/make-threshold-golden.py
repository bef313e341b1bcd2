#!/usr/bin/python3
"""Write test/golden/threshold-what-if.json: what a chosen decision threshold gives on held-out
rows, as scikit-learn counts it, for mloop's what-if of an operating point (core/threshold-what-if.ts).

How to run (from the repository root):

    /usr/bin/python3 scripts/make-threshold-golden.py

The tutorial's normalized pipeline (MinMaxScaler, SVC()) on the bundled data, split as mloop's
defaults split it (test_size=0.2, random_state=20); its decision values on the test rows, and at
each threshold t: `confusion_matrix(y_test, where(score >= t, positive, negative), labels=classes)`
with recall, specificity, precision and accuracy from scikit-learn's own scorers. The score is the
decision value, negated when the positive class is the first one (B): both cases are written.
Use Debian's interpreter (python3-sklearn); CI never runs it: the JSON is committed.
"""

import importlib.util
import json
import pathlib

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make-golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)
load_wdbc, floats, ints = make_golden.load_wdbc, make_golden.floats, make_golden.ints


def at_threshold(y, score, classes, positive, t):
    negative = classes[0] if classes[1] == positive else classes[1]
    y_pred = np.where(score >= t, positive, negative)
    cm = confusion_matrix(y, y_pred, labels=classes)
    return {
        "threshold": float(t),
        "confusion_matrix": [ints(r) for r in cm],
        "recall": float(recall_score(y, y_pred, pos_label=positive)),
        "specificity": float(recall_score(y, y_pred, pos_label=negative)),
        "precision": float(precision_score(y, y_pred, pos_label=positive)) if (y_pred == positive).any() else None,
        "accuracy": float(accuracy_score(y, y_pred)),
    }


def main():
    x, y = load_wdbc()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=20)
    model = make_pipeline(MinMaxScaler(), SVC()).fit(x_train, y_train)
    classes = [str(c) for c in model.classes_]
    decision = model.decision_function(x_test)
    cases = []
    for positive in classes:
        score = decision if positive == classes[1] else -decision
        ordered = np.sort(score)
        # Below every score, above every score, libsvm's boundary, values that are scores themselves
        # (>= counts the row), and points between scores.
        thresholds = [ordered[0] - 1, ordered[-1] + 1, 0.0, ordered[10], ordered[len(ordered) // 2], ordered[-5], (ordered[30] + ordered[31]) / 2, -0.5, 0.75]
        cases.append({"positive": positive, "results": [at_threshold(y_test, score, classes, positive, t) for t in thresholds]})
    payload = {"classes": classes, "y_test": [str(v) for v in y_test], "decision": floats(decision), "cases": cases}
    path = ROOT / "test" / "golden" / "threshold-what-if.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
