"""The Python peer's prediction code, shared by the FastAPI and the Flask servers.

The model is the pickled `make_pipeline(MinMaxScaler(), SVC())` that `peer.py train` fitted on the
same training split as mloop; its path comes from MLOOP_BENCH_MODEL. The answer has mloop's
`POST /api/v1/predict` shape, prediction ids included, so both sides do the same work per row.
"""

import os
import pickle
import uuid

import numpy as np

with open(os.environ["MLOOP_BENCH_MODEL"], "rb") as f:
    MODEL = pickle.load(f)

CLASSES = [str(c) for c in MODEL.classes_]
CLASS_NAMES = {"M": "Malign", "B": "Benign"}
N_FEATURES = int(MODEL.n_features_in_)


class BadRows(ValueError):
    pass


def predict(rows):
    x = np.asarray(rows, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != N_FEATURES:
        raise BadRows(f"expected rows of {N_FEATURES} numbers")
    decision = MODEL.decision_function(x)
    # mloop's rule: classes[0] only when the decision value is < 0 (libsvm's vote).
    labels = np.where(decision < 0, CLASSES[0], CLASSES[1])
    return {
        "modelVersion": 1,
        "predictions": [
            {"predictionId": str(uuid.uuid4()), "label": str(label), "className": CLASS_NAMES.get(str(label), str(label)), "decision": float(d)}
            for d, label in zip(decision, labels)
        ],
    }
