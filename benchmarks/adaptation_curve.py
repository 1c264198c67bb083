"""How many labels of a user's own news buy how much: adapt the default model to real news, fold by fold.

    python benchmarks/adaptation_curve.py --model runs/default [--folds 3] [--sizes 50,100,all]
        [--strategies random,entropy,diverse] [--seeds 42,1,2] [--replay-ratio 1.0]

Simulates an analyst with `../shared/data/dev.jsonl` (real news): its articles are split into folds;
for each fold, sentences of the other folds are the analyst's pool. For each selection strategy
(`newsstance suggest --by entropy|margin|diverse`, or random) and each budget, the picked sentences
(with their gold labels) adapt the default model (`model.init_from`, with `data.replay` of the
corpus), and the adapted model labels the held-out fold and the corpus test split. Held-out
predictions are pooled over the folds, so every real-news sentence is scored by a model that never
saw it. Prints stance and sentiment macro-F1 (mean and spread over seeds) against the default model.

This is the one place where models train on the shared dev file: they are throwaway, scored only on
folds they did not see, and nothing they learn is kept.
"""

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import REPO, SHARED_DEV  # noqa: E402


def article_folds(rows: list[dict], folds: int) -> list[list[dict]]:
    """Whole articles per fold, assigned by a hash of the article id so the split never depends on order."""
    parts: list[list[dict]] = [[] for _ in range(folds)]
    articles = sorted({row["article_id"] for row in rows}, key=lambda a: hashlib.sha256(a.encode()).hexdigest())
    fold_of = {article: i % folds for i, article in enumerate(articles)}
    for row in rows:
        parts[fold_of[row["article_id"]]].append(row)
    return parts


def pick(strategy: str, pool: list[dict], size: int, classifier, seed: int) -> list[dict]:  # noqa: ANN001
    import random

    from model.suggest import PoolSentence, suggest

    if size >= len(pool):
        return list(pool)
    if strategy == "random":
        return random.Random(seed).sample(pool, size)
    by_text = {row["text"]: row for row in pool}
    sentences = (PoolSentence(row["text"], row["id"]) for row in pool)
    return [by_text[s.text] for s in suggest(classifier, sentences, size, strategy)]


