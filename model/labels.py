"""The default label set of the annotation guide; a training config may define another."""

DEFAULT_STANCE_LABELS: tuple[str, ...] = (
    "official_assertion",
    "denial",
    "hedge",
    "battlefield_report",
    "other",
)
DEFAULT_SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
HEADS = ("stance", "sentiment")  # the two questions asked of every sentence, in this order everywhere
