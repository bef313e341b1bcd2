#!/usr/bin/python3
"""Write the golden files for mloop's preprocessing (SimpleImputer, OneHotEncoder, ColumnTransformer).

How to run (from the repository root):

    /usr/bin/python3 scripts/make-preprocessing-golden.py

Use Debian's interpreter (scikit-learn 1.2.1, numpy 1.24, pandas); see scripts/make-golden.py.
The script writes test/golden/preprocessing-*.json and nothing else.

Each data set is made deterministically (numpy RandomState), written as CSV text and read back
with pandas, so scikit-learn sees what a user's `pd.read_csv` would give it: a DataFrame whose
float columns pandas stores column by column (the imputer's column means then use numpy's
pairwise sum down each column, not a running sum across rows). Then, per impute strategy and
with or without MinMaxScaler, it fits exactly

    ColumnTransformer([("num", Pipeline([SimpleImputer(strategy), MinMaxScaler()?]), numeric),
                       ("cat", Pipeline([SimpleImputer("most_frequent"),
                                         OneHotEncoder(handle_unknown="ignore", sparse_output=False)]),
                        categorical)])

and, for the binary data sets, an SVC() after it. sparse_output=False keeps the output dense, so
the SVC takes libsvm's dense path, as mloop does.

The raw table is stored as mloop's CSV reader gives it: numeric cells as doubles, categorical
cells as indices into the feature's `categories` (all distinct values of the whole table, in
scikit-learn's order: numeric if every value is a number, else by code point), null = missing.
Floats are written with repr() (json.dump), which round-trips every float64 exactly.
"""

import io
import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris, load_wine
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder
from sklearn.svm import SVC

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"
STRATEGIES = ["mean", "median", "most_frequent"]
TEST_SIZE = 0.2
RANDOM_STATE = 20


def floats(a):
    return [float(v) for v in np.ravel(a)]


def ints(a):
    return [int(v) for v in np.ravel(a)]


def plain(v):
    """A statistic or category as JSON: a float for a numeric column, else the string."""
    return v if isinstance(v, str) else float(v)


def split(n):
    return train_test_split(np.arange(n), test_size=TEST_SIZE, random_state=RANDOM_STATE)


def with_missing(rs, values, rate):
    """Cells as CSV text, about `rate` of them empty."""
    cells = [repr(float(v)) for v in values]
    for i in np.flatnonzero(rs.rand(len(cells)) < rate):
        cells[i] = ""
    return cells


def csv_text(columns, header=True):
    names = list(columns)
    lines = [",".join(names)] if header else []
    for i in range(len(columns[names[0]])):
        lines.append(",".join(columns[name][i] for name in names))
    return "\n".join(lines) + "\n"


def reader_table(df, features, categorical):
    """The table as mloop's reader gives it: per-feature specs and row-major cells (codes, null)."""
    specs = []
    columns = []
    for name in features:
        col = df[name]
        if name in categorical or col.dtype == object:
            present = col.dropna()
            if col.dtype == object:
                values = sorted(set(present))  # Python's str order: by code point
                text = {v: v for v in values}
            else:
                values = sorted(set(float(v) for v in present))
                text = {v: (str(int(v)) if v.is_integer() else repr(v)) for v in values}
            code = {v: k for k, v in enumerate(values)}
            specs.append({"name": name, "kind": "categorical", "categories": [text[v] for v in values]})
            key = (lambda v: v) if col.dtype == object else float
            columns.append([None if pd.isna(v) else code[key(v)] for v in col])
        else:
            specs.append({"name": name, "kind": "numeric"})
            columns.append([None if np.isnan(v) else float(v) for v in col.to_numpy(dtype=np.float64)])
    rows = [list(r) for r in zip(*columns)]
    return specs, rows


