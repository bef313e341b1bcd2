"""Flask peer: `gunicorn --workers 2 flask_app:app` (sync workers), the same route and answer."""

from numbers import Real

from flask import Flask, jsonify, request

import serving

app = Flask(__name__)


def _is_row(value):
    return isinstance(value, list) and all(isinstance(v, Real) and not isinstance(v, bool) for v in value)


@app.post("/api/v1/predict")
def predict():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or ("row" in body) == ("rows" in body):
        return jsonify(error='send either "rows" or "row"'), 400
    rows = [body["row"]] if "row" in body else body["rows"]
    if not isinstance(rows, list) or not all(_is_row(r) for r in rows):
        return jsonify(error="every row must be a list of numbers"), 400
    try:
        return jsonify(serving.predict(rows))
    except serving.BadRows as e:
        return jsonify(error=str(e)), 400
