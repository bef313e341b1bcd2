"""scikit-learn's side of the in-process workloads, driven by bench/run.ts over stdin/stdout.

One JSON command per input line, one JSON answer per output line, so the bench can interleave
mloop's runs and these in the same minute (a noisy machine slows both alike) and so a warm
process (imports done, joblib's worker processes started) serves every timed run.

Commands:
  {"cmd": "versions"}
  {"cmd": "train", "csv": P, "testSize": 0.2, "randomState": 20, "trainMatrix": M, "out": PICKLE}
  {"cmd": "predict", "model": PICKLE, "matrix": M}             -> {"seconds": s}
  {"cmd": "grid", "matrix": M, "nJobs": n, "cv": 5, "grid": G}  -> {"seconds": s, "bestParams": ...}
A matrix M is {"path": float64 little-endian file, "rows": r, "cols": c, "labels": json file or null}.
"""

import csv
import json
import pickle
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

_matrices = {}
_models = {}


def load_matrix(m):
    key = m["path"]
    if key not in _matrices:
        x = np.fromfile(m["path"], dtype="<f8").reshape(m["rows"], m["cols"])
        y = None
        if m.get("labels"):
            with open(m["labels"]) as f:
                y = np.array(json.load(f), dtype=object)
        _matrices[key] = (x, y)
    return _matrices[key]


def load_model(path):
    if path not in _models:
        with open(path, "rb") as f:
            _models[path] = pickle.load(f)
    return _models[path]


def read_wdbc(path):
    # The tutorial reads with pandas; csv + float() parses each number to the nearest double, as
    # mloop does, without needing pandas here.
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    label = header.index("diagnosis")
    x = np.array([[float(v) for j, v in enumerate(r) if j != label] for r in body], dtype=np.float64)
    y = np.array([r[label] for r in body], dtype=object)
    return x, y


def versions(_):
    out = {"python": platform.python_version(), "sklearn": sklearn.__version__, "numpy": np.__version__}
    for name in ("fastapi", "uvicorn", "flask", "gunicorn", "pydantic", "uvloop", "httptools"):
        try:
            out[name] = getattr(__import__(name), "__version__", "?")
        except ImportError:
            out[name] = None
    try:
        import threadpoolctl

        out["blas"] = [f'{i["internal_api"]} {i.get("version")} {i.get("architecture")}' for i in threadpoolctl.threadpool_info()]
    except ImportError:
        out["blas"] = None
    return out


def train(cmd):
    x, y = read_wdbc(cmd["csv"])
    x_train, x_test, y_train, _ = train_test_split(x, y, test_size=cmd["testSize"], random_state=cmd["randomState"])
    # The bench's training rows come from mloop's split: the two must be the very same rows.
    theirs, _ = load_matrix(cmd["trainMatrix"])
    same_split = bool(theirs.shape == x_train.shape and np.array_equal(theirs, x_train))
    model = make_pipeline(MinMaxScaler(), SVC()).fit(x_train, y_train)
    with open(cmd["out"], "wb") as f:
        pickle.dump(model, f)
    return {
        "sameSplit": same_split,
        "nSupport": [int(n) for n in model[-1].n_support_],
        "testDecisions": [float(d) for d in model.decision_function(x_test)],
    }


def predict(cmd):
    model = load_model(cmd["model"])
    x, _ = load_matrix(cmd["matrix"])
    start = time.perf_counter()
    labels = model.predict(x)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": int(len(labels))}


def grid(cmd):
    x, y = load_matrix(cmd["matrix"])
    param_grid = {"svc__C": cmd["grid"]["C"], "svc__gamma": cmd["grid"]["gamma"]}
    search = GridSearchCV(make_pipeline(MinMaxScaler(), SVC()), param_grid, cv=cmd["cv"], n_jobs=cmd["nJobs"])
    start = time.perf_counter()
    search.fit(x, y)
    seconds = time.perf_counter() - start
    best = search.best_params_
    return {"seconds": seconds, "bestParams": {"C": float(best["svc__C"]), "gamma": float(best["svc__gamma"])}}


COMMANDS = {"versions": versions, "train": train, "predict": predict, "grid": grid}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            cmd = json.loads(line)
            answer = {"ok": True, **COMMANDS[cmd["cmd"]](cmd)}
        except Exception as e:  # reported to the bench, which fails loudly
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
