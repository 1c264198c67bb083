"""Layer-wise learning-rate decay: the heads learn at the full rate, each encoder layer below more slowly."""

from pathlib import Path

import pytest

from model import NewsStanceConfig, NewsStanceModel
from tests.conftest import tiny_encoder_config
from tests.training.test_train import tiny_config
from training.train import _layerwise_optimizer


def test_each_layer_learns_at_decay_times_the_one_above(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    model = NewsStanceModel(NewsStanceConfig(encoder=tiny_encoder_config().to_dict()))  # 2 layers
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.layer_lr_decay=0.5", "training.learning_rate=1e-3")
    optimizer = _layerwise_optimizer(model, config)
    rate = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    named = dict(model.named_parameters())
    assert rate[id(named["stance_head.weight"])] == pytest.approx(1e-3)
    assert rate[id(named["encoder.encoder.layer.1.attention.self.query.weight"])] == pytest.approx(1e-3)
    assert rate[id(named["encoder.encoder.layer.0.attention.self.query.weight"])] == pytest.approx(5e-4)
    assert rate[id(named["encoder.embeddings.word_embeddings.weight"])] == pytest.approx(2.5e-4)
    assert len(rate) == len(named)  # every parameter is trained
    assert _layerwise_optimizer(model, tiny_config(tmp_path, tiny_encoder_dir)) is None  # decay 1: the Trainer's own
