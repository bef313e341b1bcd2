#!/usr/bin/python3
"""Write test/golden/datasets.json: CSV texts and what pandas.read_csv reads from them.

How to run (from the repository root):

    /usr/bin/python3 scripts/make-dataset-golden.py

Use Debian's interpreter (/usr/bin/python3 with pandas 1.5, scikit-learn 1.2.1). CI never runs
it: the JSON is committed, and test/core/dataset.test.ts checks that mloop's reader gives the
same table. Every CSV text is made here, deterministically, from data/wdbc.csv or from the iris
data scikit-learn ships, and embedded in the JSON, so the test reads nothing else.

For each case the golden holds the pandas dtype of every column, and for every feature: its kind
(categorical when pandas reads it as text, or when the case forces it), the category order of
scikit-learn's OneHotEncoder, and the value of each labelled row (a number, or for a categorical
feature the index of its category; null = missing). json.dump writes floats with repr(), which
round-trips every float64, so the test compares with ===.
"""

import io
import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from scipy.stats import rankdata
from sklearn.datasets import load_iris
from sklearn.preprocessing import OneHotEncoder

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "test" / "golden"
DEFAULT_NA = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"]

# The Wisconsin Breast Cancer (original) layout: breast-cancer-wisconsin.data has no header.
WISCONSIN = ["id", "clump_thickness", "uniformity_of_cell_size", "uniformity_of_cell_shape",
             "marginal_adhesion", "single_epithelial_cell_size", "bare_nuclei", "bland_chromatin",
             "normal_nucleoli", "mitoses", "class"]
# Which WDBC feature stands in for each of the nine (only the shape of the file matters here).
WISCONSIN_FROM = ["texture_mean", "radius_mean", "concavity_mean", "compactness_mean", "area_mean",
                  "concave points_mean", "smoothness_mean", "symmetry_mean", "fractal_dimension_mean"]


def wdbc_text():
    """data/wdbc.csv as rows of cells, exactly as written."""
    lines = (ROOT / "data" / "wdbc.csv").read_text(encoding="utf-8").strip("\n").split("\n")
    return lines[0].split(","), [line.split(",") for line in lines[1:]]


def table(header, rows, sep=",", newline="\n"):
    out = [sep.join(header)] if header is not None else []
    out += [sep.join(row) for row in rows]
    return newline.join(out) + newline


def wdbc_columns(names, start, stop):
    header, rows = wdbc_text()
    picks = [header.index(n) for n in names]
    return [[row[c] for c in picks] for row in rows[start:stop]]


def wisconsin_original():
    df = pd.read_csv(ROOT / "data" / "wdbc.csv", float_precision="round_trip")
    n = len(df)
    # Scores 1..10 from each feature's rank, as the original's cytology grades are.
    grades = [np.ceil(rankdata(df[name], method="ordinal") * 10 / n).astype(int) for name in WISCONSIN_FROM]
    rows = []
    for i in range(n):
        cells = [str(1000025 + (i * 7919) % 8999999)] + [str(g[i]) for g in grades]
        cells.append("4" if df["diagnosis"][i] == "M" else "2")
        if i % 37 == 5:
            cells[WISCONSIN.index("bare_nuclei")] = "?"
        rows.append(cells)
    return {"name": "wisconsin-original", "csv": table(None, rows),
            "read": {"header": False, "names": WISCONSIN, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "class", "positive": "4", "drop": ["id"], "categorical": []}}


