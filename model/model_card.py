"""The model directory's README.md, in the Hugging Face model-card format, rebuilt from the files beside it.

What `eval` hands over to be kept in a model directory arrives as typed records (`EvaluationHeadline`,
`CalibrationRecord`); they are stored as JSON beside the weights, and every update of a finished
directory (its card included) lands as one atomic change.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.labels import HEADS
from model.storage import (
    CALIBRATION_FILE,
    CARD_FILE,
    CONFIG_FILE,
    DEV_METRICS_FILE,
    EVALUATIONS_FILE,
    TRAIN_CONFIG_FILE,
    update_model_dir,
)


@dataclass(frozen=True)
class HeadHeadline:
    """One head's headline numbers in one evaluation."""

    accuracy: float
    macro_f1: float
    macro_f1_ci: list[float] | None
    ece: float
    ece_verdict: str


@dataclass(frozen=True)
class EvaluationHeadline:
    """The few numbers the model card keeps for one evaluation (`newsstance evaluate`)."""

    rows: int
    stance: HeadHeadline | None
    sentiment: HeadHeadline | None
    baselines: dict[str, dict[str, float]] = field(default_factory=dict)  # name -> {"stance_macro_f1": ...}

    def to_json(self) -> dict[str, Any]:
        """Flat keys (`stance_macro_f1`, ...), as `dev_metrics.json` has them, so the card reads both alike."""
        numbers: dict[str, Any] = {"rows": self.rows}
        for head in HEADS:
            scores = getattr(self, head)
            if scores is None:
                continue
            for key, value in asdict(scores).items():
                if value is not None:
                    numbers[f"{head}_{key}"] = value
        if self.baselines:
            numbers["baselines"] = self.baselines
        return numbers


@dataclass(frozen=True)
class HeadCalibration:
    """One head's fitted temperature and what it did, on the unperturbed sentences."""

    rows: int
    accuracy_at_word_dropout: dict[str, float]
    temperature: float
    ece_before: float
    ece_after: float
    nll_before: float
    nll_after: float
    problem: str | None = None  # why this temperature calibrates nothing (too few or too easy rows), if it does not


@dataclass(frozen=True)
class CalibrationRecord:
    """Where a model's temperatures came from (`newsstance calibrate`), kept as calibration.json."""

    data: str
    rows: int
    ece_bins: int
    word_dropout: list[float]
    stance: HeadCalibration | None
    sentiment: HeadCalibration | None

    def temperatures(self) -> dict[str, float]:
        return {head: getattr(self, head).temperature for head in HEADS if getattr(self, head) is not None}


def record_evaluation(directory: Path, name: str, headline: EvaluationHeadline) -> None:
    """Keep an evaluation's headline numbers in the model directory and refresh the card, in one change."""
    directory = Path(directory)
    evaluations = _read_json(directory / EVALUATIONS_FILE)
    evaluations[name] = headline.to_json()
    files = {EVALUATIONS_FILE: json.dumps(evaluations, indent=2) + "\n"}
    update_model_dir(directory, {**files, CARD_FILE: render_model_card(directory, files)})


def record_calibration(directory: Path, calibration: CalibrationRecord) -> None:
    """Write the temperatures into config.json, keep calibration.json and refresh the card, in one change."""
    directory = Path(directory)
    config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
    for head, temperature in calibration.temperatures().items():
        config[f"{head}_temperature"] = temperature
    files = {
        CONFIG_FILE: json.dumps(config, indent=2, sort_keys=True) + "\n",
        CALIBRATION_FILE: json.dumps(asdict(calibration), indent=2) + "\n",
    }
    update_model_dir(directory, {**files, CARD_FILE: render_model_card(directory, files)})


def write_model_card(directory: Path) -> None:
    """Write README.md into a directory being built (training, export); finished ones use the record_* calls."""
    (Path(directory) / CARD_FILE).write_text(render_model_card(directory), encoding="utf-8")


def render_model_card(directory: Path, pending: dict[str, str] | None = None) -> str:
    """The card from config.json, the echoed training config and every recorded evaluation.

    `pending` holds file contents about to replace those on disk, so the card describes the new state.
    """
    directory = Path(directory)
    pending = pending or {}

    def text(name: str) -> str | None:
        if name in pending:
            return pending[name]
        path = directory / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    model_config = json.loads(text(CONFIG_FILE))
    train_config = yaml.safe_load(text(TRAIN_CONFIG_FILE) or "") or {}
    dev_metrics = json.loads(text(DEV_METRICS_FILE) or "{}")
    evaluations = json.loads(text(EVALUATIONS_FILE) or "{}")
    calibration = json.loads(text(CALIBRATION_FILE) or "{}")
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
        *_origin_lines(train_config),
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
    return "\n".join(lines)


def _calibration_note(calibration: dict[str, Any]) -> str:
    """One clause after the temperatures: fitted on which file, and ECE before -> after per head."""
    if not calibration:
        return " (not calibrated)"
    changes = [
        f"{head} ECE {calibration[head]['ece_before']:.3f} -> {calibration[head]['ece_after']:.3f}"
        for head in HEADS
        if calibration.get(head)
    ]
    rates = calibration.get("word_dropout") or [0.0]
    pooled = f", pooled with word dropout {', '.join(f'{rate:g}' for rate in rates)}" if rates != [0.0] else ""
    problems = [f"; the {head} fit calibrates nothing: {calibration[head]['problem']}"
                for head in HEADS if (calibration.get(head) or {}).get("problem")]
    return (
        f"; fitted on `{calibration['data']}` ({calibration['rows']} sentences{pooled}): "
        + ", ".join(changes)
        + " (ECE on the unperturbed sentences)"
        + "".join(problems)
    )


def _origin_lines(train_config: dict[str, Any]) -> list[str]:
    """Where an adapted model started, and which earlier corpus was replayed into its training."""
    lines = []
    init_from = (train_config.get("model") or {}).get("init_from")
    if init_from:
        lines.append(f"- started from the trained model `{init_from}` (its encoder and heads), not the base encoder")
    data = train_config.get("data") or {}
    if data.get("replay"):
        lines.append(f"- replayed `{data['replay']}` at {data.get('replay_ratio', 1.0):g} rows per training row")
    return lines


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

