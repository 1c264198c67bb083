"""Shared fixtures: a tiny randomly initialised model so most tests run in milliseconds."""

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer, BertConfig

from model import NewsStanceConfig, NewsStanceModel, StanceClassifier
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from training.base_model import resolve_base_model

REPO = Path(__file__).resolve().parents[1]
SHARED_DEV = REPO.parent / "shared" / "data" / "dev.jsonl"


def tiny_encoder_config() -> BertConfig:
    return BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default encoder's tokenizer, saved alone, for tiny models to share its vocabulary."""
    path, _ = resolve_base_model("sentence-transformers/all-MiniLM-L6-v2")
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.model_max_length = 64
    directory = tmp_path_factory.mktemp("tokenizer")
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory, tokenizer_dir: Path) -> Path:
    """A random 2-layer BERT with the real tokenizer: usable as `model.base_model` in configs."""
    from transformers import BertModel

    directory = tmp_path_factory.mktemp("tiny_encoder")
    BertModel(tiny_encoder_config()).save_pretrained(directory)
    AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tokenizer_dir: Path) -> Path:
    """A saved, untrained two-headed model with the default labels."""
    config = NewsStanceConfig(
        encoder=tiny_encoder_config().to_dict(),
        stance_id2label=dict(enumerate(DEFAULT_STANCE_LABELS)),
        sentiment_id2label=dict(enumerate(DEFAULT_SENTIMENT_LABELS)),
    )
    model = NewsStanceModel(config)
    classifier = StanceClassifier(model, AutoTokenizer.from_pretrained(tokenizer_dir), device="cpu")
    directory = tmp_path_factory.mktemp("tiny_model") / "model"
    classifier.save_pretrained(directory)
    return directory


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
