"""Copies of labelled sentences with words deleted: stand-ins for text further from the training corpus.

The temperature fitted on clean dev data is only right for data like the dev data. Real news is
further from the (invented) training corpus than the dev split is, so the model is over-confident
there. Following Tomani et al. (2021, "Post-hoc uncertainty calibration for domain drift
scenarios"), `calibrate` fits one temperature on the dev sentences plus copies perturbed at several
strengths, so the temperature holds across a range of accuracies instead of at one point.
"""

from collections.abc import Sequence

import numpy as np

DEFAULT_RATES = (0.0, 0.1, 0.2, 0.3)
DEFAULT_SEED = 0


def is_rate(rate: float) -> bool:
    """A share of words to delete: 0 keeps the text, 1 would delete everything and is refused."""
    return 0.0 <= rate < 1.0


def drop_words(texts: Sequence[str], rate: float, seed: int = DEFAULT_SEED) -> list[str]:
    """Delete each whitespace-separated word with probability `rate`; never leave a sentence empty."""
    if not is_rate(rate):
        raise ValueError(f"word dropout rate {rate} is outside [0, 1)")
    if rate == 0.0:
        return list(texts)
    rng = np.random.default_rng(seed)
    perturbed = []
    for text in texts:
        words = text.split()
        kept = [word for word, draw in zip(words, rng.random(len(words))) if draw >= rate]
        perturbed.append(" ".join(kept) if kept else (words[0] if words else text))
    return perturbed
