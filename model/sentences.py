"""When two files hold "the same sentence": one rule for every check that compares sentences across files."""


def sentence_key(text: str) -> str:
    """Case and runs of whitespace ignored, so a re-typed or re-wrapped copy of a sentence still matches."""
    return " ".join(text.casefold().split())
