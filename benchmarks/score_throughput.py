"""Sentences per second of `newsstance score`'s scoring path against transformers' text-classification pipeline.

    python benchmarks/score_throughput.py --model runs/default [--sentences 2000] [--batch-size 64]

Same sentences (the corpus's held-out splits, grouped into articles of paragraphs), same weights,
same batch size, same torch threads, one run. Ours is `model.articles.scoring.score_articles` exactly as the
command calls it: sentence segmentation, length-sorted batches, both heads, rows with offsets. The
peer is `pipeline("text-classification")` over the same model's stance head, given the sentences
already split. Each side runs in a fresh process; peak RSS is that process's high-water mark.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus_sentences, run_isolated, stance_pipeline, timed  # noqa: E402

SENTENCES_PER_PARAGRAPH = 3
PARAGRAPHS_PER_ARTICLE = 5


def as_articles(sentences: list[str]) -> list[str]:
    paragraphs = [
        " ".join(sentences[i : i + SENTENCES_PER_PARAGRAPH])
        for i in range(0, len(sentences), SENTENCES_PER_PARAGRAPH)
    ]
    return [
        "\n\n".join(paragraphs[i : i + PARAGRAPHS_PER_ARTICLE])
        for i in range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE)
    ]


def run_ours(model_dir: str, sentences: list[str], batch_size: int, threads: int) -> dict[str, Any]:
    from model import StanceClassifier
    from model.articles.inputs import Article
    from model.articles.scoring import score_articles

    torch.set_num_threads(threads)
    classifier = StanceClassifier.from_pretrained(model_dir, device="cpu")
    articles = [Article(f"a{i}", text) for i, text in enumerate(as_articles(sentences))]
    list(score_articles(classifier, articles[:2], batch_size=batch_size))  # warm-up
    scored, seconds = timed(
        lambda: sum(len(a.sentences) for a in score_articles(classifier, articles, batch_size=batch_size))
    )
    return {"sentences": scored, "seconds": seconds}


def run_pipeline(model_dir: str, sentences: list[str], batch_size: int, threads: int) -> dict[str, Any]:
    torch.set_num_threads(threads)
    classify = stance_pipeline(Path(model_dir), batch_size)
    classify(sentences[:batch_size])  # warm-up
    scored, seconds = timed(lambda: len(classify(sentences)))
    return {"sentences": scored, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/default", help="trained model directory")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    sentences = corpus_sentences(args.sentences)
    print(f"{len(sentences)} corpus sentences in {len(as_articles(sentences))} articles, batch size "
          f"{args.batch_size}, {args.threads} torch threads, model {args.model}")
    results = {}
    for name, run in (("newsstance score", run_ours), ("transformers pipeline", run_pipeline)):
        result = run_isolated(run, args.model, sentences, args.batch_size, args.threads)
        results[name] = result
        rate = result["sentences"] / result["seconds"]
        print(f"{name:<22} {rate:8.1f} sentences/s  ({result['sentences']} sentences in "
              f"{result['seconds']:.2f} s)  peak RSS {result['peak_rss_mb']:7.1f} MiB")
    ours, peer = (r["sentences"] / r["seconds"] for r in results.values())
    print(f"ratio (ours / pipeline): {ours / peer:.2f}x")


if __name__ == "__main__":
    main()
