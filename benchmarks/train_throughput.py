"""Training throughput: newsstance's Trainer set-up against the transformers text-classification recipe.

The peer is what `run_classification.py` does by default: AutoModelForSequenceClassification on the
same encoder, padding every sentence to max_length, random order. Ours pads each batch to its
longest sentence and groups batches by length. Same data, batch size, steps and machine, one run.
On a CUDA machine both are also run with bf16 autocast.

    python benchmarks/train_throughput.py --config configs/default.yaml --samples 1024
"""

import argparse
import tempfile
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

from eval.labelled import read_labelled  # noqa: E402
from training.base_model import resolve_base_model  # noqa: E402
from training.config import TrainConfig, load_config  # noqa: E402
from training.data import to_dataset  # noqa: E402
from training.train import train  # noqa: E402


def peer_samples_per_second(config: TrainConfig, samples: int, device: str, bf16: bool) -> float:
    base, local = resolve_base_model(config.model.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=local)
    rows = read_labelled(config.data.train, config.labels.stance, config.labels.sentiment)[:samples]
    dataset = to_dataset(rows, config.labels.stance, config.labels.sentiment).rename_column(
        "stance_labels", "labels"
    ).remove_columns("sentiment_labels")
    dataset = dataset.map(
        lambda batch: tokenizer(batch["text"], padding="max_length", truncation=True,
                                max_length=config.model.max_length),
        batched=True, remove_columns=["text"],
    )
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(config.labels.stance), local_files_only=local
    )
    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch, per_device_train_batch_size=config.training.batch_size,
            num_train_epochs=1, learning_rate=config.training.learning_rate, save_strategy="no",
            report_to="none", use_cpu=device == "cpu", bf16=bf16, seed=config.training.seed,
            disable_tqdm=True,
        )
        outcome = Trainer(model=model, args=args, train_dataset=dataset).train()
    return outcome.metrics["train_samples_per_second"]


def ours_samples_per_second(config: TrainConfig, samples: int, device: str, bf16: bool) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        config.data.max_train_samples = samples
        config.training.epochs = 1
        config.training.output_dir = str(Path(scratch, "run"))
        config.training.device = device
        config.training.bf16 = bf16
        config.calibration.enabled = False  # not part of the measurement, and it costs the dev file four times
        return train(config)["train_samples_per_second"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--samples", type=int, default=1024, help="training sentences per measurement")
    args = parser.parse_args()
    settings = [("cpu", False)]
    if torch.cuda.is_available():
        settings += [("cuda", False)] + ([("cuda", True)] if torch.cuda.is_bf16_supported() else [])
    print(f"{'device':6} {'bf16':5} {'peer samples/s':>15} {'ours samples/s':>15} {'ratio':>6}")
    for device, bf16 in settings:
        peer = peer_samples_per_second(load_config(args.config), args.samples, device, bf16)
        ours = ours_samples_per_second(load_config(args.config), args.samples, device, bf16)
        print(f"{device:6} {str(bf16):5} {peer:15.1f} {ours:15.1f} {ours / peer:6.2f}")


if __name__ == "__main__":
    main()
