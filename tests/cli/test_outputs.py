"""Never destroy what the user already has: outputs that collide with inputs, other outputs or other files."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import model.articles.writers
from model.errors import NewsStanceError
from model.storage import check_model_output
from newsstance.cli import main
from tests.conftest import write_jsonl
from tests.training.test_train import tiny_config

ARTICLE = "Officials said talks would resume on Monday. Shelling hit the port overnight.\n"


def digest(path: Path) -> dict[str, str]:
    """Every file under `path` (or the file itself) with its sha256: what "unchanged" means here."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_train_refuses_a_directory_of_the_users_own_files(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    tiny_config(tmp_path, tiny_encoder_dir)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "diary.txt").write_text("my own notes\n")
    before = digest(notes)
    code, err = run(capsys, "train", "--config", str(tmp_path / "config.yaml"), "--output", str(notes))
    assert code == 2
    assert err.strip() == (
        f"newsstance: error: --output {notes} is a non-empty directory that is not a newsstance model; "
        "choose another directory, or pass --overwrite to replace everything in it"
    )
    assert digest(notes) == before


def test_train_replaces_its_own_previous_model(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    tiny_config(tmp_path, tiny_encoder_dir, "training.epochs=1")
    config = str(tmp_path / "config.yaml")
    assert run(capsys, "train", "--config", config, "training.epochs=1", "calibration.enabled=false")[0] == 0
    assert run(capsys, "train", "--config", config, "training.epochs=1", "calibration.enabled=false")[0] == 0
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "diary.txt").write_text("mine\n")
    code = run(capsys, "train", "--config", config, "--output", str(notes), "--overwrite",
               "training.epochs=1", "calibration.enabled=false")[0]
    assert code == 0 and not (notes / "diary.txt").exists() and (notes / "config.json").is_file()


def test_export_refuses_to_write_onto_its_source(tiny_model_dir: Path, capsys) -> None:
    pytest.importorskip("onnxruntime", reason="the onnx extra is part of the test install")
    before = digest(tiny_model_dir)
    code, err = run(capsys, "export", "--model", str(tiny_model_dir), "--output", str(tiny_model_dir) + "/./")
    assert code == 2 and "is the source model itself" in err and len(err.strip().splitlines()) == 1
    assert digest(tiny_model_dir) == before


def test_score_refuses_an_output_that_is_its_input(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE)
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    for output in (article, link, tmp_path / "." / "article.txt"):
        code, err = run(capsys, "score", str(article), "--model", str(tiny_model_dir), "--output", str(output))
        assert code == 2 and "would destroy the input" in err and len(err.strip().splitlines()) == 1
        assert article.read_text() == ARTICLE


