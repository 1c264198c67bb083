"""Quality of a config as the mean over its training seeds, with an interval, on a labelled file.

    python benchmarks/seed_mean.py --data ../shared/data/dev.jsonl --models runs/s42 runs/s1 runs/s2
        [--compare runs/other-s42 runs/other-s1 runs/other-s2]

One seed's macro-F1 moves by a few points, so a config is judged by the mean over seeds. The
interval is a paired bootstrap over sentences of that mean (every resample scores all the seed
models on the same sentences); the spread (sd) across seeds is printed beside it, then each label's
F1 averaged over the seeds, which says whether a head's mean moved on a large class or on a handful
of sentences of a rare one. With --compare, the same for a second config and the paired difference
of the two means.
"""

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

RESAMPLES = 1000


def predictions(models: list[Path], texts: list[str]) -> list[dict[str, list[str]]]:
    from model import StanceClassifier

    found = []
    for model in models:
        predicted = StanceClassifier.from_pretrained(model).predict(texts)
        found.append({"stance": [p.stance for p in predicted], "sentiment": [p.sentiment for p in predicted]})
    return found


def mean_f1(gold: np.ndarray, systems: list[np.ndarray], rows: np.ndarray) -> float:
    return float(np.mean([f1_score(gold[rows], system[rows], average="macro", zero_division=0) for system in systems]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--models", required=True, nargs="+", type=Path, help="one model directory per seed")
    parser.add_argument("--compare", nargs="+", type=Path, default=[], help="another config's seed models")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [row["text"] for row in rows]
    ours, theirs = predictions(args.models, texts), predictions(args.compare, texts)
    for head in ("stance", "sentiment"):
        keep = np.array([i for i, row in enumerate(rows) if row.get(head) is not None])
        gold = np.array([rows[i][head] for i in keep])
        index = np.arange(len(keep))
        resampled = np.random.default_rng(0).integers(0, len(keep), size=(RESAMPLES, len(keep)))
        for name, systems_raw in (("models", ours), ("compare", theirs)):
            if not systems_raw:
                continue
            systems = [np.array(system[head])[keep] for system in systems_raw]
            per_seed = [f1_score(gold, s, average="macro", zero_division=0) for s in systems]
            samples = [mean_f1(gold, systems, r) for r in resampled]
            low, high = np.percentile(samples, [2.5, 97.5])
            spread = statistics.stdev(per_seed) if len(per_seed) > 1 else 0.0
            print(f"{head} {name}: mean macro-F1 {mean_f1(gold, systems, index):.3f} [{low:.3f}, {high:.3f}] "
                  f"(seeds {', '.join(f'{v:.3f}' for v in per_seed)}; sd {spread:.3f})")
            labels = sorted(set(gold))
            per_label = np.mean([f1_score(gold, s, labels=labels, average=None, zero_division=0) for s in systems], axis=0)
            print(f"{head} {name}: per label, mean F1 over seeds: "
                  + ", ".join(f"{label} {value:.3f} ({int((gold == label).sum())})" for label, value in zip(labels, per_label)))
        if theirs:
            a = [np.array(s[head])[keep] for s in ours]
            b = [np.array(s[head])[keep] for s in theirs]
            diffs = [mean_f1(gold, a, r) - mean_f1(gold, b, r) for r in resampled]
            low, high = np.percentile(diffs, [2.5, 97.5])
            print(f"{head} models - compare: {mean_f1(gold, a, index) - mean_f1(gold, b, index):+.3f} [{low:+.3f}, {high:+.3f}]")


if __name__ == "__main__":
    main()
