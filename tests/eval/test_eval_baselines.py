"""Baselines on invented guide-style sentences (none taken from any data set)."""

import pytest

from eval.baselines import baselines_for, majority, tfidf_logreg
from eval.cue_words import CueWordSentiment, CueWordStance

GUIDE_STYLE = [
    ("A spokesman dismissed the report as fabricated.", "denial"),
    ("The ministry denied that its aircraft had crossed the border.", "denial"),
    ("Officials said the shipment may have included spare parts.", "hedge"),
    ("The claims could not be independently verified.", "hedge"),
    ("Artillery shelled three villages overnight, the governor said.", "battlefield_report"),
    ("Two soldiers were killed when a drone struck their position.", "battlefield_report"),
    ("The foreign ministry said the embassy would reopen on Monday.", "official_assertion"),
    ("The bridge was built in 1962 and carries most of the region's freight.", "other"),
]


@pytest.mark.parametrize(("text", "stance"), GUIDE_STYLE)
def test_cue_words_follow_the_guide(text: str, stance: str) -> None:
    assert CueWordStance().fit([], []).predict([text])[0] == stance


def test_cue_word_precedence_puts_denial_before_battlefield_and_hedge_before_official() -> None:
    rules = CueWordStance().fit([], [])
    assert rules.predict(["The army denied that its troops shelled the town."])[0] == "denial"
    assert rules.predict(["The government said talks might resume next week."])[0] == "hedge"


def test_cue_word_sentiment() -> None:
    rules = CueWordSentiment().fit([], [])
    predicted = rules.predict(
        [
            "Rescue teams freed twelve people and welcomed the ceasefire.",
            "Four civilians were killed and dozens wounded.",
            "The committee meets on Tuesdays.",
        ]
    )
    assert list(predicted) == ["positive", "negative", "neutral"]


def test_tfidf_baseline_trains_and_predicts_known_labels() -> None:
    texts = [text for text, _ in GUIDE_STYLE] * 3
    labels = [stance for _, stance in GUIDE_STYLE] * 3
    model = tfidf_logreg().fit(texts, labels)
    assert list(model.predict([text for text, _ in GUIDE_STYLE])) == [stance for _, stance in GUIDE_STYLE]


def test_majority_baseline_predicts_the_commonest_training_label() -> None:
    model = majority().fit(["a", "b", "c"], ["other", "hedge", "other"])
    assert list(model.predict(["anything", "else"])) == ["other", "other"]


def test_cue_words_are_left_out_for_a_label_set_the_guide_does_not_define() -> None:
    assert "cue_words" in baselines_for(
        ["official_assertion", "denial", "hedge", "battlefield_report", "other"],
        ["negative", "neutral", "positive"],
    )
    assert set(baselines_for(["pro", "anti"], ["negative", "positive"])) == {"majority", "tfidf_logreg"}
