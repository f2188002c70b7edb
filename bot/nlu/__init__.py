"""Understanding a message offline: language, script and intent with a confidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from bot.nlu.darija import has_darija_words
from bot.nlu.features import features
from bot.nlu.model import LinearModel
from bot.nlu.normalize import arabizi_words, latin_words, script_of
from bot.nlu.opening import after_opening

OUT_OF_SCOPE = "out_of_scope"
_LANGUAGES_BY_SCRIPT = {"latn": ("fr", "ary"), "arab": ("ar", "ary")}
# From this share of Arabizi words (m3a, ch7al), a Latin message is Darija whatever the
# model says: French never spells a word with 3, 7 or 9. Below it, one Arabizi word still
# makes the message Darija (mixing French into Darija is normal), unless French is this
# likely: "Bonsoir, salam 3likom, je voudrais la liste des documents" is mostly French.
ARABIZI_SHARE = 0.25
MOSTLY_FRENCH = 0.8
# Likewise a Darija word (شكون, واش, ديال: bot/nlu/darija_words.yaml) makes a message in
# Arabic letters Darija unless MSA is this likely ("السلام، أنا خياط ففاس، شكون هي ODCO؟"
# reads as MSA to the model, its greeting and names being shared).
MOSTLY_MSA = 0.8


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: str
    confidence: float
    language: str | None
    script: str
    top: tuple[tuple[str, float], ...] = ()
    language_confidence: float = 0.0


Understand = Callable[[str], Understanding]


class Understander:
    def __init__(self, model: LinearModel) -> None:
        self.model = model

    def __call__(self, text: str) -> Understanding:
        script = script_of(after_opening(text) or text)  # "Salam, بغيت…" is Arabic
        indices, values = self.model.vectorize(features(text))
        if not len(indices):
            return Understanding(OUT_OF_SCOPE, 0.0, None, script)
        intents, languages = self.model.predict(indices, values)
        labelled = zip(self.model.intent.labels, intents.tolist(), strict=True)
        ranked = sorted(labelled, key=lambda pair: -pair[1])[:3]
        language, language_confidence = self._language(languages, text, script)
        return Understanding(
            intent=ranked[0][0],
            confidence=round(ranked[0][1], 4),
            language=language,
            script=script,
            top=tuple((i, round(p, 4)) for i, p in ranked),
            language_confidence=language_confidence,
        )

    def _language(self, languages: np.ndarray, text: str, script: str) -> tuple[str, float]:
        """The most likely language among those written in this script."""
        arabizi = arabizi_words(text) if script == "latn" else 0
        if arabizi and arabizi >= ARABIZI_SHARE * latin_words(text):
            return "ary", 1.0
        probabilities = dict(zip(self.model.language.labels, languages.tolist(), strict=True))
        candidates = {code: probabilities.get(code, 0.0) for code in _LANGUAGES_BY_SCRIPT[script]}
        total = sum(candidates.values())
        if arabizi and candidates["fr"] / total < MOSTLY_FRENCH:
            return "ary", round(candidates["ary"] / total, 4)
        if script == "arab" and candidates["ar"] / total < MOSTLY_MSA and has_darija_words(text):
            return "ary", round(max(candidates["ary"] / total, MOSTLY_MSA), 4)
        best = max(candidates, key=candidates.__getitem__)
        return best, round(candidates[best] / total, 4)


@cache
def default_understander() -> Understander:
    return Understander(LinearModel.load())


def understand(text: str) -> Understanding:
    return default_understander()(text)
