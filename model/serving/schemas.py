"""Request and response bodies of the HTTP API; FastAPI validates them and documents them at /docs."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from model.classifier import Prediction
from model.jsonl import lone_surrogate_at


def _encodable(text: str) -> str:
    position = lone_surrogate_at(text)
    if position is not None:
        raise ValueError(f"not valid Unicode: a lone surrogate at character {position}")
    return text


UnicodeText = Annotated[str, AfterValidator(_encodable)]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[UnicodeText] = Field(min_length=1, description="sentences to label, in order")


class PredictResponse(BaseModel):
    predictions: list[Prediction]  # the classifier's own record, fields as documented there


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: UnicodeText = Field(min_length=1)
    text: UnicodeText


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(min_length=1)
    wrapped: StrictBool = False  # "yes" or 1 is a mistake to name, not a true to guess
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class SentenceRow(BaseModel):
    """One row as `newsstance score` writes it in JSONL."""

    id: str
    sentence: int
    start: int
    end: int
    text: str
    stance: str
    stance_guess: str
    stance_prob: float
    sentiment: str
    sentiment_prob: float
    stance_probs: dict[str, float]
    sentiment_probs: dict[str, float]


class ScoredArticleOut(BaseModel):
    id: str
    sentences: list[SentenceRow]


class ScoreResponse(BaseModel):
    articles: list[ScoredArticleOut]


class ModelInfo(BaseModel):
    path: str
    stance_labels: list[str]
    sentiment_labels: list[str]
    base_model: str | None
    stance_temperature: float
    sentiment_temperature: float
    runtime: str
    device: str
    evaluations: dict[str, dict]
