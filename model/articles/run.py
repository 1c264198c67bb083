"""One `newsstance score` run: read inputs, score them (across processes when launched so), write outputs."""

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import TextIO

from model.articles.html import write_html
from model.articles.inputs import InputProblem, read_inputs, would_be_read_from
from model.articles.options import FORMATS, ScoreOptions
from model.articles.scoring import UNCERTAIN, ScoredArticle, score_articles
from model.articles.sharding import launched_processes, process_device, score_across_processes
from model.articles.writers import Labels, SummaryWriter, write_csv, write_jsonl, write_table
from model.classifier import StanceClassifier
from model.errors import NewsStanceError
from model.storage import check_outputs, output_file

WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "table": write_table, "html": write_html}
assert tuple(WRITERS) == FORMATS, "every output format needs a writer"


def score_paths(options: ScoreOptions, stdout: TextIO, stderr: TextIO) -> int:
    """Score everything that can be read and return how many inputs could not be (for the exit code)."""
    if not 0.0 <= options.min_confidence <= 1.0:
        raise NewsStanceError(f"--min-confidence {options.min_confidence} must be between 0 and 1")
    outputs = [("--output", options.output), ("--summary", options.summary)]
    check_outputs([("PATH", path) for path in options.paths], outputs)
    folders = [Path(path) for path in options.paths if Path(path).is_dir()]
    for option, output in outputs:
        folder = next((f for f in folders if output and would_be_read_from(f, Path(output))), None)
        if folder is not None:
            raise NewsStanceError(
                f"{option} {output} is inside the input folder {folder}: the next run would score it as an article; "
                "write it outside the folder or give it another suffix"
            )
    processes = launched_processes(options.device)
    classifier = StanceClassifier.from_pretrained(options.model, device=process_device(processes, options.device))
    score = partial(
        score_articles,
        classifier,
        batch_size=options.batch_size,
        min_confidence=options.min_confidence,
        wrapped=options.wrapped,
    )
    items = read_inputs(options.paths)
    if processes is None:
        results = score(items)
    else:
        scratch_parent = Path(options.output).resolve().parent if options.output else None
        results = score_across_processes(processes, items, score, scratch_parent)
        if not processes.is_main_process:
            for _ in results:
                pass
            return 0
    stance = classifier.stance_labels + ([UNCERTAIN] if options.min_confidence > 0 else [])
    labels = Labels(stance=stance, sentiment=classifier.sentiment_labels)
    failures: list[InputProblem] = []
    with ExitStack() as files:
        stream = files.enter_context(output_file(options.output, "--output")) if options.output else stdout
        summary = None
        if options.summary:
            summary = SummaryWriter(files.enter_context(output_file(options.summary, "--summary")), labels)
        articles = _reported(results, stderr, failures, classifier.tokenizer.model_max_length)
        WRITERS[options.format](_summarised(articles, summary), stream, labels)
        if summary is not None:
            summary.close()
    return len(failures)


def _reported(
    results: Iterable[ScoredArticle | InputProblem], stderr: TextIO, failures: list[InputProblem], limit: int
) -> Iterator[ScoredArticle]:
    """Say what could not be read and what was cut short, as it happens, and pass the articles on."""
    for result in results:
        if isinstance(result, InputProblem):
            failures.append(result)
            print(f"newsstance: error: {result.message}", file=stderr, flush=True)
            continue
        for sentence in result.sentences:
            if sentence.truncated:
                print(
                    f"newsstance: warning: {result.id}: sentence {sentence.index} has {sentence.tokens} tokens,"
                    f" more than the model's {limit}; scored its first {limit} tokens only",
                    file=stderr,
                    flush=True,
                )
        yield result


def _summarised(articles: Iterable[ScoredArticle], summary: SummaryWriter | None) -> Iterator[ScoredArticle]:
    for article in articles:
        if summary is not None:
            summary.add(article)
        yield article
