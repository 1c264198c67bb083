"""Adapting a trained model: start from its encoder and heads, replay the old corpus, record the origin."""

import shutil
from pathlib import Path

import pytest
import torch
import yaml

from model import NewsStanceModel, StanceClassifier
from model.configuration import NewsStanceConfig
from newsstance.cli import main
from tests.conftest import write_jsonl
from tests.training.test_train import SENTENCES, tiny_config
from training.train import train, with_start_models_encoder


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_encoder_dir: Path) -> Path:
    config = tiny_config(tmp_path_factory.mktemp("base"), tiny_encoder_dir, "training.epochs=1", "calibration.enabled=false")
    train(config)
    return Path(config.training.output_dir)


def test_init_from_starts_from_the_trained_weights_and_records_it(tmp_path: Path, tiny_encoder_dir: Path, trained: Path) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, f"model.init_from={trained}", "training.epochs=1",
                         "training.learning_rate=1e-12", "calibration.enabled=false")
    train(config)
    run = Path(config.training.output_dir)
    before, after = NewsStanceModel.from_pretrained(trained), NewsStanceModel.from_pretrained(run)
    for name, weight in before.state_dict().items():  # a near-zero learning rate leaves the start in place
        torch.testing.assert_close(after.state_dict()[name], weight, atol=1e-5, rtol=0)
    assert yaml.safe_load((run / "train_config.yaml").read_text())["model"]["init_from"] == str(trained)
    assert f"started from the trained model `{trained}`" in (run / "README.md").read_text()


def test_the_card_names_the_start_models_encoder_not_the_configs(
    tmp_path: Path, tiny_encoder_dir: Path, trained: Path
) -> None:
    """The encoder comes from model.init_from, so a different model.base_model must not be recorded as it."""
    config = tiny_config(tmp_path, tiny_encoder_dir, f"model.init_from={trained}", "training.epochs=1",
                         "model.base_model=sentence-transformers/all-mpnet-base-v2", "calibration.enabled=false")
    train(config)
    run = Path(config.training.output_dir)
    start_base = yaml.safe_load((trained / "train_config.yaml").read_text())["model"]["base_model"]
    assert yaml.safe_load((run / "train_config.yaml").read_text())["model"]["base_model"] == start_base
    assert f"base_model: {start_base}" in (run / "README.md").read_text() and "mpnet" not in (run / "README.md").read_text()
    note = with_start_models_encoder(config)[1]  # what the command line prints; the recorded config has none left
    assert note is not None and "model.base_model sentence-transformers/all-mpnet-base-v2 is not used" in note

    bare = tmp_path / "bare-start"  # a start model without train_config.yaml: its encoder config names it
    shutil.copytree(trained, bare)
    (bare / "train_config.yaml").unlink()
    (tmp_path / "second").mkdir()
    config = tiny_config(tmp_path / "second", tiny_encoder_dir, f"model.init_from={bare}",
                         "model.base_model=sentence-transformers/all-mpnet-base-v2")
    recorded, note = with_start_models_encoder(config)
    assert recorded.model.base_model == NewsStanceConfig.from_pretrained(bare).encoder["_name_or_path"] != ""
    assert note is not None


def test_the_flag_and_replay_work_from_the_command_line(tmp_path: Path, tiny_encoder_dir: Path, trained: Path, capsys) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir)
    replay = write_jsonl(tmp_path / "old.jsonl", [{"text": f"Older sentence {i}.", "stance": "other", "sentiment": "neutral"}
                                                  for i in range(25)])
    code = main(["train", "--config", str(tmp_path / "config.yaml"), "--init-from", str(trained), "training.epochs=1",
                 f"data.replay={replay}", "data.replay_ratio=0.5", "calibration.enabled=false"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "replay_rows: 20" in out and f"train_rows: {4 * len(SENTENCES)}" in out
    run = Path(config.training.output_dir)
    assert "replayed" in (run / "README.md").read_text()
    assert StanceClassifier.from_pretrained(run).predict(["Shelling resumed."])[0].stance in config.labels.stance


def test_label_sets_must_match_the_starting_model(tmp_path: Path, tiny_encoder_dir: Path, trained: Path, capsys) -> None:
    tiny_config(tmp_path, tiny_encoder_dir)
    with (tmp_path / "config.yaml").open("a") as handle:
        handle.write("labels:\n  sentiment: [negative, neutral, positive, mixed]\n")
    code = main(["train", "--config", str(tmp_path / "config.yaml"), "--init-from", str(trained)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (f"newsstance: error: model.init_from {trained}: its sentiment labels (negative, neutral, positive) "
                   "differ from labels.sentiment (negative, neutral, positive, mixed); adapt with the same label set, "
                   "in the same order")


def test_missing_start_and_replay_files_are_config_errors(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    tiny_config(tmp_path, tiny_encoder_dir)
    assert main(["train", "--config", str(tmp_path / "config.yaml"), "--init-from", str(tmp_path / "nope")]) == 2
    assert "model.init_from directory not found" in capsys.readouterr().err
    assert main(["train", "--config", str(tmp_path / "config.yaml"), f"data.replay={tmp_path / 'x.jsonl'}"]) == 2
    assert "data.replay file not found" in capsys.readouterr().err
