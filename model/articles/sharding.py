"""Share one scoring run between `accelerate launch` processes and merge their output in input order.

Process r scores items r, r + n, r + 2n, ... (round-robin keeps long and short stretches of input
spread evenly) and writes its results to a shard file; after all are done the main process reads the
shards back round-robin, which restores input order exactly. Shards live in a scratch directory that
every process must see: beside `--output` when one is given, else the system temp directory (for
several machines, give an `--output` on a shared file system).
"""

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Any

import torch
from accelerate import PartialState
from accelerate.utils import broadcast_object_list

from model.articles.inputs import Article, InputProblem
from model.articles.scoring import ScoredArticle, ScoredSentence
from model.classifier import Prediction

Scored = ScoredArticle | InputProblem


def launched_processes(requested_device: str) -> PartialState | None:
    """The process group when started by a launcher with more than one process, else None.

    accelerate joins CPU processes (gloo) only when told to use the CPU, so it is told whenever the
    user asked for the CPU or there is no GPU to share.
    """
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    return PartialState(cpu=requested_device == "cpu" or not torch.cuda.is_available())


def process_device(processes: PartialState | None, requested: str) -> str:
    """Under a launcher each process takes the device it was given, unless the user named one."""
    if processes is None or requested != "auto":
        return requested
    return "cpu" if processes.device.type == "cpu" else str(processes.device)


def score_across_processes(
    processes: PartialState,
    items: Iterable[Article | InputProblem],
    score: Callable[[Iterable[Article | InputProblem]], Iterator[Scored]],
    scratch_parent: Path | None,
) -> Iterator[Scored]:
    """On the main process, every process's results in input order; on the others, nothing."""
    scratch = [None]
    if processes.is_main_process:
        scratch = [tempfile.mkdtemp(prefix=".newsstance-shards-", dir=scratch_parent)]
    broadcast_object_list(scratch)
    scratch_dir = Path(scratch[0])
    rank, world = processes.process_index, processes.num_processes
    with _shard_path(scratch_dir, rank).open("w", encoding="utf-8") as shard:
        for result in score(islice(items, rank, None, world)):
            shard.write(json.dumps(_encode(result), ensure_ascii=False) + "\n")
    processes.wait_for_everyone()
    if not processes.is_main_process:
        return
    try:
        yield from _merge([_shard_path(scratch_dir, index) for index in range(world)])
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)


def _merge(paths: list[Path]) -> Iterator[Scored]:
    """Take one result from each shard in turn, the inverse of the round-robin split."""
    shards = [path.open(encoding="utf-8") for path in paths]
    try:
        while True:
            for shard in shards:
                line = shard.readline()
                if not line:
                    return
                yield _decode(json.loads(line))
    finally:
        for shard in shards:
            shard.close()


def _shard_path(scratch_dir: Path, rank: int) -> Path:
    return scratch_dir / f"rank{rank:05d}.jsonl"


def _encode(result: Scored) -> dict[str, Any]:
    if isinstance(result, InputProblem):
        return {"problem": result.message}
    return asdict(result)


def _decode(record: dict[str, Any]) -> Scored:
    if "problem" in record:
        return InputProblem(record["problem"])
    sentences = [
        ScoredSentence(**{**sentence, "prediction": Prediction(**sentence["prediction"])})
        for sentence in record["sentences"]
    ]
    return ScoredArticle(record["id"], record["text"], sentences)
