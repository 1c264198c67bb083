"""The model directory's README.md, in the Hugging Face model-card format, rebuilt from the files beside it."""

import json
from pathlib import Path
from typing import Any

import yaml

TRAIN_CONFIG_FILE = "train_config.yaml"
DEV_METRICS_FILE = "dev_metrics.json"
EVALUATIONS_FILE = "evaluations.json"
CALIBRATION_FILE = "calibration.json"


def write_model_card(directory: Path) -> None:
    """Regenerate README.md from config.json, the echoed training config and every recorded evaluation."""
    directory = Path(directory)
    model_config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    train_config = _read_yaml(directory / TRAIN_CONFIG_FILE)
    dev_metrics = _read_json(directory / DEV_METRICS_FILE)
    evaluations = _read_json(directory / EVALUATIONS_FILE)
    calibration = _read_json(directory / CALIBRATION_FILE)
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
        f"sentiment {model_config.get('sentiment_temperature', 1.0):.3f}"
        + _calibration_note(calibration),
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
        "Macro-F1 with its 95% bootstrap interval where `newsstance evaluate` computed one; ECE is the",
        "expected calibration error of the top probability at the model's temperature (lower is better),",
        "with the report's verdict on whether it exceeds what sampling noise explains on that many sentences.",
        "",
        "| data | stance acc | stance macro-F1 | sentiment acc | sentiment macro-F1 | stance ECE | sentiment ECE |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = {"dev split at training time": dev_metrics, **evaluations}
    for name, metrics in rows.items():
        if metrics:
            lines.append(
                f"| {name} | {_fmt(metrics, 'stance_accuracy')} | {_fmt_f1(metrics, 'stance')} "
                f"| {_fmt(metrics, 'sentiment_accuracy')} | {_fmt_f1(metrics, 'sentiment')} "
                f"| {_fmt_ece(metrics, 'stance')} | {_fmt_ece(metrics, 'sentiment')} |"
            )
    lines += _baselines_table(evaluations)
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


def record_evaluation(directory: Path, name: str, metrics: dict[str, Any]) -> None:
    """Keep an evaluation's headline numbers in the model directory and refresh the card."""
    path = Path(directory) / EVALUATIONS_FILE
    evaluations = _read_json(path)
    evaluations[name] = metrics
    path.write_text(json.dumps(evaluations, indent=2) + "\n", encoding="utf-8")
    write_model_card(directory)


def record_calibration(directory: Path, calibration: dict[str, Any]) -> None:
    """Keep where the temperatures came from and what they did to ECE, and refresh the card."""
    path = Path(directory) / CALIBRATION_FILE
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    write_model_card(directory)


def _calibration_note(calibration: dict[str, Any]) -> str:
    """One clause after the temperatures: fitted on which file, and ECE before -> after per head."""
    if not calibration:
        return " (not calibrated)"
    changes = [
        f"{head} ECE {calibration[head]['ece_before']:.3f} -> {calibration[head]['ece_after']:.3f}"
        for head in ("stance", "sentiment")
        if calibration.get(head)
    ]
    rates = calibration.get("word_dropout") or [0.0]
    pooled = f", pooled with word dropout {', '.join(f'{rate:g}' for rate in rates)}" if rates != [0.0] else ""
    return (
        f"; fitted on `{calibration['data']}` ({calibration['rows']} sentences{pooled}): "
        + ", ".join(changes)
        + " (ECE on the unperturbed sentences)"
    )


def _fmt_ece(metrics: dict[str, Any], head: str) -> str:
    verdict = metrics.get(f"{head}_ece_verdict")
    return _fmt(metrics, f"{head}_ece") + (f" ({verdict})" if verdict else "")


def _baselines_table(evaluations: dict[str, Any]) -> list[str]:
    """Macro-F1 of the baselines trained beside each evaluation, so the model's numbers have a yardstick."""
    rows = [
        f"| {name} | {baseline} | {_fmt(scores, 'stance_macro_f1')} | {_fmt(scores, 'sentiment_macro_f1')} |"
        for name, metrics in evaluations.items()
        for baseline, scores in (metrics.get("baselines") or {}).items()
    ]
    if not rows:
        return []
    return [
        "",
        "Baselines trained on the same training file (`newsstance evaluate --baselines`):",
        "",
        "| data | baseline | stance macro-F1 | sentiment macro-F1 |",
        "|---|---|---|---|",
        *rows,
    ]


def _fmt(metrics: dict[str, Any], key: str) -> str:
    value = metrics.get(key)
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def _fmt_f1(metrics: dict[str, Any], head: str) -> str:
    ci = metrics.get(f"{head}_macro_f1_ci")
    return _fmt(metrics, f"{head}_macro_f1") + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _read_yaml(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
