"""FastAPI peer: `uvicorn fastapi_app:app --workers 1`, an `async def` endpoint, pydantic validation."""

from typing import List, Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import serving

app = FastAPI()


class PredictBody(BaseModel):
    row: Optional[List[float]] = None
    rows: Optional[List[List[float]]] = None


@app.post("/api/v1/predict")
async def predict(body: PredictBody):
    if (body.row is None) == (body.rows is None):
        raise HTTPException(status_code=400, detail='send either "rows" or "row"')
    try:
        return serving.predict([body.row] if body.row is not None else body.rows)
    except serving.BadRows as e:
        raise HTTPException(status_code=400, detail=str(e))
