"""`--format html`: a self-contained page where untrusted article text is shown, never run."""

import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsstance.cli import main

HOSTILE = (
    "Officials said <script>alert(1)</script> was posted. "
    'The <b>ministry</b> denied "it" & more <img src=x onerror=alert(2)>. '
    "Shelling resumed at 4 a.m."
)
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)


class Elements(HTMLParser):
    """Every start tag with its attributes, to assert on what the browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def page(tiny_model_dir: Path, tmp_path: Path) -> Path:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "<i>evil id</i>", "text": HOSTILE}) + "\n"
        + json.dumps({"id": "calm", "text": "Talks resumed.\n\nA second paragraph."}) + "\n",
        encoding="utf-8",
    )
    output = tmp_path / "report.html"
    code = main([
        "score", str(articles), "--model", str(tiny_model_dir), "--format", "html",
        "--output", str(output), "--min-confidence", "0.3",
    ])
    assert code == 0
    return output


def test_article_text_is_escaped_and_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    elements = Elements()
    elements.feed(html)
    tags = {tag for tag, _ in elements.tags}
    assert tags.isdisjoint({"script", "img", "b", "i", "link", "iframe", "object"})
    assert not any(key.startswith("on") or key in {"src", "href"} for _, attrs in elements.tags for key in attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<h2>&lt;i&gt;evil id&lt;/i&gt;</h2>" in html
    assert re.search(r"<style>.*\.st0 \{ background: #[0-9a-f]{6}; \}", html, re.S)
    assert "uncertain" in html  # legend and counts carry the confidence floor's label
    assert html.rstrip().endswith("</html>")


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", *args,
            ],
            capture_output=True, text=True, timeout=90, check=True,
        )


@needs_chromium
def test_browser_shows_markup_as_text_and_renders_the_page(page: Path, tmp_path: Path) -> None:
    dom = chromium("--dump-dom", page.as_uri()).stdout
    elements = Elements()
    elements.feed(dom)
    assert not any(tag in {"script", "img", "b"} for tag, _ in elements.tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    sentences = [attrs for tag, attrs in elements.tags if tag == "span" and "title" in attrs]
    assert len(sentences) == 3 + 2
    screenshot = tmp_path / "report.png"
    chromium("--window-size=1000,900", f"--screenshot={screenshot}", page.as_uri())
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 10_000
