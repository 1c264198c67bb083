"""newsstance's model: a two-headed sentence classifier and the object that loads and runs it.

Names are imported on first use, so `newsstance --help` and the error paths do not pay for torch
and transformers.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Article": "model.articles.inputs",
    "NewsStanceConfig": "model.configuration",
    "NewsStanceError": "model.errors",
    "NewsStanceModel": "model.modeling",
    "Prediction": "model.classifier",
    "ScoredArticle": "model.articles.scoring",
    "ScoredSentence": "model.articles.scoring",
    "StanceClassifier": "model.classifier",
    "score_articles": "model.articles.scoring",
    "split_sentences": "model.articles.segment",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