def column_transformer(impute, scaled, numeric, categorical):
    num_steps = [("imputer", SimpleImputer(strategy=impute))]
    if scaled:
        num_steps.append(("scaler", MinMaxScaler()))
    cat = Pipeline([
        ("imputer", SimpleImputer(strategy="most_frequent")),
        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
    ])
    return ColumnTransformer([("num", Pipeline(num_steps), numeric), ("cat", cat, categorical)])


def describe_svc(svc, decision):
    return {
        "classes": [str(c) for c in svc.classes_],
        "gamma": float(svc._gamma),
        "n_support": ints(svc.n_support_),
        "support": ints(svc.support_),
        "dual_coef": floats(svc.dual_coef_),
        "intercept": floats(svc.intercept_),
        "decision_function": floats(decision),
    }


def make_case(name, df, label, features, categorical, binary):
    numeric = [f for f in features if f not in categorical and df[f].dtype != object]
    categorical = [f for f in features if f not in numeric]
    x = df[features]
    y = df[label].astype(str).to_numpy()
    train_idx, test_idx = split(len(df))
    xa, xb, ya, yb = train_test_split(x, y, test_size=TEST_SIZE, random_state=RANDOM_STATE)
    assert xa.index.equals(x.index[train_idx]) and xb.index.equals(x.index[test_idx])
    x_train, x_test = x.iloc[train_idx], x.iloc[test_idx]
    y_train = y[train_idx]

    specs, rows = reader_table(df, features, categorical)
    fits = []
    for impute in STRATEGIES:
        for scaled in [False, True]:
            ct = column_transformer(impute, scaled, numeric, categorical)
            pipe = Pipeline([("prep", ct), ("svc", SVC())]) if binary else Pipeline([("prep", ct)])
            pipe.fit(x_train, y_train)
            t_train = ct.transform(x_train)
            t_test = ct.transform(x_test)
            assert np.array_equal(t_train, column_transformer(impute, scaled, numeric, categorical).fit_transform(x_train))
            assert t_train.dtype == np.float64
            fit = {"impute": impute, "scaled": scaled}
            num = ct.named_transformers_["num"]
            fit["numeric_statistics"] = floats(num["imputer"].statistics_) if numeric else []
            if scaled and numeric:
                fit["scaler_scale"] = floats(num["scaler"].scale_)
                fit["scaler_min"] = floats(num["scaler"].min_)
            if categorical:
                cat = ct.named_transformers_["cat"]
                fit["categorical_statistics"] = [plain(v) for v in cat["imputer"].statistics_]
                fit["encoder_categories"] = [[plain(v) for v in c] for c in cat["onehot"].categories_]
            fit["feature_names_out"] = [str(s) for s in ct.get_feature_names_out()]
            fit["n_features_out"] = int(t_train.shape[1])
            fit["X_train"] = floats(t_train)
            fit["X_test"] = floats(t_test)
            if binary:
                svc = pipe["svc"]
                # With the "num" block alone the output keeps that block's column-major layout;
                # SVC's input validation makes it C-contiguous before X.var() (and mloop is row-major).
                assert svc._gamma == 1.0 / (t_train.shape[1] * np.ascontiguousarray(t_train).var())
                fit["svc"] = describe_svc(svc, pipe.decision_function(x_test))
            fits.append(fit)

    return {
        "case": name,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "split": {"test_size": TEST_SIZE, "random_state": RANDOM_STATE},
        "train_indices": ints(train_idx),
        "test_indices": ints(test_idx),
        "features": specs,
        "raw": rows,
        "labels": [str(v) for v in y],
        "fits": fits,
    }


def load_wdbc():
    df = pd.read_csv(ROOT / "data" / "wdbc.csv", float_precision="round_trip")
    assert df.shape == (569, 31), df.shape
    return df


