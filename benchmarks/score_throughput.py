"""Sentences per second of `newsstance score`'s scoring path against transformers' text-classification pipeline.

Run: python benchmarks/score_throughput.py --model runs/default [--sentences 2000] [--batch-size 64]

Both sides get the same invented news sentences, the same encoder weights, the same batch size and
the same torch thread count, in this one run. Ours is `model.scoring.score_articles` exactly as the
command calls it (segmentation, length-sorted batches, both heads); the baseline is
`pipeline("text-classification")` over a `BertForSequenceClassification` built from our encoder and
stance head (it pools with [CLS] rather than our mean, so its labels differ; the work is the same).
Each side runs in a fresh process so its peak memory can be read on its own: `peak RSS` is the
process's ru_maxrss (model, libraries and activations, in MiB); `python heap` is tracemalloc's peak
of Python allocations while scoring (tensors allocated by torch in C are not in it).
"""

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import torch

SOURCES = ["the defence ministry", "a military spokesman", "the regional governor", "Col. Idris Mansour",
           "Foreign Minister Elena Varga", "the U.N. monitoring mission", "residents", "an analyst in Geneva"]
PLACES = ["Kerem", "Northport", "the southern front", "Harran", "two villages near the river", "the border crossing"]
EVENTS = ["was shelled overnight", "came under drone attack", "was retaken after heavy fighting",
          "lost power after a strike on a substation", "received its first aid convoy in six weeks"]
CLAIMS = ["the ceasefire would be extended", "talks would resume on Monday", "sanctions take effect next week",
          "3.5 million people remain displaced", "the report was a fabrication", "the U.S. had sent more air defences"]
HEDGES = ["It was not possible to verify the claims independently.", "The figures could not be confirmed.",
          "Officials said the convoy may have been carrying fuel."]
TAILS = ["according to a statement posted on Tuesday", "in remarks broadcast on state television",
         "citing figures from the Red Cross", "though details remain scarce", "as fighting continued elsewhere"]


def invented_sentences(count: int, seed: int = 13) -> list[str]:
    """Short wire lines to long multi-clause paragraphs' sentences, as real articles mix them."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.15:
            sentence = rng.choice(HEDGES)
        elif kind < 0.5:
            sentence = f"{rng.choice(PLACES).capitalize()} {rng.choice(EVENTS)}, {rng.choice(SOURCES)} said."
        else:
            sentence = f"{rng.choice(SOURCES).capitalize()} said {rng.choice(CLAIMS)}"
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                sentence += f", {rng.choice(TAILS)}"
            if rng.random() < 0.3:
                sentence += f", while {rng.choice(PLACES)} {rng.choice(EVENTS)}"
            sentence += "."
        sentences.append(sentence)
    return sentences


def run_ours(model_dir: str, sentences: list[str], batch_size: int, threads: int) -> dict:
    from model import StanceClassifier
    from model.articles import Article
    from model.scoring import score_articles

    torch.set_num_threads(threads)
    classifier = StanceClassifier.from_pretrained(model_dir, device="cpu")
    articles = [Article(f"a{i}", "\n".join(sentences[i : i + 20])) for i in range(0, len(sentences), 20)]
    list(score_articles(classifier, articles[:2], batch_size=batch_size))  # warm-up
    return _timed(lambda: sum(len(a.sentences) for a in score_articles(classifier, articles, batch_size=batch_size)))


def run_pipeline(model_dir: str, sentences: list[str], batch_size: int, threads: int) -> dict:
    from transformers import pipeline

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as directory:
        _save_as_sequence_classifier(model_dir, Path(directory))
        classify = pipeline("text-classification", model=directory, device="cpu")
        classify(sentences[:40], batch_size=batch_size, truncation=True)  # warm-up
        return _timed(lambda: len(classify(sentences, batch_size=batch_size, truncation=True)))


def _save_as_sequence_classifier(model_dir: str, directory: Path) -> None:
    """Our encoder and stance head in transformers' stock classifier, for the stock pipeline."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    from model import NewsStanceModel

    ours = NewsStanceModel.from_pretrained(model_dir)
    config = AutoConfig.for_model(**ours.config.encoder_config().to_dict())
    config.id2label = dict(enumerate(ours.config.stance_labels))
    config.label2id = {label: i for i, label in config.id2label.items()}
    stock = AutoModelForSequenceClassification.from_config(config)
    stock.base_model.load_state_dict(ours.encoder.state_dict())
    stock.classifier.load_state_dict(ours.stance_head.state_dict())
    stock.save_pretrained(directory)
    AutoTokenizer.from_pretrained(model_dir).save_pretrained(directory)


def _timed(work) -> dict:
    tracemalloc.start()
    started = time.perf_counter()
    scored = work()
    seconds = time.perf_counter() - started
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "sentences": scored,
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mib": heap_peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/default", help="trained model directory")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    sentences = invented_sentences(args.sentences)
    lengths = sorted(len(s.split()) for s in sentences)
    print(f"{len(sentences)} sentences, {lengths[0]}-{lengths[-1]} words (median {lengths[len(lengths) // 2]}), "
          f"batch size {args.batch_size}, {args.threads} torch threads, model {args.model}")
    results = {}
    for name, run in (("newsstance score", run_ours), ("transformers pipeline", run_pipeline)):
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as fresh:
            result = fresh.submit(run, args.model, sentences, args.batch_size, args.threads).result()
        if result["sentences"] != len(sentences):
            sys.exit(f"{name} scored {result['sentences']} sentences, expected {len(sentences)}")
        results[name] = result
        print(f"{name:<22} {result['sentences'] / result['seconds']:8.1f} sentences/s  "
              f"({result['seconds']:.2f} s)  peak RSS {result['peak_rss_mib']:7.1f} MiB  "
              f"python heap {result['heap_peak_mib']:6.1f} MiB")
    ours, theirs = results["newsstance score"], results["transformers pipeline"]
    print(f"ratio (ours / pipeline): {theirs['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
