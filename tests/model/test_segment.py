"""Sentence splitting: news-style cuts, and offsets that slice the original string exactly."""

import importlib.util
from pathlib import Path

import pytest

from model.articles.segment import split_sentences

REPO = Path(__file__).resolve().parents[2]


def texts(text: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KYIV, March 3 (Reuters) - Col. Ivan Petrenko said the U.S. had sent 3.5 tonnes. It arrived Monday.",
            ["KYIV, March 3 (Reuters) - Col. Ivan Petrenko said the U.S. had sent 3.5 tonnes.", "It arrived Monday."],
        ),
        (
            '"We will not retreat," Mr. Haddad said. "Not one metre." The army did not comment.',
            ['"We will not retreat," Mr. Haddad said.', '"Not one metre."', "The army did not comment."],
        ),
        (
            "Gen. Sarah Okafor said the convoy left at 6 a.m. on Friday. Prices rose 4.7%.",
            ["Gen. Sarah Okafor said the convoy left at 6 a.m. on Friday.", "Prices rose 4.7%."],
        ),
        (
            "Ceasefire holds\n\nGENEVA — Talks resumed. Dr. Amira Nasser asked: \"Where are the ambulances?\" Nobody answered.",
            ["Ceasefire holds", "GENEVA — Talks resumed.", 'Dr. Amira Nasser asked: "Where are the ambulances?"', "Nobody answered."],
        ),
    ],
)
def test_news_sentences_are_cut_where_an_editor_would(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_offsets_slice_non_ascii_text_with_crlf_newlines() -> None:
    text = "Ünïcødé façade in Kyiv — «Nein», sagte er.\r\nЗеленський заявив. 🙂 Done.\r\rLast line"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Ünïcødé façade in Kyiv — «Nein», sagte er.", "Зеленський заявив.", "🙂 Done.", "Last line",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


WRAPPED = (
    "KABUL, Afghanistan (AP) - Taliban fighters attacked a police checkpoint in\r\n"
    "the north on Monday, killing three officers, the governor said. A spokesman\r\n"
    "denied it.\r\n"
    "\r\n"
    "  The claims could not be verified.\n"
)


def test_wrapped_text_joins_lines_and_blank_lines_end_paragraphs() -> None:
    sentences = split_sentences(WRAPPED, wrapped=True)
    assert [" ".join(s.text.split()) for s in sentences] == [
        "KABUL, Afghanistan (AP) - Taliban fighters attacked a police checkpoint in the north on Monday, "
        "killing three officers, the governor said.",
        "A spokesman denied it.",
        "The claims could not be verified.",
    ]
    assert all(WRAPPED[s.start : s.end] == s.text for s in sentences)
    assert len(split_sentences(WRAPPED)) == 5  # by default every line break ends a sentence


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \r\n\t\n ") == []
    assert split_sentences(" \r\n\t\n ", wrapped=True) == []


def test_pysbd_is_chosen_because_it_beats_syntok_on_news_text() -> None:
    """The measurement behind the choice: benchmarks/segmenter_choice.py scores both on tricky news."""
    spec = importlib.util.spec_from_file_location("segmenter_choice", REPO / "benchmarks" / "segmenter_choice.py")
    choice = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(choice)
    pysbd_score, syntok_score = choice.score(choice.split_pysbd), choice.score(choice.split_syntok)
    assert pysbd_score["cases_right"] > syntok_score["cases_right"]
    assert pysbd_score["precision"] == 1.0  # never cuts after "Lt.", "Gov.", "Sgt." as syntok does
