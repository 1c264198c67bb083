"""One self-contained HTML page for a scoring run: articles with sentences coloured by stance.

Article text is untrusted, so every piece of it is HTML-escaped; the page has inline CSS only, no
scripts and no external resources. It is written article by article as scoring goes, so memory stays
flat, but a browser still has to open the whole page: keep pages to some thousands of articles.
"""

from collections.abc import Iterable
from html import escape
from typing import TextIO

from model.articles.scoring import UNCERTAIN, ScoredArticle, ScoredSentence
from model.articles.writers import Labels, Totals, count_labels

STANCE_COLOURS = ("#cfe2ff", "#f9c6c6", "#ffe69c", "#e2d0f7", "#e4e6ea", "#c8eed9", "#fddcc4", "#d3f0f7")
SENTIMENT_COLOURS = ("#b42318", "#5b6474", "#067647", "#1d4ed8", "#9a3412", "#6d28d9")

PAGE_CSS = """
body { font: 16px/1.6 Georgia, 'Times New Roman', serif; color: #1f2328; background: #fafaf7;
       max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font: 600 1.6rem system-ui, sans-serif; margin-bottom: .2rem; }
h2 { font: 600 1.1rem system-ui, sans-serif; margin: 0 0 .6rem; overflow-wrap: anywhere; }
header p, .meta { font: .85rem system-ui, sans-serif; color: #57606a; }
.legend, .counts { font: .8rem system-ui, sans-serif; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; margin: 1rem 0;
          padding: .7rem 1rem; background: #fff; border: 1px solid #d8dee4; border-radius: 6px; }
.legend .key { font-weight: 700; margin-right: .2rem; }
.swatch { padding: 0 .45rem; border-radius: 3px; }
article { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 1rem 1.4rem;
          margin: 1.2rem 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.s { padding: .1rem .1rem; border-radius: 3px; box-decoration-break: clone;
     -webkit-box-decoration-break: clone; }
.uncertain { background: #fff; outline: 1px dashed #8c959f; }
sup.m { font: 700 .62rem system-ui, sans-serif; margin-left: .15rem; letter-spacing: .02em; }
table.counts { border-collapse: collapse; margin: .2rem 0 .8rem; }
table.counts th, table.counts td { padding: .1rem .55rem; border: 1px solid #e1e4e8; text-align: right; }
table.counts th { font-weight: 600; background: #f6f8fa; }
table.counts th:first-child { text-align: left; }
"""


def write_html(
    articles: Iterable[ScoredArticle], stream: TextIO, labels: Labels, title: str = "newsstance report"
) -> None:
    """Stream the page: head and legend first, then each article as it is scored, totals last."""
    stream.write(_head(labels, title))
    totals = Totals(labels)
    for article in articles:
        counts = count_labels(article, labels)
        totals.add(counts)
        stream.write(_article(article, counts, labels))
    stream.write(
        '<footer><article><h2>All articles</h2>'
        f'<p class="meta">{totals.articles} articles, {totals.sentences} sentences</p>'
        f"{_counts_table(totals.stance, totals.sentiment, labels)}</article></footer>\n</body>\n</html>\n"
    )


def _head(labels: Labels, title: str) -> str:
    stance_keys = "".join(
        f'<span class="s {_stance_class(label, labels)}">{escape(label)}</span>' for label in labels.stance
    )
    sentiment_keys = "".join(
        f"<span>{_marker(label, labels)} {escape(label)}</span>" for label in labels.sentiment
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}{_label_css(labels)}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1>"
        "<p>Each sentence is shaded by its stance and tagged by its sentiment; "
        "hover a sentence for the model's probabilities.</p>"
        f'<div class="legend"><span class="key">stance</span>{stance_keys}</div>'
        f'<div class="legend"><span class="key">sentiment</span>{sentiment_keys}</div></header>\n'
    )


def _label_css(labels: Labels) -> str:
    known = [label for label in labels.stance if label != UNCERTAIN]
    stance = "".join(
        f".st{i} {{ background: {STANCE_COLOURS[i % len(STANCE_COLOURS)]}; }}\n" for i in range(len(known))
    )
    sentiment = "".join(
        f".se{i} {{ color: {SENTIMENT_COLOURS[i % len(SENTIMENT_COLOURS)]}; }}\n"
        for i in range(len(labels.sentiment))
    )
    return stance + sentiment


def _stance_class(label: str, labels: Labels) -> str:
    """Classes come from label positions, never from label text, which a model config could set to anything."""
    return UNCERTAIN if label == UNCERTAIN else f"st{labels.stance.index(label)}"


def _marker(label: str, labels: Labels) -> str:
    return f'<sup class="m se{labels.sentiment.index(label)}">{escape(label[:3].upper())}</sup>'


def _article(article: ScoredArticle, counts: dict, labels: Labels) -> str:
    parts, position = [], 0
    for sentence in article.sentences:
        parts.append(escape(article.text[position : sentence.start]))
        parts.append(_sentence(sentence, labels))
        position = sentence.end
    parts.append(escape(article.text[position:]))
    return (
        f"<article><h2>{escape(article.id)}</h2>"
        f'<p class="meta">{counts["sentences"]} sentences</p>'
        f'{_counts_table(counts["stance"], counts["sentiment"], labels)}'
        f'<div class="text">{"".join(parts).strip()}</div></article>\n'
    )


def _sentence(sentence: ScoredSentence, labels: Labels) -> str:
    tooltip = (
        f"sentence {sentence.index}: {sentence.prediction.stance} {sentence.prediction.stance_score:.2f}, "
        f"{sentence.prediction.sentiment} {sentence.prediction.sentiment_score:.2f}"
    )
    return (
        f'<span class="s {_stance_class(sentence.stance, labels)}" title="{escape(tooltip)}">'
        f"{escape(sentence.text)}{_marker(sentence.prediction.sentiment, labels)}</span>"
    )


def _counts_table(stance: dict[str, int], sentiment: dict[str, int], labels: Labels) -> str:
    stance_cells = "".join(f'<td class="s {_stance_class(k, labels)}">{v}</td>' for k, v in stance.items())
    sentiment_cells = "".join(f"<td>{v}</td>" for v in sentiment.values())
    return (
        '<table class="counts"><tr><th>stance</th>'
        + "".join(f"<th>{escape(label)}</th>" for label in stance)
        + f"</tr><tr><th>sentences</th>{stance_cells}</tr></table>"
        '<table class="counts"><tr><th>sentiment</th>'
        + "".join(f"<th>{escape(label)}</th>" for label in sentiment)
        + f"</tr><tr><th>sentences</th>{sentiment_cells}</tr></table>"
    )
