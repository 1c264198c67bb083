"""Reference systems trained on the same file as the model, so its scores have something to be compared with."""

from collections.abc import Callable, Sequence

from sklearn.base import ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from eval.cue_words import CueWordSentiment, CueWordStance, fits_labels

Factory = Callable[[], ClassifierMixin]


def majority() -> ClassifierMixin:
    """The floor: always the most frequent training label."""
    return DummyClassifier(strategy="most_frequent")


def tfidf_logreg() -> ClassifierMixin:
    """Bag of words and bigrams; class weights balanced because the report ranks by macro-F1."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )


def baselines_for(
    stance_labels: Sequence[str], sentiment_labels: Sequence[str]
) -> dict[str, dict[str, Factory]]:
    """Per baseline, a factory per head; the cue-word rules only fit the annotation guide's own label set."""
    systems: dict[str, dict[str, Factory]] = {
        "majority": {"stance": majority, "sentiment": majority},
        "tfidf_logreg": {"stance": tfidf_logreg, "sentiment": tfidf_logreg},
    }
    if fits_labels(stance_labels, sentiment_labels):
        systems["cue_words"] = {"stance": CueWordStance, "sentiment": CueWordSentiment}
    return systems
