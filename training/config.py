"""Read a training YAML into typed sections and refuse bad keys, types and paths before any work."""

import dataclasses
import difflib
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from eval.word_dropout import DEFAULT_RATES, is_rate
from model.device import DEVICE_CHOICES, check_device_name
from model.errors import NewsStanceError
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS, HEADS
from training.base_model import DEFAULT_BASE_MODEL


class ConfigError(NewsStanceError):
    pass


@dataclass
class ModelSection:
    base_model: str = DEFAULT_BASE_MODEL
    max_length: int = 128
    dropout: float = 0.1
    init_from: str | None = None  # a trained newsstance model directory to start from (encoder and heads)


@dataclass
class LabelsSection:
    stance: list[str] = field(default_factory=lambda: list(DEFAULT_STANCE_LABELS))
    sentiment: list[str] = field(default_factory=lambda: list(DEFAULT_SENTIMENT_LABELS))


@dataclass
class DataSection:
    train: str = "data/train.jsonl"
    dev: str = "data/dev.jsonl"
    max_train_samples: int | None = None  # take the first N rows: for smoke runs
    replay: str | None = None  # rows of an earlier training file mixed in, so adapting does not unlearn it
    replay_ratio: float = 1.0  # replay rows per training row (sampled once, with the seed)


@dataclass
class TrainingSection:
    output_dir: str = "runs/default"
    epochs: float = 3.0
    batch_size: int = 32
    eval_batch_size: int = 128
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    gradient_accumulation_steps: int = 1
    sentiment_loss_weight: float = 1.0
    label_smoothing: float = 0.0
    rdrop_alpha: float = 0.0  # R-Drop: weight of the agreement between two dropout passes (doubles the compute)
    rdrop_heads: list[str] = field(default_factory=lambda: list(HEADS))  # the heads it applies to
    dropout_samples: int = 1  # multi-sample dropout: masks drawn on the pooled embedding per row, losses averaged
    seed: int = 42
    device: str = "auto"  # auto, cpu, cuda or cuda:N
    bf16: Literal["auto", True, False] = "auto"
    logging_steps: int = 25
    dataloader_num_workers: int = 0
    average_last_epochs: int = 1  # >1: the model is the mean of the last N epoch checkpoints, not the best one
    layer_lr_decay: float = 1.0  # each encoder layer below the top learns at this factor of the one above


@dataclass
class CalibrationSection:
    """After training, fit the temperatures on data.dev (as `newsstance calibrate` does)."""

    enabled: bool = True
    word_dropout: list[float] = field(default_factory=lambda: list(DEFAULT_RATES))


@dataclass
class DistillSection:
    """Learn also from a teacher model's calibrated probabilities (`newsstance teach` writes the file)."""

    teacher: str | None = None  # JSONL: {"text", "stance_probs", "sentiment_probs"} per training sentence
    weight: float = 0.5  # weight of the KL term, added to each head's loss
    temperature: float = 2.0  # softens teacher and student alike (the term is scaled by T^2)
    transfer: bool = False  # also train on teacher sentences no training row has, taught by the teacher alone
    heads: list[str] = field(default_factory=lambda: ["stance", "sentiment"])  # distil only where the teacher is better


@dataclass
class TrainConfig:
    model: ModelSection = field(default_factory=ModelSection)
    labels: LabelsSection = field(default_factory=LabelsSection)
    data: DataSection = field(default_factory=DataSection)
    training: TrainingSection = field(default_factory=TrainingSection)
    calibration: CalibrationSection = field(default_factory=CalibrationSection)
    distill: DistillSection = field(default_factory=DistillSection)


