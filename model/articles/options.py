"""What one `newsstance score` run is asked to do; light to import, so the CLI takes its defaults from here."""

from dataclasses import dataclass

from model.defaults import DEFAULT_BATCH_SIZE

FORMATS = ("jsonl", "csv", "table", "html")


@dataclass(frozen=True)
class ScoreOptions:
    """`paths`: text files, directories of .txt files, .jsonl article files, or `-` for standard input."""

    paths: list[str]
    model: str
    format: str = "jsonl"
    output: str | None = None
    summary: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    device: str = "auto"
    min_confidence: float = 0.0
    wrapped: bool = False
