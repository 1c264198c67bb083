"""Two launched CPU processes give the same rows as one process, in input order.

`accelerate launch --cpu` starts a single process unless MPI is set up, so two gloo processes on a
machine without a GPU come from accelerate's torchrun launcher (`--multi_gpu`); the command sees no
GPU and joins them over the CPU.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsstance.cli import main

ARTICLES = [
    "The ministry said talks would resume on Monday. A spokesman denied the report.",
    "Two villages were shelled overnight, the governor said.",
    "Officials said the convoy may have been carrying fuel. It was not possible to verify the claims. More later.",
    "The bridge was built in 1962.\r\nIt carries most of the region's freight.",
    "Col. Mansour rejected the accusation. «Rien», a-t-il dit.",
]


SPY = """
import sys
import model.articles.sharding
import newsstance.cli

real = model.articles.sharding.score_across_processes
RANKS = sys.argv.pop(1)


def spied(processes, *args, **kwargs):
    with open(RANKS, "a") as ranks:
        ranks.write(f"{processes.process_index}/{processes.num_processes}\\n")
    return real(processes, *args, **kwargs)


model.articles.run.score_across_processes = spied
sys.exit(newsstance.cli.main())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is not on PATH")
def test_two_cpu_processes_match_one(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    for index, text in enumerate(ARTICLES):
        (tmp_path / f"article{index}.txt").write_text(text, encoding="utf-8", newline="")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"j{i}", "text": t}) + "\n" for i, t in enumerate(ARTICLES)))
    inputs = [str(tmp_path / f"article{index}.txt") for index in range(len(ARTICLES))] + [str(jsonl)]

    assert main(["score", *inputs, "--model", str(tiny_model_dir), "--device", "cpu"]) == 0
    single = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    output, summary, ranks = tmp_path / "sharded.jsonl", tmp_path / "summary.json", tmp_path / "ranks.txt"
    spy = tmp_path / "spy.py"
    spy.write_text("import model.articles.run\n" + SPY, encoding="utf-8")
    launched = subprocess.run(
        [
            "accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
            "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
            str(spy), str(ranks), "score", *inputs, "--model", str(tiny_model_dir),
            "--output", str(output), "--summary", str(summary),
        ],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert sorted(ranks.read_text().split()) == ["0/2", "1/2"]
    sharded = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]

    assert len(sharded) == len(single)
    for ours, theirs in zip(sharded, single):
        for key in ("stance_probs", "sentiment_probs"):
            assert ours.pop(key) == pytest.approx(theirs.pop(key), abs=1e-5)
        for key in ("stance_prob", "sentiment_prob"):
            assert ours.pop(key) == pytest.approx(theirs.pop(key), abs=1e-5)
        assert ours == theirs
    assert json.loads(summary.read_text())["total"]["articles"] == 2 * len(ARTICLES)
    assert not list(tmp_path.glob(".newsstance-shards-*"))
