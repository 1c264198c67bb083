"""The model directory's README.md, in the Hugging Face model-card format, rebuilt from the files beside it."""

import json
from pathlib import Path
from typing import Any

import yaml

TRAIN_CONFIG_FILE = "train_config.yaml"
DEV_METRICS_FILE = "dev_metrics.json"
EVALUATIONS_FILE = "evaluations.json"


def write_model_card(directory: Path) -> None:
    """Regenerate README.md from config.json, the echoed training config and every recorded evaluation."""
    directory = Path(directory)
    model_config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    train_config = _read_yaml(directory / TRAIN_CONFIG_FILE)
    dev_metrics = _read_json(directory / DEV_METRICS_FILE)
    evaluations = _read_json(directory / EVALUATIONS_FILE)
    base_model = train_config.get("model", {}).get("base_model", "unknown")
    stance = [model_config["stance_id2label"][k] for k in sorted(model_config["stance_id2label"], key=int)]
    sentiment = [
        model_config["sentiment_id2label"][k] for k in sorted(model_config["sentiment_id2label"], key=int)
    ]
    front_matter = {
        "language": ["en"],
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "base_model": base_model,
        "tags": ["newsstance", "stance-detection", "sentiment-analysis", "news"],
    }
    lines = [
        "---",
        yaml.safe_dump(front_matter, sort_keys=False).strip(),
        "---",
        "",
        "# newsstance sentence classifier",
        "",
        "Labels what each sentence of a news article does (stance) and its sentiment, following the",
        "newsstance annotation guide. One encoder feeds two heads in a single forward pass.",
        "",
        "## Labels",
        "",
        f"- stance: {', '.join(f'`{label}`' for label in stance)}",
        f"- sentiment: {', '.join(f'`{label}`' for label in sentiment)}",
        f"- temperature (calibration): stance {model_config.get('stance_temperature', 1.0):.3f}, "
        f"sentiment {model_config.get('sentiment_temperature', 1.0):.3f}",
        "",
        "## Training",
        "",
        f"- base model: `{base_model}`",
        f"- training data: `{train_config.get('data', {}).get('train', 'unknown')}`, "
        f"dev data: `{train_config.get('data', {}).get('dev', 'unknown')}`",
        f"- full configuration: `{TRAIN_CONFIG_FILE}` in this directory",
        "",
        "## Evaluation",
        "",
        "| data | stance acc | stance macro-F1 | sentiment acc | sentiment macro-F1 |",
        "|---|---|---|---|---|",
    ]
    rows = {"dev split at training time": dev_metrics, **evaluations}
    for name, metrics in rows.items():
        if metrics:
            lines.append(
                f"| {name} | {_fmt(metrics, 'stance_accuracy')} | {_fmt(metrics, 'stance_macro_f1')} "
                f"| {_fmt(metrics, 'sentiment_accuracy')} | {_fmt(metrics, 'sentiment_macro_f1')} |"
            )
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "from model import StanceClassifier",
        "",
        'classifier = StanceClassifier.from_pretrained("path/to/this/directory")',
        'print(classifier.predict(["Officials said the convoy may have been carrying fuel."]))',
        "```",
        "",
    ]
    (directory / "README.md").write_text("\n".join(lines), encoding="utf-8")


def record_evaluation(directory: Path, name: str, metrics: dict[str, float]) -> None:
    """Keep an evaluation's headline numbers in the model directory and refresh the card."""
    path = Path(directory) / EVALUATIONS_FILE
    evaluations = _read_json(path)
    evaluations[name] = metrics
    path.write_text(json.dumps(evaluations, indent=2) + "\n", encoding="utf-8")
    write_model_card(directory)


def _fmt(metrics: dict[str, Any], key: str) -> str:
    value = metrics.get(key)
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _read_yaml(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
