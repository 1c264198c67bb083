"""Config validation: every mistake is caught before a model is loaded, with the key named."""

from pathlib import Path

import pytest

from newsstance.cli import main
from tests.conftest import write_jsonl
from training.config import ConfigError, load_config

ROWS = [
    {"text": "The ministry said talks would resume on Monday.", "stance": "official_assertion", "sentiment": "neutral"},
    {"text": "Rebels shelled the airport overnight.", "stance": "battlefield_report", "sentiment": "negative"},
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "train.jsonl", ROWS)
    write_jsonl(tmp_path / "dev.jsonl", ROWS[:1] + [{"text": "Officials denied it.", "stance": "denial"}])
    return tmp_path


def write_config(directory: Path, body: str) -> Path:
    path = directory / "config.yaml"
    path.write_text(
        f"data:\n  train: {directory}/train.jsonl\n  dev: {directory}/dev.jsonl\n" + body, encoding="utf-8"
    )
    return path


def test_defaults_fill_what_the_file_leaves_out(data_dir: Path) -> None:
    config = load_config(write_config(data_dir, "training:\n  epochs: 2\n  learning_rate: 5e-5\n"))
    assert config.training.epochs == 2.0
    assert config.training.learning_rate == pytest.approx(5e-5)  # YAML reads 5e-5 as a string
    assert config.labels.stance[0] == "official_assertion"
    assert config.model.base_model == "sentence-transformers/all-MiniLM-L6-v2"


def test_overrides_take_section_dot_key(data_dir: Path) -> None:
    config = load_config(write_config(data_dir, ""), ["training.epochs=1", "model.max_length=32"])
    assert (config.training.epochs, config.model.max_length) == (1.0, 32)


