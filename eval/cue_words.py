"""A rule baseline written from the annotation guide: if the model cannot beat cue words, it learned little."""

import re
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

# Checked in the guide's precedence order: the first label whose cues match wins.
STANCE_CUES: dict[str, str] = {
    "denial": (
        r"den(y|ies|ied|ying|ial)|reject(s|ed|ing)?|refut(e|es|ed|ing)|dismiss(es|ed|ing)?|"
        r"rebuff(s|ed)?|no truth|did not happen|never happened|fabricat(ed|ion)|fake|baseless|"
        r"groundless|false|not true|untrue|no (involvement|role)"
    ),
    "hedge": (
        r"may(?! \d)|might|could|likely|possibl[ey]|perhaps|potential(ly)?|appear(s|ed)? to|"
        r"seem(s|ed)?|suggest(s|ed)?|unclear|difficult to say|unconfirmed|"
        r"(independently )?verif(y|ied)|no indication|alleged(ly)?|suspected|believed to|feared|"
        r"expected to|reportedly|not known"
    ),
    "battlefield_report": (
        r"attack(s|ed|ing)?|(air ?)?strikes?|struck|shell(s|ed|ing)|shot down|missiles?|rockets?|"
        r"drones?|clash(es|ed)?|killed|wounded|casualties|prisoners?|captured|troops|artillery|"
        r"bomb(s|ed|ing|ings)?|offensive|front ?line|tanks?|shot|ambush(ed)?|raid(s|ed)?|retreat(ed)?|"
        r"advanc(ed|ing)|seized|recaptured|fighter jets?|gunmen|fighting"
    ),
    "official_assertion": (
        r"ministry|minister|government|spokes(man|woman|person)|president|officials?|embassy|"
        r"ambassador|united nations|u\.?n\.?|kremlin|washington|pentagon|white house|state department|"
        r"nato|authorities|governor|military|army|command|council|parliament|police"
    ),
}
FALLBACK_STANCE = "other"

SENTIMENT_CUES: dict[str, str] = {
    "negative": (
        r"kill(s|ed|ing)?|dead|deaths?|died|wounded|injur(ed|ies)|attack(s|ed)?|destr(oy|oyed|uction)|"
        r"threat(s|en|ened)?|loss(es)?|lost|fail(ed|ure)|accus(e|ed|es|ation)|condemn(s|ed)?|"
        r"fear(s|ed)?|desperat(e|ion)|bomb(s|ed|ing)?|shell(ed|ing)|strikes?|casualties|violence|war|"
        r"crisis|victims?|terror(ist|ism)?|massacre|displaced|famine|starv(e|ing|ation)"
    ),
    "positive": (
        r"rescu(e|ed)|relief|agree(d|ment)|ceasefire|truce|peace|progress|prais(e|ed)|welcom(e|ed)|"
        r"hope(s|ful)?|released|freed|success(ful)?|restored|reopen(ed)?|safe(ly|ty)?|aid|deal|"
        r"survived"
    ),
}
FALLBACK_SENTIMENT = "neutral"


def fits_labels(stance_labels: Sequence[str], sentiment_labels: Sequence[str]) -> bool:
    """The rules name the guide's labels; a model trained on another label set cannot be compared with them."""
    return set(stance_labels) == {*STANCE_CUES, FALLBACK_STANCE} and set(sentiment_labels) == {
        *SENTIMENT_CUES,
        FALLBACK_SENTIMENT,
    }


def _compile(cues: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {label: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for label, words in cues.items()}


class _CueWordClassifier(ClassifierMixin, BaseEstimator):
    """Rules need no fitting; `fit` only compiles the cue lists so the object works as an estimator."""

    cues: dict[str, str]
    fallback: str

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "_CueWordClassifier":
        self.classes_ = np.array([*self.cues, self.fallback])
        self.patterns_ = _compile(self.cues)
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._label(text) for text in texts])

    def _label(self, text: str) -> str:
        raise NotImplementedError


class CueWordStance(_CueWordClassifier):
    """The first label in precedence order whose cues occur; `other` when none does."""

    cues = STANCE_CUES
    fallback = FALLBACK_STANCE

    def _label(self, text: str) -> str:
        return next((label for label, cue in self.patterns_.items() if cue.search(text)), self.fallback)


class CueWordSentiment(_CueWordClassifier):
    """Whichever of the negative and positive cue lists matches more often (negative on a tie); else neutral."""

    cues = SENTIMENT_CUES
    fallback = FALLBACK_SENTIMENT

    def _label(self, text: str) -> str:
        negative = len(self.patterns_["negative"].findall(text))
        positive = len(self.patterns_["positive"].findall(text))
        if negative == positive == 0:
            return self.fallback
        return "negative" if negative >= positive else "positive"