def adapt(model: Path, picked: list[dict], seed: int, args: argparse.Namespace, scratch: Path) -> Path:
    from training.config import load_config
    from training.train import train

    dev_file = scratch / "dev.jsonl"  # checkpoint selection on a slice of the corpus dev split: cheap, and never real news
    dev_lines = (REPO / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    dev_file.write_text("\n".join(dev_lines[: args.dev_rows]) + "\n", encoding="utf-8")
    train_file = scratch / "picked.jsonl"
    train_file.write_text("".join(json.dumps({k: row[k] for k in ("text", "stance", "sentiment")}) + "\n" for row in picked))
    output = scratch / "adapted"
    config = load_config(REPO / "configs" / "default.yaml", [
        f"model.init_from={model}", f"data.train={train_file}", f"data.dev={dev_file}",
        f"data.replay={REPO / 'data' / 'train.jsonl'}", f"data.replay_ratio={args.replay_ratio}",
        f"training.output_dir={output}", f"training.seed={seed}", f"training.epochs={args.epochs}",
        f"training.learning_rate={args.learning_rate}", "training.logging_steps=1000", "calibration.enabled=false",
    ])
    train(config, overwrite=True)
    return output


def labels_of(model_dir: Path, texts: list[str]) -> tuple[list[str], list[str]]:
    from model import StanceClassifier

    predictions = StanceClassifier.from_pretrained(model_dir).predict(texts)
    return [p.stance for p in predictions], [p.sentiment for p in predictions]


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    return float(f1_score(gold, predicted, average="macro", zero_division=0))


def mean_and_spread(values: list[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {spread:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="the default model to adapt")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--sizes", default="50,100,all", help="labels per adaptation; 'all' is the whole pool")
    parser.add_argument("--strategies", default="random,entropy,diverse")
    parser.add_argument("--seeds", default="42,1,2")
    parser.add_argument("--replay-ratio", type=float, default=1.0)
    parser.add_argument("--epochs", type=float, default=3)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--dev-rows", type=int, default=300, help="corpus dev rows that pick each run's best epoch")
    parser.add_argument("--output", type=Path, help="also write every run's numbers as JSON here")
    args = parser.parse_args()
    if not SHARED_DEV.is_file():
        raise SystemExit(f"{SHARED_DEV} is absent: this benchmark needs the real-news file beside the checkout")

    import transformers

    from model import StanceClassifier

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    rows = [json.loads(line) for line in SHARED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    test = [json.loads(line) for line in (REPO / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    folds = article_folds(rows, args.folds)
    seeds = [int(s) for s in args.seeds.split(",")]
    strategies = args.strategies.split(",")
    pool_sizes = [sum(len(f) for j, f in enumerate(folds) if j != i) for i in range(len(folds))]
    sizes = [min(pool_sizes) if s == "all" else int(s) for s in args.sizes.split(",")]
    classifier = StanceClassifier.from_pretrained(args.model)

    base_real = [labels_of(args.model, [r["text"] for r in fold]) for fold in folds]
    gold = {h: [r[h] for fold in folds for r in fold] for h in ("stance", "sentiment")}
    base = {
        "real_stance": macro_f1(gold["stance"], [p for b in base_real for p in b[0]]),
        "real_sentiment": macro_f1(gold["sentiment"], [p for b in base_real for p in b[1]]),
    }
    test_stance, test_sentiment = labels_of(args.model, [r["text"] for r in test])
    base["test_stance"] = macro_f1([r["stance"] for r in test], test_stance)
    base["test_sentiment"] = macro_f1([r["sentiment"] for r in test], test_sentiment)
    print(f"folds: {[len(f) for f in folds]} sentences; pools {pool_sizes}; sizes {sizes}; seeds {seeds}")
    print(f"default model: real-news stance {base['real_stance']:.3f}, sentiment {base['real_sentiment']:.3f}; "
          f"corpus test stance {base['test_stance']:.3f}, sentiment {base['test_sentiment']:.3f}")
    runs = []
    for size in sizes:
        for strategy in (["all"] if size >= min(pool_sizes) else strategies):
            for seed in seeds:
                started = time.perf_counter()
                predicted = {"stance": [], "sentiment": []}
                test_scores = {"stance": [], "sentiment": []}
                for i, fold in enumerate(folds):
                    pool = [row for j, other in enumerate(folds) if j != i for row in other]
                    picked = pick("random" if strategy == "all" else strategy, pool, size, classifier, seed)
                    with tempfile.TemporaryDirectory() as scratch:
                        adapted = adapt(args.model, picked, seed, args, Path(scratch))
                        stance, sentiment = labels_of(adapted, [r["text"] for r in fold])
                        predicted["stance"] += stance
                        predicted["sentiment"] += sentiment
                        t_stance, t_sentiment = labels_of(adapted, [r["text"] for r in test])
                    test_scores["stance"].append(macro_f1([r["stance"] for r in test], t_stance))
                    test_scores["sentiment"].append(macro_f1([r["sentiment"] for r in test], t_sentiment))
                run = {
                    "size": size, "strategy": strategy, "seed": seed,
                    "real_stance": macro_f1(gold["stance"], predicted["stance"]),
                    "real_sentiment": macro_f1(gold["sentiment"], predicted["sentiment"]),
                    "test_stance": statistics.mean(test_scores["stance"]),
                    "test_sentiment": statistics.mean(test_scores["sentiment"]),
                    "seconds": time.perf_counter() - started,
                }
                runs.append(run)
                print(json.dumps(run), flush=True)
    print()
    print(f"{'labels':>6} {'strategy':<9} {'real stance':>18} {'vs default':>11} "
          f"{'real sentiment':>18} {'test stance':>18} {'vs default':>11}")
    for size in sizes:
        for strategy in (["all"] if size >= min(pool_sizes) else strategies):
            cell = [r for r in runs if r["size"] == size and r["strategy"] == strategy]
            stat = {key: mean_and_spread([r[key] for r in cell]) for key in ("real_stance", "real_sentiment", "test_stance")}
            gain = statistics.mean(r["real_stance"] for r in cell) - base["real_stance"]
            loss = statistics.mean(r["test_stance"] for r in cell) - base["test_stance"]
            print(f"{size:>6} {strategy:<9} {stat['real_stance']:>18} {gain:>+11.3f} {stat['real_sentiment']:>18} "
                  f"{stat['test_stance']:>18} {loss:>+11.3f}")
    if args.output:
        args.output.write_text(json.dumps({"default": base, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
