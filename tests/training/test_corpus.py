"""The project's corpus in data/: schema, guide labels, no near-duplicates, no leakage, split by article."""

import json
import re
from collections import Counter, defaultdict
from itertools import combinations

import pytest

from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from tests.conftest import REPO, SHARED_DEV
from training.distill import normalised, read_teacher_file

SPLITS = ("train", "dev", "test")
REQUIRED = {"id", "text", "stance", "sentiment", "article_id", "source"}
OPTIONAL = {"hard_case", "previous_stance", "previous_sentiment", "previous_hard_case"}  # history of the relabel
HARD_CASES = {
    "official_hedge": {"hedge"},
    "official_battlefield": {"battlefield_report"},
    "denial_of_battlefield": {"denial"},
    "analyst_claim": {"other"},
    "attribution_only": set(DEFAULT_STANCE_LABELS),
    "noun_phrase_hedge": set(DEFAULT_STANCE_LABELS) - {"hedge"},
    "unverifiable": {"hedge"},
    "modal_not_hedge": set(DEFAULT_STANCE_LABELS) - {"hedge"},
    "background_violence": {"other"},
    "media_meta": {"other"},
}
NEAR_DUPLICATE_JACCARD = 0.8
LEAK_NGRAM = 6  # shared six-word runs with the evaluation set: common newswire phrases are shorter


UNLABELLED = "unlabelled"  # sentences written without labels, for distill.transfer
TEACHER_FILE = REPO / "data" / "teacher-large.jsonl"


def load_split(name: str) -> list[dict]:
    path = REPO / "data" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict]]:
    return {name: load_split(name) for name in SPLITS}


@pytest.fixture(scope="module")
def unlabelled() -> list[dict]:
    return load_split(UNLABELLED)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))}


def near_duplicate_pairs(texts: list[str], others: list[str] = ()) -> list[tuple[str, str, float]]:
    """Pairs whose word sets overlap by Jaccard >= 0.8, among pairs sharing word trigrams."""
    sets = [shingles(t) for t in [*texts, *others]]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, items in enumerate(sets):
        for item in items:
            index[item].append(i)
    shared: Counter = Counter()
    for members in index.values():
        if len(members) < 50:  # a trigram in 50+ sentences is boilerplate, not evidence of copying
            shared.update(combinations(members, 2))
    everything = [*texts, *others]
    pairs = []
    for (i, j), count in shared.items():
        if others and (i >= len(texts)) == (j >= len(texts)):
            continue  # with `others`, only cross pairs count
        if count < 2:
            continue
        first, second = set(words(everything[i])), set(words(everything[j]))
        jaccard = len(first & second) / len(first | second)
        if jaccard >= NEAR_DUPLICATE_JACCARD:
            pairs.append((everything[i], everything[j], jaccard))
    return pairs


def test_every_row_follows_the_schema_and_the_guide_labels(corpus) -> None:
    for name, rows in corpus.items():
        for line, row in enumerate(rows, start=1):
            where = f"data/{name}.jsonl line {line}"
            assert REQUIRED <= row.keys() <= REQUIRED | OPTIONAL, where
            assert isinstance(row["text"], str) and row["text"].strip() == row["text"] and row["text"], where
            assert row["stance"] in DEFAULT_STANCE_LABELS, where
            assert row["sentiment"] in DEFAULT_SENTIMENT_LABELS, where
            if "hard_case" in row:
                assert row["stance"] in HARD_CASES[row["hard_case"]], where


def test_ids_are_unique_and_articles_stay_in_one_split(corpus) -> None:
    ids = [row["id"] for rows in corpus.values() for row in rows]
    assert len(ids) == len(set(ids))
    split_of_article: dict[str, set[str]] = defaultdict(set)
    for name, rows in corpus.items():
        for row in rows:
            split_of_article[row["article_id"]].add(name)
    assert not {article: s for article, s in split_of_article.items() if len(s) > 1}


def test_no_duplicate_or_near_duplicate_sentences(corpus) -> None:
    texts = [row["text"] for rows in corpus.values() for row in rows]
    normalised = Counter(" ".join(words(t)) for t in texts)
    assert [t for t, n in normalised.items() if n > 1] == []
    assert near_duplicate_pairs(texts) == []


