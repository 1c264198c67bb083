"""CPU inference: the transformers pipeline (peer) against our PyTorch, ONNX fp32 and ONNX int8 paths.

Same sentences, same machine, same run; each path runs in its own process so its peak memory is
its own. Prints sentences/s, the ratio to the pipeline, achieved GFLOP/s of the encoder next to this
machine's fp32 GEMM ceiling, peak RSS, and stance macro-F1 on ../shared/data/dev.jsonl.

    python benchmarks/cpu_inference.py --model runs/default --threads 2
"""

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    corpus_sentences,
    encoder_flops,
    labelled_dev,
    peak_matmul_gflops,
    run_isolated,
    stance_pipeline,
    timed,
)

from model import StanceClassifier  # noqa: E402


def measure(kind: str, model_dir: str, texts: list[str], batch_size: int, threads: int) -> dict[str, Any]:
    torch.set_num_threads(threads)
    if kind == "pipeline":
        run = stance_pipeline(Path(model_dir), batch_size)
    else:
        classifier = StanceClassifier.from_pretrained(model_dir, device="cpu")
        labels = classifier.stance_labels

        def run(batch: list[str]) -> list[str]:
            probs = classifier.predict_proba(batch, batch_size=batch_size)["stance"]
            return [labels[i] for i in probs.argmax(axis=1)]

    run(texts[:batch_size])  # warm-up: first-call allocations and graph optimisation
    _, seconds = timed(lambda: run(texts))
    result: dict[str, Any] = {"sentences_per_s": len(texts) / seconds}
    dev = labelled_dev()
    if dev is not None:
        predicted = run(dev[0])
        result["dev_macro_f1"] = f1_score(dev[1], predicted, average="macro")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/default", help="trained PyTorch model directory")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from model.onnx.export import export_onnx

    texts = corpus_sentences(args.sentences)
    reference = StanceClassifier.from_pretrained(args.model, device="cpu")
    lengths = [len(ids) for ids in reference.tokenizer(texts, truncation=True)["input_ids"]]
    gflop = encoder_flops(reference.model.encoder.config, lengths) / 1e9
    ceiling = peak_matmul_gflops(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        paths = {
            "transformers pipeline (peer)": ("pipeline", args.model),
            "newsstance PyTorch": ("ours", args.model),
            "newsstance ONNX fp32": ("ours", str(export_onnx(Path(args.model), Path(scratch, "fp32")))),
            "newsstance ONNX int8": (
                "ours", str(export_onnx(Path(args.model), Path(scratch, "int8"), quantize="int8"))
            ),
        }
        results = {
            name: run_isolated(measure, kind, path, texts, args.batch_size, args.threads)
            for name, (kind, path) in paths.items()
        }

    peer = results["transformers pipeline (peer)"]["sentences_per_s"]
    print(f"{len(texts)} sentences ({sum(lengths) / len(lengths):.1f} tokens on average), batch size "
          f"{args.batch_size}, {args.threads} threads; encoder work {gflop / len(texts) * 1e3:.2f} MFLOP/sentence; "
          f"fp32 GEMM ceiling here {ceiling:.1f} GFLOP/s")
    print(f"{'path':30} {'sent/s':>8} {'x peer':>7} {'GFLOP/s':>8} {'peak MB':>8} {'dev F1':>7}")
    for name, result in results.items():
        rate = result["sentences_per_s"]
        f1 = f"{result['dev_macro_f1']:.3f}" if "dev_macro_f1" in result else "n/a"
        print(f"{name:30} {rate:8.1f} {rate / peer:7.2f} {gflop / len(texts) * rate:8.1f} "
              f"{result['peak_rss_mb']:8.0f} {f1:>7}")
    if labelled_dev() is None:
        print("dev F1 n/a: ../shared/data/dev.jsonl is not beside this checkout")


if __name__ == "__main__":
    main()
