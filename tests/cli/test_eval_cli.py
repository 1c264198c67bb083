"""`newsstance evaluate` and `newsstance calibrate` end to end on the tiny model, including bad input."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from model import NewsStanceConfig, NewsStanceModel, StanceClassifier
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from newsstance.cli import main
from tests.conftest import SHARED_DEV, tiny_encoder_config, write_jsonl

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Invented sentences in the annotation guide's style.
TRAIN = [
    {"text": "A spokesman dismissed the report as fabricated.", "stance": "denial", "sentiment": "neutral"},
    {"text": "The ministry rejected the accusation outright.", "stance": "denial", "sentiment": "negative"},
    {
        "text": "The convoy may have been carrying fuel, officials said.",
        "stance": "hedge",
        "sentiment": "neutral",
    },
    {"text": "It was unclear whether the dam had been damaged.", "stance": "hedge", "sentiment": "negative"},
    {
        "text": "Rockets hit a depot near the airport overnight.",
        "stance": "battlefield_report",
        "sentiment": "negative",
    },
    {"text": "Troops retook two villages on the river.", "stance": "battlefield_report", "sentiment": None},
    {
        "text": "The government announced new grain export rules.",
        "stance": "official_assertion",
        "sentiment": "neutral",
    },
    {
        "text": "Rescuers welcomed the agreement to open a corridor.",
        "stance": "other",
        "sentiment": "positive",
    },
    {"text": "The market square dates from the 18th century.", "stance": "other", "sentiment": "neutral"},
]
DATA = [
    {"text": "The embassy denied any role in the incident.", "stance": "denial", "sentiment": "neutral"},
    {
        "text": "The strike might delay the harvest, analysts suggested.",
        "stance": "hedge",
        "sentiment": "negative",
    },
    {
        "text": "Shelling wounded six people in the eastern district.",
        "stance": "battlefield_report",
        "sentiment": "negative",
    },
    {
        "text": "The president signed the decree on Friday.",
        "stance": "official_assertion",
        "sentiment": "neutral",
    },
    {
        "text": "Volunteers cooked meals for the displaced families.",
        "stance": "other",
        "sentiment": "positive",
    },
    {"text": "The old railway runs along the coast.", "stance": "other"},
]


@pytest.fixture
def model_dir(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A private copy: evaluate and calibrate write into the model directory."""
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "data.jsonl", DATA)


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "train.jsonl", TRAIN)


