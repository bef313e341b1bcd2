#!/usr/bin/python3
"""Write test/golden/live-curves.json: the ROC and precision-recall curves, their areas and the
operating point of a model on its confirmed cases, as scikit-learn computes them from what the
prediction log keeps of each case (see src/core/metrics/live-curves.ts).

How to run (from the repository root):

    /usr/bin/python3 scripts/make-live-curves-golden.py

Use Debian's interpreter (/usr/bin/python3 with python3-sklearn 1.2.1 and numpy 1.24). The script
writes test/golden/live-curves.json and nothing else; its output is committed.

Each case is an SVC fitted on a training split whose held-out rows play the confirmed cases:
- two classes (wdbc): the logged decision value is `decision_function(X)` (> 0 meaning
  classes[1]); the positive class's score is that value, negated when the positive class is
  classes[0]; the logged label is the model's prediction, at libsvm's boundary or at a chosen
  threshold on the positive score (`score >= threshold`).
- more classes (iris, wine): the logged probabilities are `predict_proba(X)`, one column per class
  in `classes_` order, and the logged label is `predict(X)` (libsvm's votes, which need not be the
  most probable class).
The expected curves are `roc_curve`, `roc_auc_score`, `precision_recall_curve` and
`average_precision_score` of each class against the rest (the positive one only for two classes),
and the operating point the logged labels give: one-vs-rest recall, false-positive rate and
precision from `confusion_matrix`.
"""

import importlib.util
import pathlib
import warnings

import numpy as np
from sklearn.datasets import load_iris, load_wine
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_script(name, file):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_golden = load_script("make_golden", "make-golden.py")
make_stats_golden = load_script("make_stats_golden", "make-stats-golden.py")
floats, number, binary_case = make_stats_golden.floats, make_stats_golden.number, make_stats_golden.binary_case


def ratio(num, den):
    return float(num) / float(den) if den > 0 else None


def operating_points(y, predicted, classes, threshold):
    cm = confusion_matrix(y, predicted, labels=classes)
    total = int(cm.sum())
    points = {}
    for c, label in enumerate(classes):
        tp = int(cm[c, c])
        actual = int(cm[c, :].sum())
        predicted_c = int(cm[:, c].sum())
        points[label] = {"threshold": threshold, "recall": ratio(tp, actual), "fpr": ratio(predicted_c - tp, total - actual), "precision": ratio(tp, predicted_c)}
    return points


def expected_class(y, scores, label, point):
    case = binary_case(label, y, scores, label)
    return {
        "label": label,
        "support": int((y == label).sum()),
        "roc": case["roc"],
        "roc_auc": case["roc_auc"],
        "pr": case["pr"],
        "average_precision": number(case["average_precision"]),
        "operating_point": point,
    }


def binary_case_of(name, x, y, positive, threshold, random_state):
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=random_state, stratify=y)
    model = make_pipeline(MinMaxScaler(), SVC()).fit(x_train, y_train)
    classes = [str(c) for c in model.classes_]
    decision = model.decision_function(x_test)
    score = decision if positive == classes[1] else -decision
    negative = classes[0] if positive == classes[1] else classes[1]
    if threshold is None:
        predicted = model.predict(x_test)
        used = 0.0
    else:
        predicted = np.where(score >= threshold, positive, negative)
        used = threshold
    points = operating_points(y_test, predicted, classes, used)
    return {
        "name": name,
        "classes": classes,
        "positive": positive,
        "threshold": used,
        "actual": [str(v) for v in y_test],
        "predicted": [str(v) for v in predicted],
        "decision": floats(decision),
        "probabilities": None,
        "score": "decision_function",
        "per_class": [expected_class(y_test, score, positive, points[positive])],
    }


def multiclass_case_of(name, x, y, random_state):
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.4, random_state=random_state, stratify=y)
    model = make_pipeline(MinMaxScaler(), SVC(probability=True, random_state=random_state)).fit(x_train, y_train)
    classes = [str(c) for c in model.classes_]
    proba = model.predict_proba(x_test)
    predicted = model.predict(x_test)
    points = operating_points(y_test, predicted, classes, 0.0)
    return {
        "name": name,
        "classes": classes,
        "positive": classes[0],
        "threshold": 0.0,
        "actual": [str(v) for v in y_test],
        "predicted": [str(v) for v in predicted],
        "decision": floats(model.decision_function(x_test)[np.arange(len(y_test)), [classes.index(p) for p in predicted]]),
        "probabilities": [floats(row) for row in proba],
        "score": "predict_proba",
        "per_class": [expected_class(y_test, proba[:, k], label, points[label]) for k, label in enumerate(classes)],
    }


def main():
    x, y = make_golden.load_wdbc()
    iris, wine = load_iris(), load_wine()
    cases = [
        binary_case_of("wdbc, positive M, libsvm's boundary", x, y, "M", None, 0),
        binary_case_of("wdbc, positive B (negated decision values), libsvm's boundary", x, y, "B", None, 1),
        binary_case_of("wdbc, positive M, threshold -0.5", x, y, "M", -0.5, 2),
        multiclass_case_of("iris, predict_proba", iris.data, np.array(["setosa", "versicolor", "virginica"])[iris.target], 3),
        multiclass_case_of("wine (alcohol and malic acid only), predict_proba", wine.data[:, :2], np.array(["class_0", "class_1", "class_2"])[wine.target], 4),
    ]
    versions = {"sklearn_version": make_stats_golden.sklearn.__version__, "numpy_version": np.__version__}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_golden.write("live-curves", {**versions, "cases": cases})


if __name__ == "__main__":
    main()
