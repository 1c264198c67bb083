"""newsstance's model: a two-headed sentence classifier and the object that loads and runs it."""

from transformers import AutoConfig, AutoModel

from model.classifier import Prediction, StanceClassifier
from model.configuration import NewsStanceConfig
from model.errors import NewsStanceError
from model.modeling import NewsStanceModel

AutoConfig.register(NewsStanceConfig.model_type, NewsStanceConfig)
AutoModel.register(NewsStanceConfig, NewsStanceModel)

__all__ = [
    "NewsStanceConfig",
    "NewsStanceError",
    "NewsStanceModel",
    "Prediction",
    "StanceClassifier",
]
