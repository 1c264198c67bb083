"""The saved description of a two-headed model: its encoder's config and both label sets."""

from typing import Any

from transformers import AutoConfig, PreTrainedConfig

from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS, HEADS


class NewsStanceConfig(PreTrainedConfig):
    """Holds the encoder's own config as a dict so any transformers encoder can sit underneath."""

    model_type = "newsstance"

    def __init__(
        self,
        encoder: dict[str, Any] | None = None,
        stance_id2label: dict[int | str, str] | None = None,
        sentiment_id2label: dict[int | str, str] | None = None,
        classifier_dropout: float = 0.1,
        sentiment_loss_weight: float = 1.0,
        label_smoothing: float = 0.0,
        rdrop_alpha: float = 0.0,
        rdrop_heads: list[str] | None = None,
        dropout_samples: int = 1,
        stance_temperature: float = 1.0,
        sentiment_temperature: float = 1.0,
        distill_weight: float = 0.0,
        distill_temperature: float = 1.0,
        distill_heads: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.encoder = encoder or {}
        self.stance_id2label = _int_keys(stance_id2label or dict(enumerate(DEFAULT_STANCE_LABELS)))
        self.sentiment_id2label = _int_keys(
            sentiment_id2label or dict(enumerate(DEFAULT_SENTIMENT_LABELS))
        )
        self.classifier_dropout = classifier_dropout
        self.sentiment_loss_weight = sentiment_loss_weight
        self.label_smoothing = label_smoothing
        self.rdrop_alpha = rdrop_alpha
        self.rdrop_heads = list(rdrop_heads) if rdrop_heads is not None else list(HEADS)
        self.dropout_samples = dropout_samples
        self.stance_temperature = stance_temperature
        self.sentiment_temperature = sentiment_temperature
        self.distill_weight = distill_weight
        self.distill_temperature = distill_temperature
        self.distill_heads = list(distill_heads) if distill_heads is not None else ["stance", "sentiment"]
        super().__init__(**kwargs)

    @property
    def stance_labels(self) -> list[str]:
        return [self.stance_id2label[i] for i in range(len(self.stance_id2label))]

    @property
    def sentiment_labels(self) -> list[str]:
        return [self.sentiment_id2label[i] for i in range(len(self.sentiment_id2label))]

    def encoder_config(self) -> PreTrainedConfig:
        encoder = dict(self.encoder)
        return AutoConfig.for_model(encoder.pop("model_type"), **encoder)


def _int_keys(mapping: dict[int | str, str]) -> dict[int, str]:
    """JSON turns integer keys into strings; put them back so ids index the logits."""
    return {int(key): value for key, value in mapping.items()}
