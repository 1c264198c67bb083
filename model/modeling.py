"""One encoder, mean-pooled, feeding a stance head and a sentiment head in a single forward pass."""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoConfig, AutoModel, PreTrainedModel
from transformers.utils import ModelOutput

from model.configuration import NewsStanceConfig

IGNORE_INDEX = -100  # a row without a label on a head is not taught by that head


@dataclass
class NewsStanceOutput(ModelOutput):
    loss: torch.Tensor | None = None
    stance_logits: torch.Tensor | None = None
    sentiment_logits: torch.Tensor | None = None


class NewsStanceModel(PreTrainedModel):
    config_class = NewsStanceConfig
    base_model_prefix = "encoder"
    main_input_name = "input_ids"
    supports_gradient_checkpointing = True

    def __init__(self, config: NewsStanceConfig) -> None:
        super().__init__(config)
        self.encoder = AutoModel.from_config(config.encoder_config())
        hidden_size = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.stance_head = nn.Linear(hidden_size, len(config.stance_labels))
        self.sentiment_head = nn.Linear(hidden_size, len(config.sentiment_labels))
        self.post_init()

    @classmethod
    def from_encoder(
        cls,
        encoder_name_or_path: str,
        stance_labels: list[str],
        sentiment_labels: list[str],
        local_files_only: bool = False,
        **config_kwargs: float,
    ) -> "NewsStanceModel":
        """Start training from a pretrained encoder with freshly initialised heads."""
        encoder = AutoModel.from_pretrained(encoder_name_or_path, local_files_only=local_files_only)
        config = NewsStanceConfig(
            encoder=encoder.config.to_dict(),
            stance_id2label=dict(enumerate(stance_labels)),
            sentiment_id2label=dict(enumerate(sentiment_labels)),
            **config_kwargs,
        )
        model = cls(config)
        model.encoder.load_state_dict(encoder.state_dict())
        return model

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear) and module in (self.stance_head, self.sentiment_head):
            nn.init.normal_(module.weight, std=0.02)
            nn.init.zeros_(module.bias)
        else:
            self.encoder._init_weights(module)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        stance_labels: torch.Tensor | None = None,
        sentiment_labels: torch.Tensor | None = None,
        stance_teacher: torch.Tensor | None = None,
        sentiment_teacher: torch.Tensor | None = None,
        teacher_mask: torch.Tensor | None = None,
    ) -> NewsStanceOutput:
        teaching = self.training and stance_labels is not None
        # R-Drop: while training, each row goes through the encoder twice (two dropout masks) in one batch
        copies = 2 if teaching and self.config.rdrop_alpha > 0 else 1
        # multi-sample dropout: one encoder pass, several dropout masks on the pooled embedding, losses averaged
        samples = self.config.dropout_samples if teaching else 1
        inputs = (input_ids, attention_mask, token_type_ids)
        embedded = self.embed(*(None if t is None else t.repeat(copies, 1) for t in inputs))
        draws = []  # per dropout sample: (stance logits per copy, sentiment logits per copy)
        for _ in range(samples):
            pooled = self.dropout(embedded)
            draws.append((self.stance_head(pooled).chunk(copies), self.sentiment_head(pooled).chunk(copies)))
        stance_passes, sentiment_passes = draws[0]
        stance_logits, sentiment_logits = stance_passes[0], sentiment_passes[0]
        loss = None
        if stance_labels is not None:
            teachers = {"stance": stance_teacher, "sentiment": sentiment_teacher}
            loss = sum(
                self.supervised_loss(stance, sentiment, stance_labels, sentiment_labels, teachers, teacher_mask)
                for stance_draw, sentiment_draw in draws
                for stance, sentiment in zip(stance_draw, sentiment_draw)
            ) / (copies * samples)
            if copies == 2:
                passes = {"stance": stance_passes, "sentiment": sentiment_passes}
                loss = loss + self.config.rdrop_alpha * sum(
                    symmetric_kl(*passes[head]) for head in self.config.rdrop_heads
                )
        return NewsStanceOutput(
            loss=loss, stance_logits=stance_logits, sentiment_logits=sentiment_logits
        )

    def supervised_loss(
        self,
        stance_logits: torch.Tensor,
        sentiment_logits: torch.Tensor,
        stance_labels: torch.Tensor,
        sentiment_labels: torch.Tensor | None,
        teachers: dict[str, torch.Tensor | None],
        teacher_mask: torch.Tensor | None,
    ) -> torch.Tensor:
        """The label loss of both heads plus, where a teacher row exists, the distillation term."""
        loss = self.multitask_loss(stance_logits, sentiment_logits, stance_labels, sentiment_labels)
        if teacher_mask is None or self.config.distill_weight <= 0:
            return loss
        student = {"stance": stance_logits, "sentiment": sentiment_logits}
        for head in self.config.distill_heads:
            loss = loss + self.config.distill_weight * distillation_loss(
                student[head], teachers[head], teacher_mask, self.config.distill_temperature
            )
        return loss

    def embed(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The mean-pooled sentence embedding both heads read."""
        encoder_inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            encoder_inputs["token_type_ids"] = token_type_ids
        return mean_pool(self.encoder(**encoder_inputs).last_hidden_state, attention_mask)

    def multitask_loss(
        self,
        stance_logits: torch.Tensor,
        sentiment_logits: torch.Tensor,
        stance_labels: torch.Tensor,
        sentiment_labels: torch.Tensor | None,
    ) -> torch.Tensor:
        """Stance loss over rows with a stance label plus weighted sentiment loss over rows with a sentiment label.

        Rows without a stance label are the distillation transfer set: the teacher's term alone teaches them.
        """
        smoothing = self.config.label_smoothing
        has_stance = stance_labels != IGNORE_INDEX
        loss = stance_logits.new_zeros((), dtype=torch.float32)
        if has_stance.any():
            loss = F.cross_entropy(stance_logits[has_stance].float(), stance_labels[has_stance], label_smoothing=smoothing)
        if sentiment_labels is None:
            return loss
        labelled = sentiment_labels != IGNORE_INDEX
        if labelled.any():
            sentiment_loss = F.cross_entropy(
                sentiment_logits[labelled].float(), sentiment_labels[labelled], label_smoothing=smoothing
            )
            loss = loss + self.config.sentiment_loss_weight * sentiment_loss
        return loss


def distillation_loss(
    logits: torch.Tensor, teacher_probs: torch.Tensor, mask: torch.Tensor, temperature: float
) -> torch.Tensor:
    """KL(teacher || student) at `temperature`, times T^2 (Hinton et al.), over rows that have a teacher row."""
    keep = mask.bool()
    if not keep.any():
        return logits.new_zeros(())
    softened = teacher_probs[keep].float().clamp_min(1e-12) ** (1.0 / temperature)
    softened = softened / softened.sum(dim=-1, keepdim=True)
    student = F.log_softmax(logits[keep].float() / temperature, dim=-1)
    return F.kl_div(student, softened, reduction="batchmean") * temperature**2


def symmetric_kl(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """R-Drop's consistency term (Liang et al., 2021): the mean of KL(p1 || p2) and KL(p2 || p1) over rows."""
    first, second = F.log_softmax(first.float(), dim=-1), F.log_softmax(second.float(), dim=-1)
    forward = F.kl_div(second, first, log_target=True, reduction="batchmean")
    backward = F.kl_div(first, second, log_target=True, reduction="batchmean")
    return (forward + backward) / 2


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average the real tokens, as the sentence-transformers encoders were trained to be read."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


AutoConfig.register(NewsStanceConfig.model_type, NewsStanceConfig, exist_ok=True)
AutoModel.register(NewsStanceConfig, NewsStanceModel, exist_ok=True)