def semicolon():
    names = ["diagnosis", "radius_mean", "texture_mean", "area_mean", "smoothness_mean"]
    rows = wdbc_columns(names, 0, 40)
    for i, row in enumerate(rows):
        if i % 7 == 3:
            row[2] = ""
        if i % 11 == 4:
            row[4] = "NA"
        # A decimal comma would need pandas' decimal=","; these stay numbers with a '.'.
    return {"name": "semicolon", "csv": table(names, rows, sep=";"),
            "read": {"header": True, "names": None, "sep": ";", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": []}}


def tab():
    names = ["diagnosis", "perimeter_mean", "concavity_mean", "symmetry_mean"]
    rows = wdbc_columns(names, 40, 100)
    for i, row in enumerate(rows):
        if i % 9 == 2:
            row[1] = "?"
    header = [f'"{n}"' for n in ["id"] + names]
    rows = [[str(900000 + i)] + row for i, row in enumerate(rows)]
    return {"name": "tab", "csv": table(header, rows, sep="\t", newline="\r\n"),
            "read": {"header": True, "names": None, "sep": "\t", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": ["id"], "categorical": []}}


def na_spellings(name, na_values):
    spellings = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?", '""', '"NA"', "-999", "-999.0", "-999.00", " -999"]
    names = ["diagnosis", "radius_mean", "texture_mean"]
    rows = wdbc_columns(names, 100, 100 + 3 * len(spellings))
    note = ["x", "y", "NA", "z", "-999.0", "-999"] * len(spellings)
    for i, row in enumerate(rows):
        if i % 3 == 1:
            row[1] = spellings[i // 3]
        row.append(note[i])
    # Under the custom list, the note column stays text: "NA" is not missing there.
    return {"name": name, "csv": table(names + ["note"], rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": na_values},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": []}}


def string_columns():
    names = ["diagnosis", "radius_mean", "texture_mean"]
    rows = wdbc_columns(names, 200, 260)
    sites = ["left", "right", "right", "", "left", "Right"]
    # Code-point order differs from JavaScript's UTF-16 order past U+FFFF ("ｚ" U+FF5A < "😀" U+1F600).
    words = ["a", "Z", "é", "\uff5a", "\U0001f600", "b ", " b", "10", "9", "NA"]
    flags = ["True", "False", "true", "FALSE"]
    for i, row in enumerate(rows):
        row += [sites[i % len(sites)], words[i % len(words)], flags[i % len(flags)]]
    return {"name": "string-columns", "csv": table(names + ["site", "word", "flag"], rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": []}}


def dtype_edges():
    names = ["diagnosis", "radius_mean"]
    rows = wdbc_columns(names, 300, 312)
    spaced = [" 1.5", "2 ", "+3", ".5", "1.", "1e-400", "\t7", "-0", "1E+05", "0.1", "3", "2.5e-3"]
    ints = ["1", " 2", "+3", "007", "-0", "9007199254740993", "", "4", "5", "6", "7", "8"]
    huge = ["18446744073709551615", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    over = ["18446744073709551616", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    half = ["12345678901234567890.5", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    neg = ["9223372036854775808", "-1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    bools = ["True", "", "false", "TRUE", "True", "False", "true", "false", "True", "False", "True", "False"]
    columns = [spaced, ints, huge, over, half, neg, bools]
    for i, row in enumerate(rows):
        row += [c[i] for c in columns]
    extra = ["spaced", "ints", "huge", "over", "half", "neg", "bools"]
    return {"name": "dtype-edges", "csv": table(names + extra, rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": []}}


def forced_categorical():
    names = ["diagnosis", "radius_mean", "smoothness_mean"]
    rows = wdbc_columns(names, 400, 440)
    grades = ["1", "2", "10", "3", "", "2", "10", "1"]
    stages = ["1", "1.0", "2.5", "NA", "-0", "0"]
    codes = ["3", "1", "2"]
    for i, row in enumerate(rows):
        row += [grades[i % len(grades)], stages[i % len(stages)], codes[i % len(codes)]]
    return {"name": "forced-categorical", "csv": table(names + ["grade", "stage", "code"], rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": ["grade", "stage"]}}


def missing_labels():
    names = ["diagnosis", "radius_mean", "texture_mean", "concavity_mean"]
    rows = wdbc_columns(names, 460, 520)
    for i, row in enumerate(rows):
        if i % 8 == 6:
            row[0] = ["", "NA", "?"][i % 3]
    return {"name": "missing-labels", "csv": table(names, rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "diagnosis", "positive": "M", "drop": [], "categorical": []}}


def iris_like():
    iris = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    rows = [[repr(float(v)) for v in x] + [iris.target_names[t]] for x, t in zip(iris.data, iris.target)]
    return {"name": "iris-like", "csv": table(names, rows),
            "read": {"header": True, "names": None, "sep": ",", "na_values": DEFAULT_NA},
            "options": {"label": "species", "positive": "virginica", "drop": [], "categorical": []}}


def label_text(value, dtype):
    # mloop writes a numeric label as JavaScript's String(number) does: 4, not 4.0.
    if dtype.kind == "f":
        assert float(value).is_integer() and abs(value) < 2**53, value
        return str(int(value))
    return str(value)


def read(case):
    r = case["read"]
    return pd.read_csv(io.StringIO(case["csv"]), header=0 if r["header"] else None, names=r["names"], sep=r["sep"],
                       na_values=r["na_values"], keep_default_na=False, float_precision="round_trip")


def describe(case):
    df = read(case)
    o = case["options"]
    labelled = df[o["label"]].notna().to_numpy()
    features = []
    for name in [c for c in df.columns if c != o["label"] and c not in o["drop"]]:
        col = df[name]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        entry = {"name": name, "dtype": str(col.dtype)}
        if numeric and name not in o["categorical"]:
            entry["kind"] = "numeric"
            entry["values"] = [None if np.isnan(v) else float(v) for v in col.to_numpy(dtype=np.float64)[labelled]]
        else:
            entry["kind"] = "categorical"
            encoder = OneHotEncoder(handle_unknown="ignore").fit(col.dropna().to_frame())
            categories = list(encoder.categories_[0])
            index = {v: k for k, v in enumerate(categories)}
            entry["categories"] = [float(v) if numeric else str(v) for v in categories]
            entry["values"] = [None if pd.isna(v) else index[v] for v in col.to_numpy()[labelled]]
        features.append(entry)
    label = df[o["label"]]
    return {**case, "sklearn_version": sklearn.__version__, "pandas_version": pd.__version__,
            "dtypes": {str(c): str(df[c].dtype) for c in df.columns},
            "features": features,
            "labels": [label_text(v, label.dtype) for v in label.to_numpy()[labelled]],
            "unlabelled_rows": int((~labelled).sum())}


def main():
    cases = [wisconsin_original(), semicolon(), tab(), na_spellings("na-default", DEFAULT_NA),
             na_spellings("na-custom", ["-999", "?", ""]), string_columns(), dtype_edges(),
             forced_categorical(), missing_labels(), iris_like()]
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / "datasets.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump([describe(c) for c in cases], f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
