"""Turn an evaluation into files a person reads: metrics.json, errors.jsonl, report.md and the plots."""

import json
from pathlib import Path
from typing import Any

from eval.bootstrap import CONFIDENCE
from eval.evaluate import Evaluation
from eval.plots import confusion_matrix_png, reliability_png
from model.labels import HEADS
from model.storage import write_file_atomically

MISTAKES_IN_REPORT = 10
REPORT_FILES = ("metrics.json", "errors.jsonl", "report.md")  # beside the confusion and reliability PNGs


def write_report(evaluation: Evaluation, output_dir: Path) -> None:
    """Everything goes in one directory, named so several evaluations of one model sit side by side."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    metrics = evaluation.metrics
    write_file_atomically(output_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n", "--output")
    errors = "".join(json.dumps(error, ensure_ascii=False) + "\n" for error in evaluation.errors)
    write_file_atomically(output_dir / "errors.jsonl", errors, "--output")
    for head in HEADS:
        if metrics[head] is not None:
            confusion_matrix_png(
                metrics[head]["confusion_matrix"],
                f"{head}: confusion matrix",
                output_dir / f"confusion_{head}.png",
            )
            reliability_png(
                metrics[head]["calibration"], f"{head}: reliability", output_dir / f"reliability_{head}.png"
            )
    write_file_atomically(output_dir / "report.md", render_markdown(evaluation), "--output")


def summary_table(metrics: dict[str, Any]) -> str:
    """Plain-text table for the terminal: one line per system."""
    titles = ["stance acc", "stance macro-F1 [95% CI]", "sent. acc", "sent. macro-F1 [95% CI]"]
    systems = _systems(metrics)
    width = max(14, *(len(name) for name in systems))
    header = f"{'system':<{width}} {titles[0]:>10} {titles[1]:>26} {titles[2]:>10} {titles[3]:>26}"
    lines = [header, "-" * len(header)]
    for name, per_head in systems.items():
        cells = _system_cells(per_head)
        lines.append(f"{name:<{width}} {cells[0]:>10} {cells[1]:>26} {cells[2]:>10} {cells[3]:>26}")
    for head in HEADS:
        if metrics[head] is not None:
            calibration = metrics[head]["calibration"]
            lines.append(
                f"{head} ECE: {calibration['ece_uncalibrated']:.3f} at T=1, "
                f"{calibration['ece']:.3f} at the model's T={calibration['temperature']:.3f} "
                f"(a calibrated model would show {calibration['ece_if_calibrated']['mean']:.3f} here: "
                f"{calibration['verdict']})"
            )
    return "\n".join(lines)


def render_markdown(evaluation: Evaluation) -> str:
    """Sections in the order a reviewer asks: how good, compared with what, where wrong, how trustworthy."""
    metrics = evaluation.metrics
    lines = [
        "# Evaluation report",
        "",
        f"- model: `{metrics['model']}`",
        f"- data: `{metrics['data']}` ({metrics['rows']} sentences)",
        (
            f"- baselines trained on: `{metrics['train']}`"
            if metrics["train"]
            else "- baselines: not run (use `--baselines --train FILE`)"
        ),
        _bootstrap_line(metrics),
        *(f"- **warning**: {warning}" for warning in training_overlap_warnings(metrics)),
        "- how to read this report: `eval/README.md` in the newsstance repository",
        "",
        "## Summary",
        "",
        "| system | stance acc | stance macro-F1 [95% CI] | sentiment acc | sentiment macro-F1 [95% CI] |",
        "|---|---|---|---|---|",
    ]
    for name, per_head in _systems(metrics).items():
        lines.append(f"| {name} | " + " | ".join(_system_cells(per_head)) + " |")
    lines += _differences(metrics)
    for head in HEADS:
        lines += _head_section(head, metrics[head])
    lines += _calibration_section(metrics)
    lines += _mistakes_section(evaluation.errors)
    return "\n".join(lines) + "\n"


def training_overlap_warnings(metrics: dict[str, Any]) -> list[str]:
    """One sentence per training-time file that shares sentences with the evaluated data."""
    roles = {"data.train": "the model was trained on them", "data.dev": "they picked the model's checkpoint"}
    warnings = []
    for key, seen in (metrics.get("seen_in_training") or {}).items():
        if seen.get("shared"):
            warnings.append(
                f"{seen['shared']} of the {metrics['rows']} sentences are in `{seen['path']}` ({key}): "
                f"{roles.get(key, 'the model saw them')}, so the scores are optimistic"
            )
        elif seen.get("why_unchecked"):
            hint = (  # a path relative to where training ran, read from somewhere else
                "; run evaluate from the directory the model was trained in to check for overlap"
                if seen["why_unchecked"].endswith("file not found") else ""
            )
            warnings.append(f"could not check the sentences against `{seen['path']}` ({key}): {seen['why_unchecked']}{hint}")
    return warnings


def _systems(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    systems: dict[str, dict[str, Any]] = {"model": {}}
    for head in HEADS:
        if metrics[head] is None:
            continue
        systems["model"][head] = metrics[head]
        for name, scores in metrics[head]["baselines"].items():
            systems.setdefault(name, {})[head] = scores
    return systems


def _system_cells(per_head: dict[str, Any]) -> list[str]:
    """Accuracy and macro-F1 with CI for each head, '-' where the system has no score for it."""
    cells = []
    for head in HEADS:
        scores = per_head.get(head)
        cells += ["-", "-"] if scores is None else [f"{scores['accuracy']:.3f}", _f1_with_ci(scores)]
    return cells


def _f1_with_ci(scores: dict[str, Any]) -> str:
    return _with_ci(scores["macro_f1"], scores["macro_f1_ci"])


def _with_ci(value: float, ci: list[float] | None) -> str:
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def _bootstrap_line(metrics: dict[str, Any]) -> str:
    bootstrap = metrics["bootstrap"]
    if not bootstrap["resamples"]:
        return "- confidence intervals: not computed (`--bootstrap 0`)"
    return (
        f"- confidence intervals: {bootstrap['confidence']:.0%} percentile bootstrap over sentences, "
        f"{bootstrap['resamples']} resamples, seed {bootstrap['seed']}"
    )


def _differences(metrics: dict[str, Any]) -> list[str]:
    rows = []
    for head in HEADS:
        for name, scores in ((metrics[head] or {}).get("baselines") or {}).items():
            difference = scores["model_minus_baseline"]
            ci = difference["ci"]
            ci_text = f"[{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else "-"
            rows.append(f"| {head} | {name} | {difference['macro_f1']:+.3f} | {ci_text} | {_verdict(ci)} |")
    if not rows:
        return []
    return [
        "",
        "Model minus each other system (baselines, and models given to `--compare`), macro-F1, paired "
        "bootstrap (same resampled sentences for both systems):",
        "",
        "| head | other system | difference | 95% CI | verdict |",
        "|---|---|---|---|---|",
        *rows,
    ]


def _verdict(ci: list[float] | None) -> str:
    """A difference counts only when its whole interval lies on one side of zero."""
    if not ci:
        return "-"
    if ci[0] > 0:
        return "model better"
    return "other system better" if ci[1] < 0 else "no clear difference"


def _head_section(head: str, scores: dict[str, Any] | None) -> list[str]:
    title = head.capitalize()
    if scores is None:
        return ["", f"## {title}", "", f"No row of the data file has a {head} label."]
    lines = [
        "",
        f"## {title}",
        "",
        f"{scores['rows']} sentences; accuracy {scores['accuracy']:.3f}, macro-F1 {_f1_with_ci(scores)}.",
        "",
        "| label | precision | recall | F1 [95% CI] | support |",
        "|---|---|---|---|---|",
    ]
    for label, row in scores["per_class"].items():
        f1 = _with_ci(row["f1"], row.get("f1_ci"))
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {f1} | {row['support']} |")
    confusion = scores["confusion_matrix"]
    lines += [
        "",
        "Confusion matrix (rows: gold, columns: predicted):",
        "",
        "| gold \\ predicted | " + " | ".join(confusion["labels"]) + " |",
        "|---" * (len(confusion["labels"]) + 1) + "|",
    ]
    for label, counts in zip(confusion["labels"], confusion["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(count) for count in counts) + " |")
    lines += ["", f"![{head} confusion matrix](confusion_{head}.png)"]
    return lines


def _calibration_section(metrics: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Calibration",
        "",
        f"Expected calibration error over {metrics['ece_bins']} equal-width bins of the top probability "
        "(0 is perfect; lower is better).",
        "",
        "The last two columns answer whether the ECE is more than sampling noise: a perfectly calibrated "
        "model with the same confidences, scored on this many sentences, would show the ECE in the "
        f"'calibrated model' column ({CONFIDENCE:.0%} of draws fall below the second number). "
        "Only an ECE above that is evidence of miscalibration.",
        "",
        "| head | temperature | ECE at T=1 | ECE at model's T | mean confidence | accuracy "
        "| calibrated model: mean ECE (95% below) | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for head in HEADS:
        if metrics[head] is not None:
            calibration = metrics[head]["calibration"]
            values = [calibration[key] for key in ("temperature", "ece_uncalibrated", "ece", "mean_confidence")]
            values.append(metrics[head]["accuracy"])
            noise = calibration["ece_if_calibrated"]
            cells = [f"{value:.3f}" for value in values]
            cells += [f"{noise['mean']:.3f} ({noise['upper']:.3f})", calibration["verdict"]]
            lines.append(f"| {head} | " + " | ".join(cells) + " |")
    if metrics["temperature_fitted_on"] == str(Path(metrics["data"]).resolve()):
        lines += [
            "",
            "The temperatures were fitted on this same file, so the ECE at the model's T is optimistic; "
            "judge calibration on data the fit did not see.",
        ]
    lines.append("")
    lines += [
        f"![{head} reliability diagram](reliability_{head}.png)"
        for head in HEADS
        if metrics[head] is not None
    ]
    return lines


def _mistakes_section(errors: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Most confident mistakes",
        "",
        f"The {min(MISTAKES_IN_REPORT, len(errors))} most confident of {len(errors)} mistakes; all are in `errors.jsonl`.",
        "",
        "| confidence | head | gold | predicted | line | sentence |",
        "|---|---|---|---|---|---|",
    ]
    for error in errors[:MISTAKES_IN_REPORT]:
        text = error["text"].replace("|", "\\|").replace("\n", " ")
        cells = [
            f"{error['confidence']:.3f}",
            *(str(error[key]) for key in ("head", "gold", "predicted", "line")),
        ]
        lines.append("| " + " | ".join([*cells, text]) + " |")
    return lines
