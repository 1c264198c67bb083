"""Fine-tune the two-headed model with transformers.Trainer and write a finished model directory."""

import dataclasses
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import yaml
from sklearn.metrics import accuracy_score, f1_score
from torch import nn
from transformers import (
    AutoTokenizer,
    DataCollatorWithPadding,
    EvalPrediction,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint

from eval.calibrate import calibrate
from eval.labelled import check_disjoint, read_labelled
from model.configuration import NewsStanceConfig
from model.device import resolve_device
from model.errors import NewsStanceError
from model.labels import HEADS
from model.model_card import write_model_card
from model.modeling import IGNORE_INDEX, NewsStanceModel
from model.storage import (
    DEV_METRICS_FILE,
    ONNX_FILE,
    TRAIN_CONFIG_FILE,
    check_model_dir,
    check_model_output,
    read_train_config,
    same_path,
    write_atomically,
)
from training.averaging import load_average
from training.base_model import resolve_base_model
from training.config import TrainConfig, config_to_dict
from training.data import to_dataset, transfer_rows
from training.distill import read_teacher_file

CHECKPOINTS = "checkpoints"
BEST_METRIC = "stance_macro_f1"
METRIC_NAMES = ("stance_accuracy", "stance_macro_f1", "sentiment_accuracy", "sentiment_macro_f1")
# settings that change how a run is watched or where it runs, not the weights it makes: --resume may change them
RESUMABLE_CHANGES = (
    "training.output_dir", "training.eval_batch_size", "training.device", "training.bf16",
    "training.logging_steps", "training.dataloader_num_workers", "calibration.",
)
PATH_SETTINGS = ("data.train", "data.dev", "data.replay", "distill.teacher", "model.init_from", "model.base_model")


class RecordConfigInCheckpoints(TrainerCallback):
    """Each checkpoint carries the config that made it, so `--resume` can refuse to continue it under another."""

    def __init__(self, config_yaml: str) -> None:
        self.config_yaml = config_yaml

    def on_save(self, args, state, control, **kwargs):  # noqa: ANN001, ANN003, ANN201 (the TrainerCallback hook)
        if state.is_world_process_zero:
            checkpoint = Path(args.output_dir) / f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
            (checkpoint / TRAIN_CONFIG_FILE).write_text(self.config_yaml, encoding="utf-8")


def train(
    config: TrainConfig,
    resume: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
    overwrite: bool = False,
    keep: Sequence[tuple[str, str | Path]] = (),
) -> dict[str, float | str]:
    """Validate data, fine-tune, keep the best checkpoint by dev stance macro-F1 (or the mean of the last
    `training.average_last_epochs`), save it atomically,
    then fit the temperatures on the dev file so `predict` returns calibrated probabilities.

    The output directory may hold a previous newsstance model (replaced whole) or this run's own
    checkpoints; any other non-empty directory is refused unless `overwrite`. Neither may it be or hold
    the run's inputs, nor the caller's other files in `keep` ((what, path): the config file).
    """
    config, _ = with_start_models_encoder(config)  # the command line shows the note
    labels = config.labels
    train_rows = read_labelled(config.data.train, labels.stance, labels.sentiment)
    dev_rows = read_labelled(config.data.dev, labels.stance, labels.sentiment)
    check_disjoint(Path(config.data.train), train_rows, Path(config.data.dev), dev_rows)
    if config.data.max_train_samples:
        train_rows = train_rows[: config.data.max_train_samples]
    replay_rows = _replay_rows(config, len(train_rows), dev_rows)
    device = resolve_device(config.training.device)
    bf16 = _use_bf16(config.training.bf16, device)
    output_dir = Path(config.training.output_dir)
    checkpoint_dir = output_dir / CHECKPOINTS
    inputs = [*_inputs(config), *keep]
    check_model_output(output_dir, overwrite, inputs, own_entries=frozenset({CHECKPOINTS}))  # before hours of training
    last_checkpoint = _last_checkpoint(checkpoint_dir) if resume else None
    if resume and last_checkpoint is None:
        raise NewsStanceError(f"--resume: no checkpoint in {checkpoint_dir} to resume from")
    if resume:
        _check_same_run(config, last_checkpoint)

    set_seed(config.training.seed)
    model, tokenizer = _starting_model(config)
    _check_max_length(config, model, tokenizer)
    tokenizer.model_max_length = config.model.max_length
    config_yaml = yaml.safe_dump(config_to_dict(config), sort_keys=False)
    teacher = read_teacher_file(Path(config.distill.teacher), labels.stance, labels.sentiment) if config.distill.teacher else None
    transfer: list[dict[str, Any]] = []
    if teacher is not None and config.distill.transfer:
        transfer = transfer_rows(teacher, train_rows + replay_rows, dev_rows, str(config.distill.teacher), str(config.data.dev))
    train_set = _tokenize(to_dataset(train_rows + replay_rows + transfer, labels.stance, labels.sentiment, teacher), tokenizer)
    dev_set = _tokenize(to_dataset(dev_rows, labels.stance, labels.sentiment), tokenizer)

    trainer = Trainer(
        model=model,
        args=_training_arguments(config, checkpoint_dir, device, bf16),
        train_dataset=train_set,
        eval_dataset=dev_set,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
        callbacks=[RecordConfigInCheckpoints(config_yaml), *callbacks],
        optimizers=(_layerwise_optimizer(model, config), None),
    )
    outcome = trainer.train(resume_from_checkpoint=str(last_checkpoint) if last_checkpoint else None)
    if config.training.average_last_epochs > 1:
        load_average(trainer.model, checkpoint_dir, config.training.average_last_epochs)
    metrics = {
        key.removeprefix("eval_"): value
        for key, value in trainer.evaluate().items()
        if key.removeprefix("eval_") in METRIC_NAMES
    }
    metrics["train_rows"] = len(train_rows)
    if replay_rows:
        metrics["replay_rows"] = len(replay_rows)
    if transfer:
        metrics["transfer_rows"] = len(transfer)
    metrics["train_samples_per_second"] = outcome.metrics["train_samples_per_second"]
    metrics["dev_rows"] = len(dev_rows)

    def write(directory: Path) -> None:
        trainer.model.save_pretrained(directory)
        tokenizer.save_pretrained(directory)
        (directory / TRAIN_CONFIG_FILE).write_text(config_yaml, encoding="utf-8")
        (directory / DEV_METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        write_model_card(directory)

    # Under torchrun/accelerate every process gets here with the same weights; one writes, the rest wait,
    # so the directory is never renamed by two processes at once.
    if trainer.is_world_process_zero():
        write_atomically(output_dir, write)
        if config.calibration.enabled:
            calibration = calibrate(
                output_dir, Path(config.data.dev), device=str(device), word_dropout=config.calibration.word_dropout
            )
            for head in HEADS:
                fitted = getattr(calibration, head)
                if fitted is None:
                    continue
                metrics[f"{head}_temperature"] = fitted.temperature
                if fitted.problem:
                    metrics[f"{head}_calibration_problem"] = fitted.problem
    trainer.accelerator.wait_for_everyone()
    return metrics


def _layerwise_optimizer(model: NewsStanceModel, config: TrainConfig) -> torch.optim.Optimizer | None:
    """AdamW with layer-wise learning-rate decay (`training.layer_lr_decay` < 1), else None for the Trainer's own.

    The heads and the top encoder layer learn at the full rate, each layer below at `decay` times the
    one above, the embeddings lowest: the pretrained lower layers, which carry what transfers to
    unseen text, move least.
    """
    decay = config.training.layer_lr_decay
    if decay >= 1.0:
        return None
    layers = max((_layer_index(name) for name, _ in model.named_parameters()), default=-1) + 1
    groups: dict[tuple[float, float], list[torch.nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        if not name.startswith("encoder."):
            depth = 0  # the heads
        elif _layer_index(name) >= 0:
            depth = layers - _layer_index(name) - 1
        else:
            depth = layers if "embeddings" in name else 0  # pooler and other top-level encoder parts learn fully
        weight_decay = 0.0 if parameter.ndim == 1 else config.training.weight_decay  # no decay on biases, norms
        groups.setdefault((config.training.learning_rate * decay**depth, weight_decay), []).append(parameter)
    return torch.optim.AdamW(
        [{"params": params, "lr": lr, "weight_decay": wd} for (lr, wd), params in groups.items()],
        lr=config.training.learning_rate,
    )


def _layer_index(name: str) -> int:
    """The encoder layer a parameter belongs to (`encoder.encoder.layer.3.…` -> 3), or -1."""
    match = re.search(r"\.layer\.(\d+)\.", name)
    return int(match.group(1)) if match else -1


def _starting_model(config: TrainConfig) -> tuple[NewsStanceModel, Any]:
    """A fresh model on the pretrained encoder, or a trained newsstance model to adapt (`model.init_from`)."""
    labels = config.labels
    settings = {
        "classifier_dropout": config.model.dropout,
        "sentiment_loss_weight": config.training.sentiment_loss_weight,
        "label_smoothing": config.training.label_smoothing,
        "rdrop_alpha": config.training.rdrop_alpha,
        "rdrop_heads": config.training.rdrop_heads,
        "dropout_samples": config.training.dropout_samples,
        "distill_weight": config.distill.weight if config.distill.teacher else 0.0,
        "distill_temperature": config.distill.temperature,
        "distill_heads": config.distill.heads,
    }
    if config.model.init_from is None:
        base_model, local = resolve_base_model(config.model.base_model)
        tokenizer = _load(AutoTokenizer.from_pretrained, base_model, local, config.model.base_model)
        model = _load(
            NewsStanceModel.from_encoder,
            base_model,
            local,
            config.model.base_model,
            stance_labels=labels.stance,
            sentiment_labels=labels.sentiment,
            **settings,
        )
        return model, tokenizer
    start = Path(config.model.init_from)
    check_model_dir(start)
    if (start / ONNX_FILE).is_file():
        raise NewsStanceError(f"model.init_from {start} is an exported ONNX model; start from the PyTorch directory")
    trained = NewsStanceConfig.from_pretrained(start)
    for head in HEADS:
        theirs, ours = getattr(trained, f"{head}_labels"), getattr(labels, head)
        if theirs != ours:
            raise NewsStanceError(
                f"model.init_from {start}: its {head} labels ({', '.join(theirs)}) differ from labels.{head} "
                f"({', '.join(ours)}); adapt with the same label set, in the same order"
            )
    model = NewsStanceModel.from_pretrained(start)
    for key, value in settings.items():
        setattr(model.config, key, value)
    model.dropout.p = config.model.dropout
    model.config.stance_temperature = model.config.sentiment_temperature = 1.0  # refitted after training
    return model, AutoTokenizer.from_pretrained(start)


def with_start_models_encoder(config: TrainConfig) -> tuple[TrainConfig, str | None]:
    """With `model.init_from`, the encoder is the start model's: the config to record, and a note if it changed.

    Otherwise the new model's card and train_config.yaml would name an encoder it does not have.
    """
    if config.model.init_from is None:
        return config, None
    start = Path(config.model.init_from)
    check_model_dir(start)
    recorded = (read_train_config(start).get("model") or {}).get("base_model")
    base_model = recorded or NewsStanceConfig.from_pretrained(start).encoder.get("_name_or_path")
    if not base_model or base_model == config.model.base_model:
        return config, None
    note = (
        f"model.base_model {config.model.base_model} is not used: model.init_from {start} was trained "
        f"from {base_model}, and its encoder is kept"
    )
    return dataclasses.replace(config, model=dataclasses.replace(config.model, base_model=base_model)), note


def _replay_rows(config: TrainConfig, train_count: int, dev_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`data.replay_ratio` rows of the replay file per training row, drawn once with the run's seed."""
    if config.data.replay is None or config.data.replay_ratio == 0:
        return []
    labels = config.labels
    pool = read_labelled(config.data.replay, labels.stance, labels.sentiment)
    check_disjoint(Path(config.data.replay), pool, Path(config.data.dev), dev_rows)
    wanted = round(config.data.replay_ratio * train_count)
    rng = random.Random(config.training.seed)
    whole, rest = divmod(wanted, len(pool))
    return pool * whole + rng.sample(pool, rest)


def compute_metrics(prediction: EvalPrediction) -> dict[str, float]:
    """Dev metrics for checkpoint selection; sentiment is scored only where the row has a label."""
    stance_logits, sentiment_logits = prediction.predictions[:2]
    stance_true, sentiment_true = prediction.label_ids
    stance_pred = stance_logits.argmax(-1)
    labelled = sentiment_true != IGNORE_INDEX
    sentiment_pred = sentiment_logits.argmax(-1)[labelled]
    sentiment_true = sentiment_true[labelled]
    return {
        "stance_accuracy": float(accuracy_score(stance_true, stance_pred)),
        "stance_macro_f1": float(f1_score(stance_true, stance_pred, average="macro", zero_division=0)),
        "sentiment_accuracy": float(accuracy_score(sentiment_true, sentiment_pred)) if labelled.any() else 0.0,
        "sentiment_macro_f1": float(f1_score(sentiment_true, sentiment_pred, average="macro", zero_division=0))
        if labelled.any()
        else 0.0,
    }


def _training_arguments(
    config: TrainConfig, checkpoint_dir: Path, device: torch.device, bf16: bool
) -> TrainingArguments:
    settings = config.training
    return TrainingArguments(
        output_dir=str(checkpoint_dir),
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.eval_batch_size,
        learning_rate=settings.learning_rate,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_ratio,
        gradient_accumulation_steps=settings.gradient_accumulation_steps,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2 if settings.average_last_epochs == 1 else settings.average_last_epochs + 1,  # + the best
        load_best_model_at_end=settings.average_last_epochs == 1,
        metric_for_best_model=BEST_METRIC,
        greater_is_better=True,
        label_names=["stance_labels", "sentiment_labels"],
        train_sampling_strategy="group_by_length",
        logging_steps=settings.logging_steps,
        seed=settings.seed,
        data_seed=settings.seed,
        use_cpu=device.type == "cpu",
        bf16=bf16,
        dataloader_pin_memory=device.type == "cuda",
        dataloader_num_workers=settings.dataloader_num_workers,
        report_to="none",
        save_only_model=False,
    )


def _tokenize(dataset: Any, tokenizer: Any) -> Any:
    return dataset.map(
        lambda batch: tokenizer(batch["text"], truncation=True),
        batched=True,
        remove_columns=["text"],
        desc="Tokenizing",
    )


def _use_bf16(setting: str | bool, device: torch.device) -> bool:
    supported = device.type == "cuda" and torch.cuda.is_bf16_supported()
    if setting is True and not supported:
        raise NewsStanceError(
            "training.bf16 is true but this device has no bf16 support; set training.bf16: auto or false"
        )
    return supported if setting == "auto" else bool(setting)


def _last_checkpoint(checkpoint_dir: Path) -> Path | None:
    if not checkpoint_dir.is_dir():
        return None
    found = get_last_checkpoint(str(checkpoint_dir))
    if not found:
        return None
    missing = [name for name in ("trainer_state.json", "model.safetensors") if not (Path(found) / name).is_file()]
    if missing:
        raise NewsStanceError(
            f"--resume: the last checkpoint {found} is incomplete (no {', '.join(missing)}); "
            "delete it to resume from the one before, or train afresh without --resume"
        )
    return Path(found)


def _inputs(config: TrainConfig) -> list[tuple[str, str | None]]:
    """The files a run reads that it cannot make again, which its output directory must not swallow.

    Adapting a model in place (`model.init_from` is the output) is allowed: the start model is read
    into memory before the directory is replaced, and replacing it is what was asked.
    """
    init_from = config.model.init_from
    adapting_in_place = init_from is not None and same_path(Path(init_from), Path(config.training.output_dir))
    local_encoder = init_from is None and Path(config.model.base_model).expanduser().is_dir()  # resolve_base_model's rule
    return [
        ("data.train", config.data.train),
        ("data.dev", config.data.dev),
        ("data.replay", config.data.replay),
        ("distill.teacher", config.distill.teacher),
        ("model.init_from", None if adapting_in_place else init_from),
        ("model.base_model", str(Path(config.model.base_model).expanduser()) if local_encoder else None),
    ]


def _check_same_run(config: TrainConfig, checkpoint: Path) -> None:
    """--resume continues the interrupted run; under a changed config the card would describe training that did not happen."""
    saved = checkpoint / TRAIN_CONFIG_FILE
    if not saved.is_file():
        return  # a checkpoint from before checkpoints carried their config
    try:
        loaded = read_train_config(checkpoint)  # {} when the file holds no mapping
    except (yaml.YAMLError, UnicodeDecodeError):
        loaded = {}
    if not loaded:
        raise NewsStanceError(
            f"--resume: {saved} is not a readable config; delete {checkpoint.name} to resume from the one before"
        )
    before, now = _comparable(loaded), _comparable(config_to_dict(config))
    changed = [
        f"{key} ({now[key]!r}, was {before[key]!r})"
        for key in sorted(before.keys() & now.keys())  # a key one version lacks is not a change
        if before[key] != now[key]
    ]
    if changed:
        raise NewsStanceError(
            f"--resume: the config differs from the interrupted run's in {'; '.join(changed)}; "
            "resume with the same settings, or train afresh without --resume"
        )


def _comparable(config: dict[str, Any]) -> dict[str, Any]:
    """The settings that shape the weights, paths resolved so `./data/x` and `data/x` agree."""
    flat = {key: value for key, value in _flatten(config).items() if not key.startswith(RESUMABLE_CHANGES)}
    for key in PATH_SETTINGS:
        if isinstance(flat.get(key), str) and Path(flat[key]).expanduser().exists():
            flat[key] = str(Path(flat[key]).expanduser().resolve())
    return flat


def _flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _check_max_length(config: TrainConfig, model: NewsStanceModel, tokenizer: Any) -> None:
    """A limit past the encoder's position table trains, then crashes on the first long sentence scored."""
    limits = [_position_limit(model.encoder)]
    if config.model.init_from is None and tokenizer.model_max_length < 1_000_000:  # a saved model's is our own setting
        limits.append(tokenizer.model_max_length)  # transformers' "no limit" is a huge number
    known = [limit for limit in limits if limit is not None]
    if known and config.model.max_length > min(known):
        raise NewsStanceError(
            f"model.max_length is {config.model.max_length}, but the encoder {config.model.base_model} reads at "
            f"most {min(known)} tokens; set model.max_length to {min(known)} or less"
        )


def _position_limit(encoder: nn.Module) -> int | None:
    """Tokens a learned position table holds: RoBERTa-style tables spend padding_idx + 1 rows; None without one."""
    table = getattr(getattr(encoder, "embeddings", None), "position_embeddings", None)
    if not isinstance(table, nn.Embedding):
        return None
    return table.num_embeddings - (table.padding_idx + 1 if table.padding_idx is not None else 0)


def _load(loader: Any, base_model: str, local: bool, configured: str, **kwargs: Any) -> Any:
    """Loading errors from transformers become one line naming the configured base_model."""
    try:
        return loader(base_model, local_files_only=local, **kwargs)
    except (OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NewsStanceError(f"model.base_model {configured!r} could not be loaded: {first_line}") from None