def test_export_refuses_a_folder_that_holds_its_source(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("onnxruntime", reason="the onnx extra is part of the test install")
    source = tmp_path / "project" / "model"
    shutil.copytree(tiny_model_dir, source)
    before = digest(source)
    code, err = run(capsys, "export", "--model", str(source), "--output", str(tmp_path / "project"), "--overwrite")
    assert code == 2 and "holds the source model" in err and len(err.strip().splitlines()) == 1
    assert digest(source) == before


def test_score_refuses_a_txt_output_inside_its_input_folder(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    """The next run over the folder would score last run's report as an article."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    report = folder / "report.txt"
    code, err = run(capsys, "score", str(folder), "--model", str(tiny_model_dir), "--format", "table", "--output", str(report))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.strip() == (
        f"newsstance: error: --output {report} is inside the input folder {folder}: the next run would score it "
        "as an article; write it outside the folder or give it another suffix"
    )
    assert not report.exists()
    elsewhere = tmp_path / "old-report.json"
    elsewhere.write_text("{}")
    report.symlink_to(elsewhere)  # writing replaces the link with a file in the folder: refused just the same
    assert run(capsys, "score", str(folder), "--model", str(tiny_model_dir), "--format", "table", "--output", str(report))[0] == 2
    report.unlink()
    rows = folder / "rows.jsonl"  # a suffix the folder is not read for is fine
    assert run(capsys, "score", str(folder), "--model", str(tiny_model_dir), "--output", str(rows))[0] == 0
    assert rows.read_text().count("\n") > 0


def test_score_refuses_summary_and_rows_in_one_file(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    rows = tmp_path / "rows.jsonl"
    rows.write_text("previous rows\n")
    code, err = run(capsys, "score", str(article), "--model", str(tiny_model_dir),
                    "--output", str(rows), "--summary", str(rows))
    assert code == 2 and err.strip() == f"newsstance: error: --output and --summary are the same file ({rows}); give each its own"
    assert rows.read_text() == "previous rows\n"


def test_an_interrupted_score_leaves_the_previous_output_whole(
    tiny_model_dir: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = tmp_path / "articles.jsonl"
    write_jsonl(articles, [{"id": str(i), "text": ARTICLE} for i in range(3)])
    rows = tmp_path / "rows.jsonl"
    assert run(capsys, "score", str(articles), "--model", str(tiny_model_dir), "--output", str(rows))[0] == 0
    before = rows.read_bytes()
    assert len(before.splitlines()) == 6
    real_record = model.articles.writers.sentence_record
    calls = []

    def interrupted(*args, **kwargs):  # noqa: ANN002, ANN003
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_record(*args, **kwargs)

    monkeypatch.setattr(model.articles.writers, "sentence_record", interrupted)
    code, err = run(capsys, "score", str(articles), "--model", str(tiny_model_dir), "--output", str(rows))
    assert code == 130 and "interrupted" in err
    assert rows.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl", "rows.jsonl"]  # no partial file left


def test_suggest_evaluate_and_agree_refuse_to_write_onto_their_inputs(
    tiny_model_dir: Path, tmp_path: Path, capsys
) -> None:
    pool = tmp_path / "pool.txt"
    pool.write_text("A spokesman denied it.\nShelling resumed.\n")
    before = digest(pool)
    code, err = run(capsys, "suggest", "--model", str(tiny_model_dir), "--pool", str(pool), "-n", "1", "--output", str(pool))
    assert code == 2 and "would destroy the input" in err and digest(pool) == before

    data = write_jsonl(tmp_path / "metrics.json", [{"text": "A spokesman denied it.", "stance": "denial"}])
    before = digest(data)
    code, err = run(capsys, "evaluate", "--model", str(tiny_model_dir), "--data", str(data), "--output", str(tmp_path))
    assert code == 2 and "would destroy the input" in err and digest(data) == before

    labels = write_jsonl(tmp_path / "agreement.json", [{"id": "1", "text": "x", "stance": "denial"}])
    other = write_jsonl(tmp_path / "b.jsonl", [{"id": "1", "text": "x", "stance": "hedge"}])
    before = digest(labels)
    code, err = run(capsys, "agree", str(labels), str(other), "--output", str(tmp_path))
    assert code == 2 and "would destroy the input" in err and digest(labels) == before
    assert json.loads(labels.read_text().splitlines()[0])["stance"] == "denial"


def test_evaluate_and_agree_refuse_a_report_directory_that_is_a_file(
    tiny_model_dir: Path, tmp_path: Path, capsys
) -> None:
    """Checked before the minutes of scoring, and named, instead of a FileExistsError traceback at the end."""
    taken = tmp_path / "taken.txt"
    taken.write_text("the user's own file\n")
    data = write_jsonl(tmp_path / "data.jsonl", [{"id": "1", "text": "A spokesman denied it.", "stance": "denial"}])
    other = write_jsonl(tmp_path / "b.jsonl", [{"id": "1", "text": "A spokesman denied it.", "stance": "hedge"}])
    for args in (["evaluate", "--model", str(tiny_model_dir), "--data", str(data)], ["agree", str(data), str(other)]):
        code, err = run(capsys, *args, "--output", str(taken))
        assert code == 2
        assert err.strip().endswith(f"{taken} is a file, not a directory") and err.count("\n") == 1
        assert taken.read_text() == "the user's own file\n"


def test_a_model_output_holding_the_current_directory_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for target in (Path("."), tmp_path):  # the final rename of "." fails only after training
        with pytest.raises(NewsStanceError, match="holds the current directory"):
            check_model_output(target, overwrite=True)
    check_model_output(Path("run"), overwrite=True)  # a folder below it is fine
