"""Why model/articles/segment.py uses pysbd, not syntok: both maintained segmenters scored on tricky invented news text.

Run: python benchmarks/segmenter_choice.py
Each case is an invented news paragraph with the sentences a copy editor would cut it into.
A case counts as right only when every cut is right; boundary precision/recall count single cuts.
"""

import time
from collections.abc import Callable

import pysbd
import syntok.segmenter

CASES: list[tuple[str, list[str]]] = [
    (
        "KYIV, March 3 (Reuters) - Col. Ivan Petrenko said the U.S. had sent 3.5 tonnes of aid. "
        "The shipment arrived on Monday.",
        [
            "KYIV, March 3 (Reuters) - Col. Ivan Petrenko said the U.S. had sent 3.5 tonnes of aid.",
            "The shipment arrived on Monday.",
        ],
    ),
    (
        '"We will not retreat," Mr. Haddad told reporters. "Not one metre." The army did not comment.',
        ['"We will not retreat," Mr. Haddad told reporters.', '"Not one metre."', "The army did not comment."],
    ),
    (
        "Lt. Gen. Sarah Okafor, who commands U.N. forces in the area, said the convoy left at 6 a.m. "
        "It reached the border by noon.",
        [
            "Lt. Gen. Sarah Okafor, who commands U.N. forces in the area, said the convoy left at 6 a.m.",
            "It reached the border by noon.",
        ],
    ),
    (
        "Prices rose 4.7% in May, the ministry said. Analysts had expected 3.9%.",
        ["Prices rose 4.7% in May, the ministry said.", "Analysts had expected 3.9%."],
    ),
    (
        "Dr. Amira Nasser asked: \"Where are the ambulances?\" Nobody answered.",
        ['Dr. Amira Nasser asked: "Where are the ambulances?"', "Nobody answered."],
    ),
    (
        "The U.S. State Department said it was \"deeply concerned.\" Russia rejected the statement.",
        ['The U.S. State Department said it was "deeply concerned."', "Russia rejected the statement."],
    ),
    (
        "GENEVA (AP) — Talks resumed on Tuesday. Gen. Mark Ellis (ret.) called them \"a last chance\".",
        ["GENEVA (AP) — Talks resumed on Tuesday.", 'Gen. Mark Ellis (ret.) called them "a last chance".'],
    ),
    (
        "About 1,200 people fled Sgt. Ruiz's village, St. Mary's parish said. Some returned by Friday.",
        ["About 1,200 people fled Sgt. Ruiz's village, St. Mary's parish said.", "Some returned by Friday."],
    ),
    (
        "The strike hit at 11:45 p.m. local time. Three people were killed, officials said.",
        ["The strike hit at 11:45 p.m. local time.", "Three people were killed, officials said."],
    ),
    (
        "Is this the end of the ceasefire? Few diplomats think so. Still, no one is sure!",
        ["Is this the end of the ceasefire?", "Few diplomats think so.", "Still, no one is sure!"],
    ),
    (
        "Col. Smith’s unit withdrew… Then the shelling stopped. „Wir bleiben“, sagte er.",
        ["Col. Smith’s unit withdrew…", "Then the shelling stopped.", "„Wir bleiben“, sagte er."],
    ),
    (
        "Gov. Harris signed the order on Jan. 5 in Washington, D.C. The order takes effect Feb. 1.",
        [
            "Gov. Harris signed the order on Jan. 5 in Washington, D.C.",
            "The order takes effect Feb. 1.",
        ],
    ),
    (
        "Officials said 2.5 million people remain displaced. The figure could not be verified.",
        ["Officials said 2.5 million people remain displaced.", "The figure could not be verified."],
    ),
    (
        "Ceasefire holds in north\n\nBy Anna Lee\n\nThe guns fell silent at dawn, residents said.",
        ["Ceasefire holds in north", "By Anna Lee", "The guns fell silent at dawn, residents said."],
    ),
]


def split_pysbd(text: str) -> list[str]:
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return [span.sent.strip() for span in segmenter.segment(text) if span.sent.strip()]


def split_syntok(text: str) -> list[str]:
    return [
        text[sentence[0].offset : sentence[-1].offset + len(sentence[-1].value)]
        for paragraph in syntok.segmenter.analyze(text)
        for sentence in paragraph
    ]


def cut_points(sentences: list[str]) -> set[int]:
    """Cuts as positions in the whitespace-free text, so spacing differences do not count."""
    points, position = set(), 0
    for sentence in sentences:
        position += len("".join(sentence.split()))
        points.add(position)
    return points


def score(split: Callable[[str], list[str]]) -> dict[str, float]:
    exact = true_cuts = predicted_cuts = expected_cuts = 0
    started = time.perf_counter()
    for text, expected in CASES:
        got = split(text)
        exact += got == expected
        want, have = cut_points(expected), cut_points(got)
        true_cuts += len(want & have)
        predicted_cuts += len(have)
        expected_cuts += len(want)
    return {
        "cases_right": exact,
        "precision": true_cuts / predicted_cuts,
        "recall": true_cuts / expected_cuts,
        "ms": (time.perf_counter() - started) * 1000,
    }


def main() -> None:
    print(f"{len(CASES)} invented news paragraphs")
    print(f"{'segmenter':<10} {'cases right':>11} {'cut precision':>14} {'cut recall':>11} {'time ms':>8}")
    for name, split in (("pysbd", split_pysbd), ("syntok", split_syntok)):
        result = score(split)
        print(
            f"{name:<10} {result['cases_right']:>5}/{len(CASES):<5} {result['precision']:>14.3f}"
            f" {result['recall']:>11.3f} {result['ms']:>8.1f}"
        )
        for text, expected in CASES:
            got = split(text)
            if got != expected:
                print(f"    wrong: {got}")


if __name__ == "__main__":
    main()
