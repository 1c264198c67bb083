"""Properties of segmenting and scoring any text: no crash, exact offsets, every sentence scored once."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import StanceClassifier
from model.articles.inputs import Article
from model.articles.scoring import ScoredArticle, score_articles
from model.articles.segment import split_sentences

NEWSY = st.sampled_from(
    ["Col. Smith said.", "The U.S. sent 3.5 tonnes.", '"No," Mr. Ode said.', "GENEVA —", "a.m.", "?!", "…"]
)
PIECES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=5),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", "\x0c", " ", "\t"]),
    NEWSY,
)
ARTICLE_TEXT = st.lists(PIECES, max_size=40).map("".join)
LONG_TEXT = st.builds(lambda word, n: (word + " ") * n, st.sampled_from(["shelled", "U.S.", "3.5", "Mr."]), st.integers(500, 3000))


def check_partition(text: str, spans: list[tuple[int, int, str]]) -> None:
    """Offsets slice the text, sentences are stripped, in order, disjoint, and cover every non-space character."""
    covered = set()
    previous_end = 0
    for start, end, sentence in spans:
        assert text[start:end] == sentence
        assert sentence and sentence == sentence.strip()
        assert start >= previous_end
        previous_end = end
        covered.update(range(start, end))
    assert {i for i, char in enumerate(text) if not char.isspace()} <= covered


@settings(max_examples=100, deadline=None)
@given(st.one_of(ARTICLE_TEXT, LONG_TEXT))
def test_sentences_partition_any_text(text: str) -> None:
    check_partition(text, [(s.start, s.end, s.text) for s in split_sentences(text)])
    check_partition(text, [(s.start, s.end, s.text) for s in split_sentences(text, wrapped=True)])


@pytest.fixture(scope="module")
def classifier(tiny_model_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ARTICLE_TEXT.filter(str.strip), min_size=1, max_size=4), st.integers(1, 8))
def test_every_sentence_is_scored_exactly_once(classifier: StanceClassifier, texts: list[str], chunk: int) -> None:
    articles = [Article(f"a{i}", text) for i, text in enumerate(texts)]
    scored = list(score_articles(classifier, articles, batch_size=4, chunk_size=chunk))
    assert [article.id for article in scored] == [article.id for article in articles]
    for article, result in zip(articles, scored):
        assert isinstance(result, ScoredArticle)
        assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
        assert [(s.start, s.end) for s in result.sentences] == [
            (s.start, s.end) for s in split_sentences(article.text)
        ]
        check_partition(article.text, [(s.start, s.end, s.text) for s in result.sentences])
        assert all(abs(sum(s.prediction.stance_probs.values()) - 1) < 1e-5 for s in result.sentences)


def test_a_confidence_threshold_above_one_is_refused(tiny_model_dir: Path) -> None:
    """Above 1 every sentence would come out "uncertain" without a word; the CLI refuses it too."""
    classifier = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    with pytest.raises(ValueError, match=r"min_confidence must be between 0 and 1, not 2"):
        list(score_articles(classifier, [Article(id="a", text="Rebels shelled the airport.")], min_confidence=2))


@pytest.mark.parametrize("items", ["Rebels shelled the airport.", [{"id": "a", "text": "Rebels shelled the airport."}]])
def test_items_that_are_not_articles_are_named(tiny_model_dir: Path, items: object) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu")
    with pytest.raises(TypeError, match=r"items\[0\] is (str|dict); pass Article\(id, text\) records"):
        list(score_articles(classifier, items))
