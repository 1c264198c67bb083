"""The model and the object users hold: losses, probabilities, save/load, damaged directories."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from model import NewsStanceError, NewsStanceModel, StanceClassifier
from model.modeling import IGNORE_INDEX, symmetric_kl
from model.storage import update_model_dir, write_atomically
from training.base_model import PACKAGED_COPIES, packaged_copy_dir, resolve_base_model

TEXTS = [
    "The foreign ministry said the new sanctions would take effect on Monday.",
    "A government spokesman dismissed the footage as staged.",
    "Officials said the convoy may have been carrying fuel.",
    "Two villages near the river were shelled overnight, the regional governor said.",
    "The bridge was built in 1962.",
]


@pytest.fixture
def classifier(tiny_model_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")


def test_predict_gives_every_label_with_probabilities_summing_to_one(classifier: StanceClassifier) -> None:
    predictions = classifier.predict(TEXTS)
    assert len(predictions) == len(TEXTS)
    for prediction in predictions:
        assert set(prediction.stance_probs) == {"official_assertion", "denial", "hedge", "battlefield_report", "other"}
        assert set(prediction.sentiment_probs) == {"negative", "neutral", "positive"}
        assert sum(prediction.stance_probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert sum(prediction.sentiment_probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert prediction.stance_score == max(prediction.stance_probs.values())
        assert prediction.stance == max(prediction.stance_probs, key=prediction.stance_probs.get)


def test_batching_and_length_sorting_do_not_change_results(classifier: StanceClassifier) -> None:
    one_batch = classifier.predict_proba(TEXTS, batch_size=64)
    tiny_batches = classifier.predict_proba(TEXTS, batch_size=2)
    singly = np.vstack([classifier.predict_proba([text])["stance"] for text in TEXTS])
    np.testing.assert_allclose(one_batch["stance"], tiny_batches["stance"], atol=1e-5)
    np.testing.assert_allclose(one_batch["stance"], singly, atol=1e-5)
    assert classifier.predict_proba([])["stance"].shape == (0, 5)


def test_misuse_of_predict_is_a_clear_error_not_a_wrong_answer(classifier: StanceClassifier) -> None:
    with pytest.raises(TypeError, match=r"list of strings, not one string"):
        classifier.predict(TEXTS[0])  # would otherwise give one prediction per character
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        classifier.predict([TEXTS[0], 7])
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, not 0"):
        classifier.predict(TEXTS, batch_size=0)
    with pytest.raises(ValueError, match=r"texts\[1\] is empty; there is nothing to label"):
        classifier.predict([TEXTS[0], " \n"])  # would otherwise get a confident label for no words
    with pytest.raises(ValueError, match=r"texts\[1\] is not valid Unicode \(a lone surrogate at character 4\)"):
        classifier.predict([TEXTS[0], "bad \ud800 text"])  # the tokenizer's TypeError would not name the text
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, not True"):
        classifier.predict(TEXTS, batch_size=True)
    assert [p.stance for p in classifier.predict(TEXTS, batch_size=np.int64(2))] == [p.stance for p in classifier.predict(TEXTS)]


def test_save_and_reload_give_identical_predictions(classifier: StanceClassifier, tmp_path: Path) -> None:
    classifier.save_pretrained(tmp_path / "copy")
    reloaded = StanceClassifier.from_pretrained(tmp_path / "copy", device="cpu")
    assert json.loads((tmp_path / "copy" / "config.json").read_text())["stance_id2label"]["2"] == "hedge"
    np.testing.assert_array_equal(
        classifier.predict_proba(TEXTS)["stance"], reloaded.predict_proba(TEXTS)["stance"]
    )
    assert classifier.predict(TEXTS) == reloaded.predict(TEXTS)


def test_temperature_softens_probabilities_without_changing_labels(tiny_model_dir: Path) -> None:
    sharp = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    soft = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    soft.config.stance_temperature = 5.0
    sharp_probs, soft_probs = sharp.predict_proba(TEXTS)["stance"], soft.predict_proba(TEXTS)["stance"]
    assert (soft_probs.max(1) <= sharp_probs.max(1) + 1e-7).all()
    assert (soft_probs.argmax(1) == sharp_probs.argmax(1)).all()


def test_rows_without_sentiment_teach_only_stance(tiny_model_dir: Path) -> None:
    model = NewsStanceModel.from_pretrained(tiny_model_dir)
    stance_logits = torch.randn(4, 5, requires_grad=True)
    sentiment_logits = torch.randn(4, 3, requires_grad=True)
    stance = torch.tensor([0, 1, 2, 3])
    all_masked = torch.full((4,), IGNORE_INDEX)
    loss = model.multitask_loss(stance_logits, sentiment_logits, stance, all_masked)
    assert loss.item() == pytest.approx(F.cross_entropy(stance_logits, stance).item())
    loss.backward()
    assert sentiment_logits.grad is None or not sentiment_logits.grad.any()

    some_masked = torch.tensor([2, IGNORE_INDEX, 0, IGNORE_INDEX])
    expected = F.cross_entropy(stance_logits, stance) + F.cross_entropy(
        sentiment_logits[[0, 2]], torch.tensor([2, 0])
    )
    got = model.multitask_loss(stance_logits, sentiment_logits, stance, some_masked)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


def test_forward_returns_loss_when_labels_are_given(tiny_model_dir: Path, classifier: StanceClassifier) -> None:
    batch = classifier.tokenizer(TEXTS[:2], padding=True, return_tensors="pt")
    output = NewsStanceModel.from_pretrained(tiny_model_dir)(
        **batch, stance_labels=torch.tensor([0, 1]), sentiment_labels=torch.tensor([IGNORE_INDEX, 1])
    )
    assert output.loss is not None and output.loss.ndim == 0
    assert output.stance_logits.shape == (2, 5) and output.sentiment_logits.shape == (2, 3)


def test_rdrop_adds_the_disagreement_of_two_dropout_passes(tiny_model_dir: Path, classifier: StanceClassifier) -> None:
    batch = classifier.tokenizer(TEXTS[:3], padding=True, return_tensors="pt")
    labels = {"stance_labels": torch.tensor([0, 1, 2]), "sentiment_labels": torch.tensor([IGNORE_INDEX, 1, 0])}
    model = NewsStanceModel.from_pretrained(tiny_model_dir)
    model.train()
    model.config.rdrop_alpha = 0.0
    torch.manual_seed(0)
    plain = model(**batch, **labels)
    model.config.rdrop_alpha = 4.0
    torch.manual_seed(0)
    rdrop = model(**batch, **labels)
    assert rdrop.stance_logits.shape == (3, 5) and rdrop.sentiment_logits.shape == (3, 3)
    assert rdrop.loss.item() > 0 and not torch.allclose(rdrop.loss, plain.loss)

    model.eval()  # no dropout: both passes agree, so the term vanishes and the loss is the plain one
    model.config.rdrop_alpha = 0.0
    without = model(**batch, **labels).loss
    model.train()
    model.dropout.p = 0.0
    model.encoder.eval()
    model.config.rdrop_alpha = 4.0
    assert model(**batch, **labels).loss.item() == pytest.approx(without.item(), rel=1e-5)


@pytest.mark.parametrize("heads", [["stance"], ["sentiment"], ["stance", "sentiment"]])
def test_rdrop_heads_choose_whose_disagreement_is_added(
    tiny_model_dir: Path, classifier: StanceClassifier, heads: list[str]
) -> None:
    batch = classifier.tokenizer(TEXTS[:3], padding=True, return_tensors="pt")
    labels = {"stance_labels": torch.tensor([0, 1, 2]), "sentiment_labels": torch.tensor([IGNORE_INDEX, 1, 0])}
    model = NewsStanceModel.from_pretrained(tiny_model_dir)
    model.train()
    model.config.rdrop_alpha, model.config.rdrop_heads = 4.0, heads
    torch.manual_seed(0)
    got = model(**batch, **labels).loss
    torch.manual_seed(0)  # the same two dropout passes, replayed by hand
    inputs = (batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
    pooled = model.dropout(model.embed(*(None if t is None else t.repeat(2, 1) for t in inputs)))
    passes = {"stance": model.stance_head(pooled).chunk(2), "sentiment": model.sentiment_head(pooled).chunk(2)}
    supervised = sum(
        model.multitask_loss(stance, sentiment, labels["stance_labels"], labels["sentiment_labels"])
        for stance, sentiment in zip(passes["stance"], passes["sentiment"])
    ) / 2
    expected = supervised + 4.0 * sum(symmetric_kl(*passes[head]) for head in heads)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_multisample_dropout_averages_the_loss_of_several_masks_over_one_encoder_pass(
    tiny_model_dir: Path, classifier: StanceClassifier
) -> None:
    batch = classifier.tokenizer(TEXTS[:3], padding=True, return_tensors="pt")
    labels = {"stance_labels": torch.tensor([0, 1, 2]), "sentiment_labels": torch.tensor([IGNORE_INDEX, 1, 0])}
    model = NewsStanceModel.from_pretrained(tiny_model_dir)
    model.train()
    model.encoder.eval()  # only the masks on the pooled embedding differ between samples
    model.dropout.p, model.config.dropout_samples = 0.5, 4
    torch.manual_seed(0)
    got = model(**batch, **labels)
    assert got.stance_logits.shape == (3, 5) and got.sentiment_logits.shape == (3, 3)
    torch.manual_seed(0)  # the same four masks, replayed by hand
    embedded = model.embed(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
    losses = []
    for _ in range(4):
        pooled = model.dropout(embedded)
        losses.append(model.multitask_loss(
            model.stance_head(pooled), model.sentiment_head(pooled), labels["stance_labels"], labels["sentiment_labels"]
        ))
    assert got.loss.item() == pytest.approx((sum(losses) / 4).item(), rel=1e-5)
    assert len({round(loss.item(), 6) for loss in losses}) > 1  # the masks differ, so the mean is not one mask's loss

    masks = []
    model.dropout.register_forward_hook(lambda module, inputs, output: masks.append(output))
    model(**batch, **labels)
    assert len(masks) == 4  # training: four masks on one pooled embedding
    masks.clear()
    model(**batch)
    model.eval()
    model(**batch, **labels)
    assert len(masks) == 2  # without labels, or scoring: one pass, as without the setting

    model.train()  # with R-Drop: four masks on each of the two encoder passes, the KL on the first masks
    model.config.rdrop_alpha = 2.0
    torch.manual_seed(0)
    got = model(**batch, **labels).loss
    torch.manual_seed(0)
    inputs = (batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
    embedded = model.embed(*(None if t is None else t.repeat(2, 1) for t in inputs))
    draws = [model.dropout(embedded) for _ in range(4)]
    passes = [(model.stance_head(d).chunk(2), model.sentiment_head(d).chunk(2)) for d in draws]
    supervised = sum(
        model.multitask_loss(stance, sentiment, labels["stance_labels"], labels["sentiment_labels"])
        for stance_pair, sentiment_pair in passes
        for stance, sentiment in zip(stance_pair, sentiment_pair)
    ) / 8
    expected = supervised + 2.0 * (symmetric_kl(*passes[0][0]) + symmetric_kl(*passes[0][1]))
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_symmetric_kl_is_zero_for_equal_and_positive_for_different_predictions() -> None:
    logits = torch.randn(4, 5)
    assert symmetric_kl(logits, logits).item() == pytest.approx(0.0, abs=1e-6)
    other = torch.randn(4, 5)
    assert symmetric_kl(logits, other).item() == pytest.approx(symmetric_kl(other, logits).item(), rel=1e-5)
    p, q = F.softmax(logits, -1), F.softmax(other, -1)
    expected = ((p * (p / q).log()).sum(-1).mean() + (q * (q / p).log()).sum(-1).mean()) / 2
    assert symmetric_kl(logits, other).item() == pytest.approx(expected.item(), rel=1e-5)


def test_incomplete_model_directory_names_what_is_missing(tiny_model_dir: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_model_dir, damaged)
    (damaged / "model.safetensors").unlink()
    with pytest.raises(NewsStanceError, match="damaged: not a complete newsstance model directory \\(missing model.safetensors"):
        StanceClassifier.from_pretrained(damaged)
    with pytest.raises(NewsStanceError, match="no such model directory"):
        StanceClassifier.from_pretrained(tmp_path / "absent")


def test_a_failed_write_leaves_the_previous_model_untouched(tiny_model_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    before = sorted(p.name for p in target.iterdir())

    def crash(directory: Path) -> None:
        (directory / "config.json").write_text("{half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, crash)
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging directory left behind
    StanceClassifier.from_pretrained(target)


def test_cuda_request_without_gpu_is_a_clear_error(tiny_model_dir: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU; the error path needs one without")
    with pytest.raises(NewsStanceError, match="'cuda' was asked for but PyTorch sees no CUDA GPU"):
        StanceClassifier.from_pretrained(tiny_model_dir, device="cuda")


def test_default_encoder_comes_from_the_verified_package() -> None:
    path, local = resolve_base_model("sentence-transformers/all-MiniLM-L6-v2")
    assert local and Path(path, "model.safetensors").is_file()


def test_packaged_copy_with_wrong_checksum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "sentence-transformers/all-MiniLM-L6-v2"
    package, _ = PACKAGED_COPIES[name]
    monkeypatch.setitem(PACKAGED_COPIES, name, (package, "0" * 64))
    with pytest.raises(NewsStanceError, match="refusing this copy"):
        packaged_copy_dir(name)


def test_base_model_may_be_a_local_directory_or_a_hub_id(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    assert resolve_base_model(str(tiny_encoder_dir)) == (str(tiny_encoder_dir), True)
    assert resolve_base_model("bert-base-uncased") == ("bert-base-uncased", False)
    with pytest.raises(NewsStanceError, match="no such directory"):
        resolve_base_model(str(tmp_path / "missing"))


def test_an_unwritable_destination_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(NewsStanceError, match="a-file/model: cannot write the model directory"):
        write_atomically(blocker / "model", lambda directory: None)


def test_a_saved_model_is_readable_by_others_as_the_umask_allows(classifier: StanceClassifier, tmp_path: Path) -> None:
    """safetensors writes its weights 0600; a model directory served or shared by other users must not be private."""
    previous = os.umask(0o022)
    try:
        write_atomically(tmp_path / "model", classifier.save_pretrained)
    finally:
        os.umask(previous)
    modes = {path.name: path.stat().st_mode & 0o777 for path in (tmp_path / "model").iterdir() if path.is_file()}
    assert modes["model.safetensors"] == 0o644 and set(modes.values()) == {0o644}
    assert (tmp_path / "model").stat().st_mode & 0o777 == 0o755


def test_updating_a_model_keeps_the_modes_its_owner_gave_its_files(tiny_model_dir: Path, tmp_path: Path) -> None:
    """update_model_dir hard-links the live files: widening their mode would change the user's model in place."""
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    (target / "model.safetensors").chmod(0o600)
    update_model_dir(target, {"calibration.json": "{}"})
    assert (target / "model.safetensors").stat().st_mode & 0o777 == 0o600
    assert (target / "calibration.json").read_text() == "{}"
