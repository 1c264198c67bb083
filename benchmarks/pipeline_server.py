"""The serve benchmark's peer: transformers' text-classification pipeline behind a minimal FastAPI endpoint.

    python benchmarks/pipeline_server.py --model runs/default --port 8001

What a user would write in a few lines: one endpoint, the stock pipeline over the same weights and
tokenizer, called once per request from FastAPI's thread pool. It returns the stance only.
"""

import argparse
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import stance_pipeline  # noqa: E402


class Texts(BaseModel):
    texts: list[str]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    classify = stance_pipeline(Path(args.model), batch_size=64)
    app = FastAPI()

    @app.post("/v1/predict")
    def predict(body: Texts) -> dict:
        return {"predictions": [{"stance": label} for label in classify(body.texts)]}

    @app.get("/readyz")
    def readyz() -> dict:
        return {"status": "ready"}

    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
