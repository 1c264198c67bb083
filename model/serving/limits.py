"""What one request may ask of the server; light to import, so the CLI takes its defaults from here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeLimits:
    """Larger requests get a 413 (body) or a 422 naming the limit and the field."""

    max_body_bytes: int = 2_000_000
    max_texts: int = 256
    max_text_chars: int = 5_000
    max_articles: int = 64
    max_article_chars: int = 100_000