def load_config(path: str | Path, overrides: list[str] = ()) -> TrainConfig:
    """Parse, apply `section.key=value` overrides, validate, and check the data files exist."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}:{where} not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    config = _build(TrainConfig, raw, prefix="", source=path)
    for override in overrides:  # each one is checked as it lands, so an error names the override, not the file
        _apply_override(raw, override)
        config = _build(TrainConfig, raw, prefix="", source=f"override {override!r}")
    _check_semantics(config, f"{path} (with {' '.join(overrides)})" if overrides else path)
    return config


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; a repeated section would silently drop the first one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def _apply_override(raw: dict[str, Any], override: str) -> None:
    key, sep, value = override.partition("=")
    if not sep or "." not in key:
        raise ConfigError(f"override {override!r}: expected section.key=value, e.g. training.epochs=1")
    section, name = key.split(".", 1)
    target = raw.setdefault(section, {})
    if not isinstance(target, dict):
        raise ConfigError(f"override {override!r}: section {section!r} must be a mapping")
    try:
        target[name] = yaml.safe_load(value)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"override {override!r}: the value is not valid YAML ({problem})") from None


def _build(cls: type, raw: Any, prefix: str, source: str | Path) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'top level'} must be a mapping")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    values = {}
    for key, value in raw.items():
        if key not in names:
            guess = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{prefix}{guess[0]}'?)" if guess else f" (known: {', '.join(names)})"
            raise ConfigError(f"{source}: unknown key '{prefix}{key}'{hint}")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            values[key] = _build(hint, value, f"{prefix}{key}.", source)
        else:
            values[key] = _coerce(value, hint, f"{prefix}{key}", source)
    return cls(**values)


def _coerce(value: Any, hint: Any, key: str, source: str | Path) -> Any:
    """Accept a value of the declared type; YAML reads `5e-5` as a string, so numbers get one parse."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        choices = typing.get_args(hint)
        if value in choices and type(value) in {type(c) for c in choices if c == value}:
            return value
        raise ConfigError(f"{source}: {key} is {value!r}; expected one of {', '.join(map(str, choices))}")
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(option for option in options if option is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{source}: {key} must be a non-empty list")
        return [_coerce(v, item, f"{key}[{i}]", source) for i, v in enumerate(value)]
    if hint is float and isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if hint is float and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{source}: {key} is {value}; expected a finite number")
    if isinstance(value, hint) and not (hint is not bool and isinstance(value, bool)):
        return value
    raise ConfigError(f"{source}: {key} is {value!r} ({type(value).__name__}); expected {hint.__name__}")


def _check_semantics(config: TrainConfig, source: str | Path) -> None:
    for name in ("stance", "sentiment"):
        labels = getattr(config.labels, name)
        if len(set(labels)) != len(labels) or len(labels) < 2:
            raise ConfigError(f"{source}: labels.{name} needs at least two distinct labels")
    model, data, training, distill = config.model, config.data, config.training, config.distill
    ranges = [  # (key, value, allowed, the rule as the error states it)
        ("model.max_length", model.max_length, lambda v: v > 0, "must be positive"),
        ("model.dropout", model.dropout, lambda v: 0 <= v < 1, "must be in [0, 1)"),
        ("data.max_train_samples", data.max_train_samples, lambda v: v is None or v > 0, "must be positive"),
        ("data.replay_ratio", data.replay_ratio, lambda v: v >= 0, "must be zero or more"),
        ("training.epochs", training.epochs, lambda v: v > 0, "must be positive"),
        ("training.batch_size", training.batch_size, lambda v: v > 0, "must be positive"),
        ("training.eval_batch_size", training.eval_batch_size, lambda v: v > 0, "must be positive"),
        ("training.learning_rate", training.learning_rate, lambda v: v > 0, "must be positive"),
        ("training.weight_decay", training.weight_decay, lambda v: v >= 0, "must be zero or more"),
        # transformers reads a warm-up of 1 or more as a step count, so a full warm-up would be one step
        ("training.warmup_ratio", training.warmup_ratio, lambda v: 0 <= v < 1, "must be in [0, 1)"),
        ("training.gradient_accumulation_steps", training.gradient_accumulation_steps, lambda v: v > 0,
         "must be positive"),
        ("training.sentiment_loss_weight", training.sentiment_loss_weight, lambda v: v >= 0, "must be zero or more"),
        ("training.label_smoothing", training.label_smoothing, lambda v: 0 <= v < 1, "must be in [0, 1)"),
        ("training.rdrop_alpha", training.rdrop_alpha, lambda v: v >= 0, "must be zero or more"),
        ("training.dropout_samples", training.dropout_samples, lambda v: v >= 1, "must be 1 or more"),
        ("training.logging_steps", training.logging_steps, lambda v: v > 0, "must be positive"),
        ("training.dataloader_num_workers", training.dataloader_num_workers, lambda v: v >= 0,
         "must be zero or more"),
        ("training.layer_lr_decay", training.layer_lr_decay, lambda v: 0 < v <= 1, "must be in (0, 1]"),
        ("distill.weight", distill.weight, lambda v: v >= 0, "must be zero or more"),
        ("distill.temperature", distill.temperature, lambda v: v > 0, "must be positive"),
    ]
    for key, value, allowed, rule in ranges:
        if not allowed(value):
            raise ConfigError(f"{source}: {key} {rule}, not {value}")
    for i, rate in enumerate(config.calibration.word_dropout):
        if not is_rate(rate):
            raise ConfigError(f"{source}: calibration.word_dropout[{i}] is {rate}; each rate must be in [0, 1)")
    try:
        check_device_name(config.training.device)
    except NewsStanceError:
        raise ConfigError(
            f"{source}: training.device is {config.training.device!r}; expected one of {', '.join(DEVICE_CHOICES)}"
        ) from None
    for key in ("train", "dev", "replay"):
        value = getattr(config.data, key)
        if value is not None and not Path(value).is_file():
            raise ConfigError(f"{source}: data.{key} file not found: {value}")
    average = config.training.average_last_epochs
    if average < 1 or (average > 1 and average > config.training.epochs):  # 1 is no averaging: any epochs do
        raise ConfigError(
            f"{source}: training.average_last_epochs is {average}; it must be from 1 to training.epochs "
            f"({config.training.epochs:g})"
        )
    if config.distill.teacher is not None and not Path(config.distill.teacher).is_file():
        raise ConfigError(f"{source}: distill.teacher file not found: {config.distill.teacher}")
    if config.distill.transfer and config.distill.teacher is None:
        raise ConfigError(f"{source}: distill.transfer needs distill.teacher, the file whose sentences it trains on")
    for key, heads in (("distill.heads", config.distill.heads), ("training.rdrop_heads", config.training.rdrop_heads)):
        if not heads or not set(heads) <= set(HEADS) or len(set(heads)) != len(heads):
            raise ConfigError(f"{source}: {key} must name one or both of stance, sentiment, each once")
    if config.model.init_from is not None and not Path(config.model.init_from).is_dir():
        raise ConfigError(f"{source}: model.init_from directory not found: {config.model.init_from}")
