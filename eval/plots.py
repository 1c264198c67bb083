"""The report's pictures: confusion matrices and reliability diagrams, drawn off-screen as PNG."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402

from model.storage import replace_file_atomically  # noqa: E402


def confusion_matrix_png(confusion: dict[str, Any], title: str, path: Path) -> None:
    """Counts, coloured by share of each gold row so small classes' errors stay visible."""
    matrix = np.array(confusion["matrix"])
    labels = confusion["labels"]
    row_share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = 1.1 * len(labels) + 2.5
    figure, axes = plt.subplots(figsize=(size, size * 0.85))
    display = ConfusionMatrixDisplay(row_share, display_labels=labels)
    display.plot(ax=axes, cmap="Blues", xticks_rotation=35, colorbar=False, values_format=".0%")
    for (i, j), text in np.ndenumerate(display.text_):
        text.set_text(f"{matrix[i, j]}\n{row_share[i, j]:.0%}")
        text.set_fontsize(9)
    display.im_.set_clim(0, 1)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title)
    _save(figure, path)


def reliability_png(calibration: dict[str, Any], title: str, path: Path) -> None:
    """Before and after the temperature side by side; bars on the diagonal mean confidence can be trusted."""
    figure, panels = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    sides = [
        ("T = 1 (raw)", calibration["reliability_uncalibrated"], calibration["ece_uncalibrated"]),
        (f"T = {calibration['temperature']:.3f} (model)", calibration["reliability"], calibration["ece"]),
    ]
    for axes, (name, table, ece) in zip(panels, sides):
        edges = np.array(table["edges"])
        width = edges[1] - edges[0]
        filled = [i for i, count in enumerate(table["counts"]) if count]
        accuracy = [table["accuracy"][i] for i in filled]
        confidence = [table["confidence"][i] for i in filled]
        axes.bar(
            edges[filled],
            accuracy,
            width=width,
            align="edge",
            color="tab:blue",
            edgecolor="white",
            label="accuracy",
        )
        axes.bar(
            edges[filled],
            np.array(confidence) - np.array(accuracy),
            bottom=accuracy,
            width=width,
            align="edge",
            fill=False,
            hatch="//",
            edgecolor="tab:red",
            label="gap to mean confidence",
        )
        axes.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
        for i in filled:
            axes.text(
                edges[i] + width / 2, 0.02, str(table["counts"][i]), ha="center", fontsize=7, color="black"
            )
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_xlabel("confidence (top probability)")
        axes.set_title(f"{name}: ECE {ece:.3f}")
    noise = calibration.get("ece_if_calibrated")
    if noise:  # how large the right panel's ECE would be for a perfectly calibrated model, from sampling alone
        panels[1].set_title(
            f"{panels[1].get_title()}\n(calibrated model: {noise['mean']:.3f}; {calibration['verdict']})", fontsize=10
        )
    panels[0].set_ylabel("accuracy")
    panels[0].legend(loc="upper left", fontsize=8)
    figure.suptitle(f"{title} (numbers in bars: sentences per bin)")
    _save(figure, path)


def _save(figure: plt.Figure, path: Path) -> None:
    """Rendered beside `path` and renamed into place, so an interrupted report never holds half an image."""
    figure.tight_layout()
    try:
        replace_file_atomically(path, lambda staging: figure.savefig(staging, dpi=120, format="png"))
    finally:
        plt.close(figure)
