"""A file saved with a UTF-8 byte-order mark (as Windows editors do) is read alike by every command."""

import json
from pathlib import Path

from newsstance.cli import main
from tests.training.test_train import SENTENCES, tiny_config

BOM = b"\xef\xbb\xbf"


def with_bom(path: Path) -> Path:
    path.write_bytes(BOM + path.read_bytes())
    return path


def test_a_bom_file_trains_evaluates_scores_and_suggests(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    config = tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1")
    with_bom(Path(config.data.train))
    with_bom(Path(config.data.dev))
    assert main(["train", "--config", str(tmp_path / "config.yaml"), "training.epochs=1"]) == 0, capsys.readouterr().err
    run = config.training.output_dir
    assert main(["evaluate", "--model", run, "--data", config.data.dev, "--bootstrap", "0"]) == 0
    assert json.loads((Path(run) / "eval-dev" / "metrics.json").read_text())["rows"] == len(SENTENCES)

    articles = tmp_path / "articles.jsonl"
    articles.write_bytes(BOM + json.dumps({"id": "a1", "text": SENTENCES[0][0]}).encode() + b"\n")
    capsys.readouterr()
    assert main(["score", str(articles), "--model", run]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == ["a1"] and rows[0]["text"] == SENTENCES[0][0]

    assert main(["suggest", "--model", run, "--pool", config.data.dev, "-n", "2"]) == 0
    picked = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(picked) == 2 and all(row["source"].startswith(config.data.dev) for row in picked)