def test_the_near_duplicate_check_can_fail() -> None:
    pairs = near_duplicate_pairs([
        "Rebels shelled the airport overnight, killing three soldiers, the army said on Tuesday.",
        "Rebels shelled the airport overnight, killing four soldiers, the army said on Tuesday.",
        "The bridge was built in 1962.",
    ])
    assert len(pairs) == 1


def word_ngrams(text: str, size: int = LEAK_NGRAM) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_nothing_from_the_evaluation_set(corpus, unlabelled) -> None:
    """No evaluation sentence, near-copy, or six-word run of one: the corpus is written, not borrowed."""
    if not SHARED_DEV.is_file():
        pytest.skip(f"{SHARED_DEV} is absent (it exists beside the project checkout and in CI, not in a user's clone)")
    held_out = [json.loads(line)["text"] for line in SHARED_DEV.read_text(encoding="utf-8").splitlines()]
    ours = [row["text"] for rows in corpus.values() for row in rows] + [row["text"] for row in unlabelled]
    assert {" ".join(words(t)) for t in ours} & {" ".join(words(t)) for t in held_out} == set()
    assert near_duplicate_pairs(ours, held_out) == []
    held_out_runs = set().union(*(word_ngrams(text) for text in held_out))
    assert [text for text in ours if word_ngrams(text) & held_out_runs] == []


def test_size_balance_breadth_and_hard_cases(corpus) -> None:
    rows = [row for split in corpus.values() for row in split]
    stance = Counter(row["stance"] for row in rows)
    sentiment = Counter(row["sentiment"] for row in rows)
    assert len(rows) >= 4000
    assert min(stance[label] for label in DEFAULT_STANCE_LABELS) >= 500, stance
    assert min(sentiment[label] for label in DEFAULT_SENTIMENT_LABELS) >= 600, sentiment
    hard_cases = Counter(row["hard_case"] for row in rows if "hard_case" in row)
    assert sum(hard_cases.values()) >= 2000, hard_cases  # written on purpose, one rule of the guide each
    assert set(hard_cases) == set(HARD_CASES) and min(hard_cases.values()) >= 80, hard_cases
    settings = {row["article_id"].rsplit("-", 1)[0] for row in rows}
    assert len(settings) >= 30, sorted(settings)
    for name in ("dev", "test"):
        assert set(Counter(row["stance"] for row in corpus[name])) == set(DEFAULT_STANCE_LABELS)


def test_the_unlabelled_sentences_are_new_and_kept_apart_from_the_evaluation_splits(corpus, unlabelled) -> None:
    """data/unlabelled.jsonl: text only, no copies among themselves, none from the corpus, nothing near dev or test."""
    for line, row in enumerate(unlabelled, start=1):
        assert row.keys() == {"id", "text"} and row["text"] and row["text"] == " ".join(row["text"].split()), line
    assert len({row["id"] for row in unlabelled}) == len(unlabelled)
    texts = [row["text"] for row in unlabelled]
    assert [t for t, n in Counter(" ".join(words(t)) for t in texts).items() if n > 1] == []
    labelled = {" ".join(words(row["text"])) for rows in corpus.values() for row in rows}
    assert [t for t in texts if " ".join(words(t)) in labelled] == []
    assert near_duplicate_pairs(texts) == []
    held_out = [row["text"] for name in ("dev", "test") for row in corpus[name]]
    assert near_duplicate_pairs(texts, held_out) == []  # dev picks checkpoints and fits the calibration


def test_the_teacher_file_covers_the_training_and_unlabelled_sentences(corpus, unlabelled) -> None:
    """data/teacher-large.jsonl is `newsstance teach` over train.jsonl and unlabelled.jsonl: no more, no less."""
    probs = read_teacher_file(TEACHER_FILE, DEFAULT_STANCE_LABELS, DEFAULT_SENTIMENT_LABELS)
    expected = {normalised(row["text"]) for row in [*corpus["train"], *unlabelled]}
    assert set(probs) == expected
