"""Word dropout makes the perturbed copies `calibrate` fits on: deterministic, nested, never empty."""

import pytest

from eval.word_dropout import drop_words

SENTENCE = " ".join(f"word{i}" for i in range(400))


def test_rate_zero_returns_the_text_untouched() -> None:
    texts = ["  Two  spaces stay.", "Shelling resumed."]
    assert drop_words(texts, 0.0) == texts


def test_rate_is_the_share_of_words_deleted() -> None:
    kept = drop_words([SENTENCE], 0.3)[0].split()
    assert 0.6 < len(kept) / 400 < 0.8
    assert kept == [word for word in SENTENCE.split() if word in set(kept)]  # order kept


def test_same_seed_same_copies_and_higher_rates_delete_a_superset() -> None:
    assert drop_words([SENTENCE], 0.2) == drop_words([SENTENCE], 0.2)
    light, heavy = (set(drop_words([SENTENCE], rate)[0].split()) for rate in (0.1, 0.3))
    assert heavy < light


def test_no_sentence_becomes_empty() -> None:
    assert drop_words(["Yes."] * 20, 0.95) == ["Yes."] * 20
    assert all(drop_words(["No comment, he said."] * 50, 0.95))


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_rates_outside_zero_one_are_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        drop_words(["x"], rate)