def wdbc_mixed_table():
    """WDBC with ~5% missing cells in six columns, `site` (strings) and `grade` (codes written as numbers)."""
    src = load_wdbc()
    rs = np.random.RandomState(15)
    n = len(src)
    numeric = [c for c in src.columns if c != "diagnosis"]
    with_gaps = {numeric[j] for j in [0, 3, 7, 12, 20, 27]}
    columns = {"diagnosis": list(src["diagnosis"])}
    for k, name in enumerate(numeric):
        values = src[name].to_numpy()
        columns[name] = with_missing(rs, values, 0.05) if name in with_gaps else [repr(float(v)) for v in values]
        if k == 9:
            site = np.where(rs.rand(n) < 0.45, "left", "right").astype(object)
            site[rs.rand(n) < 0.04] = ""
            columns["site"] = list(site)
    grade = rs.choice(["1", "2", "3"], size=n, p=[0.5, 0.3, 0.2]).astype(object)
    grade[rs.rand(n) < 0.04] = ""
    # Values only the test rows hold: handle_unknown="ignore" encodes them as all zeros.
    _, test_idx = split(n)
    columns["site"][test_idx[0]] = "center"
    columns["site"][test_idx[5]] = "center"
    grade[test_idx[3]] = "4"
    columns["grade"] = list(grade)
    features = [c for c in columns if c != "diagnosis"]
    return {"name": "wdbc-mixed", "csv": csv_text(columns), "read": {"float_precision": "round_trip"}, "label": "diagnosis",
            "features": features, "categorical": ["grade"], "binary": True,
            "mloop": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": ["grade"]}}


def wdbc_mixed():
    table = wdbc_mixed_table()
    df = read_table(table)
    assert df["site"].dtype == object and df["grade"].dtype == np.float64
    return make_case(table["name"], df, table["label"], table["features"], table["categorical"], table["binary"])


def iris_table():
    """Iris with missing cells in every column and `color`, whose most frequent values tie in training."""
    data = load_iris()
    rs = np.random.RandomState(150)
    n = len(data.target)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    columns = {name: with_missing(rs, data.data[:, j], 0.06) for j, name in enumerate(names)}
    train_idx, test_idx = split(n)
    # Four values 30 times each in the training rows, one of each then missing: a four-way tie
    # that Counter + min breaks by code point ("Blue" < "blue" < "zeta" < "éclair").
    color = np.empty(n, dtype=object)
    pattern = ["zeta", "éclair", "blue", "Blue"]
    for k, i in enumerate(train_idx):
        color[i] = pattern[k % 4]
    for k in range(4):
        color[train_idx[k + 40]] = ""
    color[test_idx] = rs.choice(pattern + ["Äpfel", ""], size=len(test_idx))
    columns["color"] = list(color)
    columns["species"] = [str(data.target_names[t]) for t in data.target]
    return {"name": "iris", "csv": csv_text(columns), "read": {"float_precision": "round_trip"}, "label": "species",
            "features": names + ["color"], "categorical": [], "binary": False,
            "mloop": {"label": "species", "positive": "virginica", "drop": [], "categorical": []}}


def iris():
    table = iris_table()
    return make_case(table["name"], read_table(table), table["label"], table["features"], table["categorical"], table["binary"])


def wine_table():
    """Wine with ~5% missing cells in five columns and `batch`, codes 9/10/100 (numeric order is not text order)."""
    data = load_wine()
    rs = np.random.RandomState(178)
    n = len(data.target)
    names = list(data.feature_names)
    columns = {}
    for j, name in enumerate(names):
        columns[name] = with_missing(rs, data.data[:, j], 0.05) if j in (0, 4, 6, 9, 12) else [repr(float(v)) for v in data.data[:, j]]
    batch = rs.choice(["9", "10", "100"], size=n).astype(object)
    batch[rs.rand(n) < 0.05] = ""
    columns["batch"] = list(batch)
    columns["cultivar"] = [str(t) for t in data.target]
    return {"name": "wine", "csv": csv_text(columns), "read": {"float_precision": "round_trip"}, "label": "cultivar",
            "features": names + ["batch"], "categorical": ["batch"], "binary": False,
            "mloop": {"label": "cultivar", "positive": "0", "drop": [], "categorical": ["batch"]}}


def wine():
    table = wine_table()
    return make_case(table["name"], read_table(table), table["label"], table["features"], table["categorical"], table["binary"])


WISCONSIN = ["id", "clump_thickness", "uniformity_cell_size", "uniformity_cell_shape", "marginal_adhesion",
             "single_epithelial_cell_size", "bare_nuclei", "bland_chromatin", "normal_nucleoli", "mitoses", "class"]


def wisconsin_table():
    """The original Wisconsin layout (no header, id, nine features 1..10, class 2/4, `?` = missing), made from WDBC."""
    src = load_wdbc()
    rs = np.random.RandomState(699)
    n = len(src)
    columns = {"id": [str(v) for v in rs.randint(1000000, 9999999, size=n)]}
    for name, wdbc_name in zip(WISCONSIN[1:10], src.columns[1:10]):
        ranks = np.argsort(np.argsort(src[wdbc_name].to_numpy(), kind="stable"), kind="stable")
        columns[name] = [str(int(v)) for v in np.minimum(1 + (10 * ranks) // n, 10)]
    for i in rs.choice(n, size=16, replace=False):
        columns["bare_nuclei"][i] = "?"
    columns["class"] = ["4" if d == "M" else "2" for d in src["diagnosis"]]
    return {"name": "wisconsin", "csv": csv_text(columns, header=False), "read": {"header": None, "names": WISCONSIN, "na_values": ["?"]},
            "label": "class", "features": WISCONSIN[1:10], "categorical": [], "binary": True,
            "mloop": {"header": False, "columns": WISCONSIN, "label": "class", "positive": "4", "drop": ["id"], "categorical": []}}


def wisconsin():
    table = wisconsin_table()
    df = read_table(table)
    assert df["bare_nuclei"].dtype == np.float64 and df["mitoses"].dtype == np.int64
    return make_case(table["name"], df, table["label"], table["features"], table["categorical"], table["binary"])


def read_table(table):
    """The table as a user's pd.read_csv reads it."""
    return pd.read_csv(io.StringIO(table["csv"]), **table["read"])


# The tables, for scripts/make-golden.py's whole-pipeline goldens.
TABLES = [wdbc_mixed_table, iris_table, wine_table, wisconsin_table]


def large_values(n):
    """Three columns reproducible in TypeScript bit for bit (integer arithmetic, one division, one
    subtraction), with NaN cells at fixed positions."""
    i = np.arange(n)
    a = ((i * 7919) % 10007) / 97.0 - 50.0
    b = ((i * 104729) % 65521) / 7.0 - 3000.0
    c = ((i * 31) % 1009) / 3.0
    a[i % 13 == 5] = np.nan
    b[i % 29 == 0] = np.nan
    c[i % 7 == 1] = np.nan
    return {"a": a, "b": b, "c": c}


def large():
    """Imputer statistics only, on more training rows (9600) than numpy's 8192-element buffer: the
    column sums are then added chunk by chunk."""
    n = 12000
    df = pd.DataFrame(large_values(n))
    train_idx, _ = split(n)
    stats = {}
    for impute in STRATEGIES:
        ct = column_transformer(impute, False, ["a", "b", "c"], [])
        ct.fit(df.iloc[train_idx])
        stats[impute] = floats(ct.named_transformers_["num"]["imputer"].statistics_)
    return {"case": "large", "sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
            "n": n, "train_indices": ints(train_idx), "numeric_statistics": stats}


def write(name, payload):
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / f"preprocessing-{name}.json"
    with open(path, "w", encoding="utf-8") as f:
        # Compact: the matrices hold tens of thousands of numbers; allow_nan=False guarantees valid JSON.
        json.dump(payload, f, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        f.write("\n")
    print("wrote", path)


def main():
    for make in [wdbc_mixed, iris, wine, wisconsin, large]:
        case = make()
        write(case["case"], case)


if __name__ == "__main__":
    main()