def test_evaluate_writes_the_full_report(
    model_dir: Path, data: Path, train: Path, tmp_path: Path, capsys
) -> None:
    output = tmp_path / "report"
    code = main(
        [
            "evaluate",
            "--model",
            str(model_dir),
            "--data",
            str(data),
            "--baselines",
            "--train",
            str(train),
            "--output",
            str(output),
            "--bootstrap",
            "50",
            "--device",
            "cpu",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    for system in ("model", "majority", "tfidf_logreg", "cue_words"):
        assert system in printed
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["rows"] == 6
    assert metrics["sentiment"]["rows"] == 5
    for head in ("stance", "sentiment"):
        assert {
            "accuracy",
            "macro_f1",
            "macro_f1_ci",
            "per_class",
            "confusion_matrix",
            "calibration",
            "baselines",
        } <= set(metrics[head])
        calibration = metrics[head]["calibration"]
        assert {"ece_uncalibrated", "ece", "temperature", "ece_if_calibrated", "verdict"} <= set(calibration)
        assert calibration["verdict"] in {"consistent with calibration", "over-confident", "under-confident"}
        assert 0 < calibration["ece_if_calibrated"]["mean"] <= calibration["ece_if_calibrated"]["upper"]
        assert set(metrics[head]["baselines"]) == {"majority", "tfidf_logreg", "cue_words"}
        assert len(metrics[head]["baselines"]["majority"]["model_minus_baseline"]["ci"]) == 2
        for row in metrics[head]["per_class"].values():
            low, high = row["f1_ci"]
            assert 0.0 <= low <= high <= 1.0
        for plot in (f"confusion_{head}.png", f"reliability_{head}.png"):
            assert (output / plot).read_bytes().startswith(PNG_SIGNATURE)
    report = (output / "report.md").read_text()
    for section in (
        "## Summary",
        "## Stance",
        "## Sentiment",
        "## Calibration",
        "## Most confident mistakes",
        "| F1 [95% CI] |",
    ):
        assert section in report
    errors = [json.loads(line) for line in (output / "errors.jsonl").read_text().splitlines()]
    assert [error["confidence"] for error in errors] == sorted(
        (error["confidence"] for error in errors), reverse=True
    )
    assert all({"text", "gold", "predicted", "confidence", "line", "head"} <= set(error) for error in errors)
    assert all(error["gold"] != error["predicted"] for error in errors)
    evaluations = json.loads((model_dir / "evaluations.json").read_text())
    assert evaluations[str(data)]["stance_macro_f1"] == metrics["stance"]["macro_f1"]  # keyed by path: two dev.jsonl differ
    card = (model_dir / "README.md").read_text()
    assert f"| {data} |" in card
    assert f"{metrics['stance']['calibration']['ece']:.3f} ({metrics['stance']['calibration']['verdict']})" in card
    assert "calibrated model: mean ECE" in report


def test_evaluate_defaults_its_output_to_the_model_directory(model_dir: Path, data: Path) -> None:
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(model_dir),
                "--data",
                str(data),
                "--bootstrap",
                "0",
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    metrics = json.loads((model_dir / "eval-data" / "metrics.json").read_text())
    assert metrics["stance"]["macro_f1_ci"] is None


def test_calibrate_stores_temperatures_that_change_confidence(model_dir: Path, data: Path, capsys) -> None:
    texts = [row["text"] for row in DATA]
    before = StanceClassifier.from_pretrained(model_dir, device="cpu").predict_proba(texts)
    assert main(["calibrate", "--model", str(model_dir), "--data", str(data), "--device", "cpu"]) == 0
    assert "ECE" in capsys.readouterr().out
    config = json.loads((model_dir / "config.json").read_text())
    assert config["stance_temperature"] != 1.0 and config["sentiment_temperature"] != 1.0
    after = StanceClassifier.from_pretrained(model_dir, device="cpu").predict_proba(texts)
    assert not np.allclose(before["stance"].max(axis=1), after["stance"].max(axis=1))
    np.testing.assert_array_equal(before["stance"].argmax(axis=1), after["stance"].argmax(axis=1))
    assert f"fitted on `{data.resolve()}`" in (model_dir / "README.md").read_text()
    argv = ["evaluate", "--model", str(model_dir), "--data", str(data), "--bootstrap", "0", "--device", "cpu"]
    assert main(argv) == 0
    assert "fitted on this same file" in (model_dir / "eval-data" / "report.md").read_text()
    assert not list(model_dir.glob(".config.json.*"))


def test_calibrating_on_rows_the_model_gets_all_right_is_warned_about_and_recorded(model_dir: Path, tmp_path: Path, capsys) -> None:
    """One sentence the model already labels as gold: the NLL falls as T falls, so no temperature is best."""
    text = DATA[0]["text"]
    guess = StanceClassifier.from_pretrained(model_dir, device="cpu").predict([text])[0]
    data = write_jsonl(tmp_path / "one.jsonl", [{"text": text, "stance": guess.stance, "sentiment": guess.sentiment}])
    argv = ["calibrate", "--model", str(model_dir), "--data", str(data), "--device", "cpu", "--word-dropout", "0"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    for head in ("stance", "sentiment"):
        assert f"warning: the {head} temperature fitted on {data} calibrates nothing: the model is right on all 1 rows" in err
    recorded = json.loads((model_dir / "calibration.json").read_text())
    assert recorded["stance"]["problem"].startswith("the model is right on all 1 rows")
    assert "the stance fit calibrates nothing: the model is right on all 1 rows" in (model_dir / "README.md").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "Officials met.", "stance": "propaganda"}\n', "line 1: unknown stance 'propaganda'"),
        (
            '{"text": "Officials met.", "stance": "other", "sentiment": "angry"}\n',
            "line 1: unknown sentiment 'angry'",
        ),
        ('{"text": "Officials met.", "stance": "other"}\n{"stance": "other"}\n', "line 2: missing 'text'"),
        ('{"text": "Officials met.", "stance": "other"}\n{"text": "oops",\n', "line 2: not valid JSON"),
        ("", "no labelled rows"),
    ],
)
def test_bad_data_is_one_line_naming_file_and_line(
    model_dir: Path, tmp_path: Path, capsys, content: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    for command in ("evaluate", "calibrate"):
        assert main([command, "--model", str(model_dir), "--data", str(bad), "--device", "cpu"]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"newsstance: error: {bad}") and message in error
        assert error.count("\n") == 1 and "Traceback" not in error


def test_labels_come_from_the_model_not_the_defaults(
    tokenizer_dir: Path, data: Path, tmp_path: Path, capsys
) -> None:
    config = NewsStanceConfig(
        encoder=tiny_encoder_config().to_dict(), stance_id2label={0: "pro", 1: "anti", 2: "neutral_stance"}
    )
    other_labels = tmp_path / "other-labels"
    StanceClassifier(
        NewsStanceModel(config), AutoTokenizer.from_pretrained(tokenizer_dir), "cpu"
    ).save_pretrained(other_labels)
    assert main(["evaluate", "--model", str(other_labels), "--data", str(data), "--device", "cpu"]) == 2
    assert "unknown stance 'denial' (expected one of pro, anti, neutral_stance)" in capsys.readouterr().err


def test_bad_training_file_and_flags_are_one_line_errors(
    model_dir: Path, data: Path, tmp_path: Path, capsys
) -> None:
    bad_train = write_jsonl(tmp_path / "train.jsonl", [{"text": "x", "stance": "rumour"}])
    common = ["evaluate", "--model", str(model_dir), "--data", str(data), "--device", "cpu"]
    assert main([*common, "--baselines", "--train", str(bad_train)]) == 2
    assert f"{bad_train}: 1 invalid rows: line 1: unknown stance 'rumour'" in capsys.readouterr().err
    assert main([*common, "--baselines"]) == 2
    assert "--baselines and --train FILE go together" in capsys.readouterr().err
    assert main([*common, "--bootstrap", "-1"]) == 2
    assert main(["evaluate", "--model", str(tmp_path / "nowhere"), "--data", str(data)]) == 2
    assert "no such model directory" in capsys.readouterr().err


def test_training_sentences_in_the_evaluation_file_are_refused(
    model_dir: Path, data: Path, tmp_path: Path, capsys
) -> None:
    leaky = write_jsonl(tmp_path / "leaky.jsonl", TRAIN + DATA[:1])
    args = ["evaluate", "--model", str(model_dir), "--data", str(data), "--baselines", "--train", str(leaky)]
    assert main([*args, "--device", "cpu"]) == 2
    assert "sentences shared with the training file" in capsys.readouterr().err


@pytest.mark.skipif(
    not SHARED_DEV.is_file(), reason=f"{SHARED_DEV} is absent (the shared dev set is not checked out)"
)
def test_the_shared_dev_file_is_accepted_by_the_default_labels(model_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "dev-report"
    args = ["evaluate", "--model", str(model_dir), "--data", str(SHARED_DEV), "--output", str(output)]
    assert main([*args, "--bootstrap", "20", "--device", "cpu"]) == 0
    assert json.loads((output / "metrics.json").read_text())["rows"] > 0


def test_calibrate_pools_word_dropout_copies_and_zero_alone_is_plain_temperature_scaling(
    model_dir: Path, data: Path, capsys
) -> None:
    from eval.calibration import fit_temperature
    from eval.word_dropout import drop_words

    base = ["calibrate", "--model", str(model_dir), "--data", str(data), "--device", "cpu"]
    assert main([*base, "--word-dropout", "0"]) == 0
    classifier = StanceClassifier.from_pretrained(model_dir, device="cpu")
    logits = classifier.logits([row["text"] for row in DATA])
    gold = np.array([classifier.stance_labels.index(row["stance"]) for row in DATA])
    plain = json.loads((model_dir / "config.json").read_text())["stance_temperature"]
    assert plain == pytest.approx(fit_temperature(logits[0], gold))

    assert main([*base, "--word-dropout", "0,0.5"]) == 0
    assert "0.5:" in capsys.readouterr().out
    pooled = json.loads((model_dir / "calibration.json").read_text())
    assert pooled["word_dropout"] == [0.0, 0.5]
    perturbed = classifier.logits(drop_words([row["text"] for row in DATA], 0.5))
    assert not np.allclose(perturbed[0], logits[0])
    expected = fit_temperature(np.concatenate([logits[0], perturbed[0]]), np.tile(gold, 2))
    assert pooled["stance"]["temperature"] == pytest.approx(expected)
    accuracy = float((perturbed[0].argmax(axis=1) == gold).mean())
    assert pooled["stance"]["accuracy_at_word_dropout"] == {"0.0": pytest.approx(float((logits[0].argmax(axis=1) == gold).mean())), "0.5": pytest.approx(accuracy)}
    assert "word dropout 0, 0.5" in (model_dir / "README.md").read_text()


@pytest.mark.parametrize(("rates", "message"), [("0,x", "give comma-separated numbers"), ("0,1", "in [0, 1)")])
def test_bad_word_dropout_is_one_line(model_dir: Path, data: Path, capsys, rates: str, message: str) -> None:
    argv = ["calibrate", "--model", str(model_dir), "--data", str(data), "--word-dropout", rates]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_evaluating_on_the_models_own_training_data_is_flagged(
    model_dir: Path, data: Path, tmp_path: Path, capsys
) -> None:
    missing = tmp_path / "gone.jsonl"
    (model_dir / "train_config.yaml").write_text(f"data:\n  train: {data}\n  dev: {missing}\n", encoding="utf-8")
    output = tmp_path / "report"
    argv = ["evaluate", "--model", str(model_dir), "--data", str(data), "--output", str(output), "--bootstrap", "0"]
    assert main([*argv, "--device", "cpu"]) == 0
    warning = f"6 of the 6 sentences are in `{data}` (data.train): the model was trained on them"
    unchecked = f"could not check the sentences against `{missing}` (data.dev): {missing}: file not found"
    err = capsys.readouterr().err
    assert f"newsstance: warning: {warning}" in err
    assert f"newsstance: warning: {unchecked}" in err  # a check that could not run says so
    assert warning in (output / "report.md").read_text() and unchecked in (output / "report.md").read_text()
    seen = json.loads((output / "metrics.json").read_text())["seen_in_training"]
    assert seen["data.train"]["shared"] == 6
    assert seen["data.dev"]["shared"] is None and "file not found" in seen["data.dev"]["why_unchecked"]


def test_compare_scores_other_models_on_the_same_sentences(
    model_dir: Path, data: Path, tokenizer_dir: Path, tmp_path: Path, capsys
) -> None:
    torch.manual_seed(7)
    other = tmp_path / "other-model"
    config = NewsStanceConfig(
        encoder=tiny_encoder_config().to_dict(),
        stance_id2label=dict(enumerate(DEFAULT_STANCE_LABELS)),
        sentiment_id2label=dict(enumerate(DEFAULT_SENTIMENT_LABELS)),
    )
    StanceClassifier(NewsStanceModel(config), AutoTokenizer.from_pretrained(tokenizer_dir), "cpu").save_pretrained(other)
    output = tmp_path / "report"
    argv = ["evaluate", "--model", str(model_dir), "--data", str(data), "--output", str(output), "--device", "cpu"]
    assert main([*argv, "--bootstrap", "50", "--compare", str(other)]) == 0
    assert f"model:{other}" in capsys.readouterr().out
    compared = json.loads((output / "metrics.json").read_text())["stance"]["baselines"][f"model:{other}"]
    predicted = [p.stance for p in StanceClassifier.from_pretrained(other, device="cpu").predict([r["text"] for r in DATA])]
    assert compared["accuracy"] == pytest.approx(np.mean([p == r["stance"] for p, r in zip(predicted, DATA)]))
    assert len(compared["model_minus_baseline"]["ci"]) == 2
    assert f"| stance | model:{other} |" in (output / "report.md").read_text()
    assert f"model:{other}" not in (model_dir / "README.md").read_text()  # the card describes this model only


def test_compare_refuses_a_model_with_other_labels(model_dir: Path, data: Path, tokenizer_dir: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "three-way"
    config = NewsStanceConfig(encoder=tiny_encoder_config().to_dict(), stance_id2label={0: "pro", 1: "anti", 2: "none"})
    StanceClassifier(NewsStanceModel(config), AutoTokenizer.from_pretrained(tokenizer_dir), "cpu").save_pretrained(other)
    argv = ["evaluate", "--model", str(model_dir), "--data", str(data), "--compare", str(other), "--device", "cpu"]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"--compare {other}: its stance labels (pro, anti, none) differ" in error and error.count("\n") == 1
