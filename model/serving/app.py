"""The FastAPI application: /v1/predict, /v1/score, /v1/model, /healthz and /readyz.

The model loads in a background thread after the server starts, so /healthz answers at once and
/readyz says when scoring can begin (503 until then). Bad requests get a 4xx whose JSON body names
the field; an unexpected failure is a 500 with a message, and the server keeps serving.
"""

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from model.articles.scoring import scored_sentence, token_counts
from model.articles.segment import split_sentences
from model.articles.writers import sentence_record
from model.classifier import StanceClassifier, TorchRunner, prediction_from_probs
from model.serving.batcher import Batcher
from model.serving.limits import ServeLimits
from model.serving.schemas import (
    ModelInfo,
    PredictRequest,
    PredictResponse,
    ScoreRequest,
    ScoreResponse,
)
from model.storage import DEV_METRICS_FILE, EVALUATIONS_FILE, read_train_config

log = logging.getLogger("newsstance.serve")


class BodyLimit:
    """Refuse bodies over the limit with a 413 before the application sees them (Content-Length or streamed).

    A streamed (chunked) body is read here, up to the limit, and handed on whole: an error raised from
    inside FastAPI's own body reading would come out as a vague 400 instead.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        buffered = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            return buffered.pop() if buffered else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body is larger than {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(
    model_dir: str | Path,
    device: str = "auto",
    max_batch: int = 64,
    max_wait_ms: float = 5.0,
    batching: bool = True,
    limits: ServeLimits | None = None,
) -> FastAPI:
    limits = limits or ServeLimits()
    model_dir = Path(model_dir)
    state: dict[str, Any] = {}

    def load() -> None:
        state["classifier"] = StanceClassifier.from_pretrained(model_dir, device=device)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202 - FastAPI's lifespan protocol
        loading = asyncio.create_task(asyncio.to_thread(load))

        async def start_batcher() -> None:
            try:
                await loading
            except Exception as error:  # the process stays up and says why it is not ready
                state["load_error"] = f"{type(error).__name__}: {error}"
                log.error("newsstance: error: the model could not be loaded: %s", state["load_error"])
                return
            batcher = Batcher(state["classifier"], max_batch, max_wait_ms, batching)
            await batcher.start()
            state["batcher"] = batcher

        starting = asyncio.create_task(start_batcher())
        yield
        starting.cancel()
        if "batcher" in state:
            await state["batcher"].stop()

    app = FastAPI(
        title="newsstance",
        summary="Label what each sentence of a news article does (stance) and its sentiment.",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)

    def ready() -> tuple[StanceClassifier, Batcher]:
        if "batcher" not in state:
            raise HTTPException(503, state.get("load_error", "the model is still loading; retry shortly"))
        return state["classifier"], state["batcher"]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        """FastAPI's 422 without the echoed `input`: a NaN or a lone surrogate in it cannot be written as
        JSON, which turned a bad request into a 500."""
        errors = [{key: value for key, value in item.items() if key != "input"} for item in error.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("newsstance: error while serving %s", request.url.path)
        return JSONResponse({"detail": f"internal error: {type(error).__name__}: {error}"}, status_code=500)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (the model may still be loading)."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        """The model is loaded: 200 when requests can be scored, 503 before."""
        ready()
        return {"status": "ready"}

    @app.get("/v1/model", response_model=ModelInfo)
    async def model_info() -> ModelInfo:
        classifier, _ = ready()
        return _model_info(model_dir, classifier)

    @app.post("/v1/predict", response_model=PredictResponse)
    async def predict(body: PredictRequest) -> dict[str, Any]:
        """Labels for each text, in input order; the same numbers as `StanceClassifier.predict`."""
        classifier, batcher = ready()
        _check_texts("texts", body.texts, limits.max_texts, limits.max_text_chars)
        probs = await batcher.predict_proba(body.texts)
        return {"predictions": [
            prediction_from_probs(stance, sentiment, classifier.stance_labels, classifier.sentiment_labels)
            for stance, sentiment in zip(probs["stance"], probs["sentiment"])
        ]}

    @app.post("/v1/score", response_model=ScoreResponse)
    async def score(body: ScoreRequest) -> dict[str, Any]:
        """Articles cut into sentences (offsets into each article's text) and labelled, as `newsstance score` does."""
        classifier, batcher = ready()
        if len(body.articles) > limits.max_articles:
            raise HTTPException(422, f"articles: at most {limits.max_articles} articles per request")
        for index, article in enumerate(body.articles):
            if len(article.text) > limits.max_article_chars:
                raise HTTPException(422, f"articles[{index}].text: longer than {limits.max_article_chars} characters")
        segmented = await run_in_threadpool(
            lambda: [split_sentences(article.text, body.wrapped) for article in body.articles]
        )
        texts = [sentence.text for sentences in segmented for sentence in sentences]
        probs = await batcher.predict_proba(texts)
        tokens = await run_in_threadpool(token_counts, classifier, texts)
        limit = classifier.tokenizer.model_max_length
        row, articles = 0, []
        for article, sentences in zip(body.articles, segmented):
            rows = []
            for index, sentence in enumerate(sentences):
                prediction = prediction_from_probs(
                    probs["stance"][row], probs["sentiment"][row], classifier.stance_labels, classifier.sentiment_labels
                )
                scored = scored_sentence(index, sentence, prediction, tokens[row], limit, body.min_confidence)
                rows.append(sentence_record(article.id, scored))
                row += 1
            articles.append({"id": article.id, "sentences": rows})
        return {"articles": articles}

    return app


def _check_texts(field: str, texts: list[str], max_texts: int, max_chars: int) -> None:
    if len(texts) > max_texts:
        raise HTTPException(422, f"{field}: at most {max_texts} texts per request, got {len(texts)}")
    for index, text in enumerate(texts):
        if not text.strip():
            raise HTTPException(422, f"{field}[{index}]: empty text")
        if len(text) > max_chars:
            raise HTTPException(422, f"{field}[{index}]: longer than {max_chars} characters")


def _model_info(model_dir: Path, classifier: StanceClassifier) -> ModelInfo:
    def read(name: str, parse: Any) -> Any:
        path = model_dir / name
        return parse(path.read_text(encoding="utf-8")) if path.is_file() else None

    train_config = read_train_config(model_dir)
    evaluations = read(EVALUATIONS_FILE, json.loads) or {}
    dev = read(DEV_METRICS_FILE, json.loads)
    return ModelInfo(
        path=str(model_dir),
        stance_labels=classifier.stance_labels,
        sentiment_labels=classifier.sentiment_labels,
        base_model=(train_config.get("model") or {}).get("base_model"),
        stance_temperature=classifier.config.stance_temperature,
        sentiment_temperature=classifier.config.sentiment_temperature,
        runtime="pytorch" if isinstance(classifier.runner, TorchRunner) else "onnxruntime",
        device=str(classifier.device),
        evaluations={**({"dev split at training time": dev} if dev else {}), **evaluations},
    )