def test_misspelled_key_is_named_with_a_suggestion(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'training\.lerning_rate' \(did you mean 'training\.learning_rate'\?\)"):
        load_config(write_config(data_dir, "training:\n  lerning_rate: 0.1\n"))


def test_unknown_section_is_named(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'optimiser'"):
        load_config(write_config(data_dir, "optimiser:\n  lr: 1\n"))


def test_wrong_type_is_named(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"training\.batch_size is 'big'.*expected int"):
        load_config(write_config(data_dir, "training:\n  batch_size: big\n"))


def test_bad_choice_is_named(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"training\.device is 'tpu'.*auto, cpu, cuda"):
        load_config(write_config(data_dir, "training:\n  device: tpu\n"))


def test_missing_data_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"data:\n  train: {tmp_path}/nope.jsonl\n  dev: {tmp_path}/nope.jsonl\n")
    with pytest.raises(ConfigError, match=r"data\.train file not found: .*nope\.jsonl"):
        load_config(path)


def test_cli_reports_config_errors_on_one_line_without_traceback(
    data_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    config = write_config(data_dir, "training:\n  epoks: 1\n")
    assert main(["train", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown key 'training.epoks'" in err and "Traceback" not in err


def test_cli_reports_unknown_label_with_file_and_line(data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    write_jsonl(data_dir / "train.jsonl", ROWS + [{"text": "Maybe.", "stance": "hedging", "sentiment": "neutral"}])
    assert main(["train", "--config", str(write_config(data_dir, ""))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "train.jsonl: 1 invalid rows: line 3: unknown stance 'hedging'" in err


def test_custom_label_set_is_accepted(data_dir: Path) -> None:
    config = load_config(write_config(data_dir, "labels:\n  sentiment: [bad, good]\n"))
    assert config.labels.sentiment == ["bad", "good"]


def test_repository_configs_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo)  # data paths in configs are relative to where newsstance runs
    for name in sorted(path.name for path in (repo / "configs").glob("*.yaml")):
        config = load_config(repo / "configs" / name)
        assert config.labels.stance == ["official_assertion", "denial", "hedge", "battlefield_report", "other"]


def test_calibration_word_dropout_rates_are_checked(data_dir: Path) -> None:
    config = write_config(data_dir, "calibration:\n  word_dropout: [0, 1.5]\n")
    with pytest.raises(ConfigError, match=r"calibration.word_dropout\[1\] is 1.5"):
        load_config(config)


def test_distill_transfer_without_a_teacher_is_refused(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match=r"config.yaml: distill.transfer needs distill.teacher"):
        load_config(write_config(data_dir, "distill:\n  transfer: true\n"))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("training.rdrop_alpha=-1", r"training.rdrop_alpha must be zero or more, not -1"),
        ("training.dropout_samples=0", r"training.dropout_samples must be 1 or more, not 0"),
        ("training.layer_lr_decay=0", r"training.layer_lr_decay must be in \(0, 1\], not 0"),
        ("training.warmup_ratio=2.0", r"training.warmup_ratio must be in \[0, 1\), not 2.0"),
        ("training.warmup_ratio=1", r"training.warmup_ratio must be in \[0, 1\), not 1.0"),
        ("training.label_smoothing=1.5", r"training.label_smoothing must be in \[0, 1\), not 1.5"),
        ("training.weight_decay=-1", r"training.weight_decay must be zero or more, not -1"),
        ("training.sentiment_loss_weight=-1", r"training.sentiment_loss_weight must be zero or more"),
        ("training.dataloader_num_workers=-2", r"training.dataloader_num_workers must be zero or more, not -2"),
        ("training.logging_steps=0", r"training.logging_steps must be positive, not 0"),
        ("model.dropout=1.5", r"model.dropout must be in \[0, 1\), not 1.5"),
        ("data.max_train_samples=0", r"data.max_train_samples must be positive, not 0"),
        ("data.max_train_samples=-5", r"data.max_train_samples must be positive, not -5"),
        ("training.learning_rate=nan", r"training.learning_rate is nan; expected a finite number"),
        ("training.epochs=.inf", r"training.epochs is inf; expected a finite number"),
        ("training.rdrop_heads=[stanse]", r"training.rdrop_heads must name one or both of stance, sentiment"),
        ("training.rdrop_heads=[stance,stance]", r"training.rdrop_heads must name one or both of stance, sentiment, each once"),
        ("training.rdrop_heads=[]", r"training.rdrop_heads must be a non-empty list"),
    ],
)
def test_settings_out_of_range_are_named(data_dir: Path, override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(data_dir, ""), [override])


@pytest.mark.parametrize(
    "body",
    ["training:\n  epochs: 2\ntraining:\n  seed: 7\n", "training:\n  epochs: 1\n  epochs: 5\n"],
)
def test_a_repeated_key_is_refused_not_silently_overwritten(data_dir: Path, body: str) -> None:
    """YAML itself keeps the last of two equal keys: a second `training:` would drop the first one's settings."""
    with pytest.raises(ConfigError, match=r"config.yaml: line \d+: not valid YAML \(key '(training|epochs)' appears twice"):
        load_config(write_config(data_dir, body))


def test_an_override_error_names_the_override_not_the_config_file(data_dir: Path) -> None:
    config = write_config(data_dir, "")
    with pytest.raises(ConfigError, match=r"^override 'training.epoch=2': unknown key 'training.epoch' \(did you mean"):
        load_config(config, ["training.epoch=2"])
    with pytest.raises(ConfigError, match=r"^override 'training.seed=abc': training.seed"):
        load_config(config, ["training.epochs=2", "training.seed=abc"])
    with pytest.raises(ConfigError, match=r"^override 'labels.stance=\[a, b': the value is not valid YAML \(expected ','"):
        load_config(config, ["labels.stance=[a, b"])


def test_a_mistake_in_the_file_is_named_by_the_file_even_with_overrides(data_dir: Path) -> None:
    config = write_config(data_dir, "training:\n  epochz: 2\n")
    with pytest.raises(ConfigError, match=r"config.yaml: unknown key 'training.epochz'"):
        load_config(config, ["training.seed=3"])


def test_less_than_one_epoch_is_a_valid_run_without_averaging(data_dir: Path) -> None:
    assert load_config(write_config(data_dir, ""), ["training.epochs=0.5"]).training.epochs == 0.5
    with pytest.raises(ConfigError, match=r"average_last_epochs is 2; it must be from 1 to training.epochs \(0.5\)"):
        load_config(write_config(data_dir, ""), ["training.epochs=0.5", "training.average_last_epochs=2"])
