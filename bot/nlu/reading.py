"""Reading a message: find the ask.

A greeting or a name before the question is not what is asked ("salam 3likom bghit n3ref
3la IGP"): what follows it is read. People tell their story first ("ana mra men douar,
kan5dem f ddar… kifach ndir cooperative?"). The whole text dilutes the question, so each
sentence is read too, and the one to act on is the most confident, preferring a question,
and the last one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.nlu import OUT_OF_SCOPE, Understand, Understanding
from bot.nlu.opening import after_opening, introduces_self

LONG_MESSAGE_WORDS = 18
_SENTENCE_END = re.compile(r"(?<=[.!?؟\n])\s*|[،,;؛]\s+(?=\S+\s+\S+\s+\S+)")
_QUESTION_WORDS = re.compile(
    r"\b(kifach|kifech|chno|achno|ch7al|chhal|wach|fin|fayn|3lach|imta|comment|combien|"
    r"quoi|quel|quelle|quels|où|pourquoi|est-ce)\b|"
    r"(كيفاش|شنو|اشنو|شحال|واش|فين|علاش|امتى|كيف|ماذا|ما هي|ما هو|هل|أين|اين|كم|متى|لماذا)"
)


def read_message(
    text: str, understand: Understand, confident: float = 0.6
) -> tuple[Understanding, str]:
    """The understanding to act on, and the words it comes from (the ask, or the whole)."""
    whole, ask = _after_greeting(text, understand)
    if _only_introduces(text, ask, whole, confident):
        return replace(whole, intent="greeting", confidence=1.0), ask
    if len(ask.split()) < LONG_MESSAGE_WORDS:
        return whole, ask
    sentences = [s.strip() for s in _SENTENCE_END.split(ask) if len(s.split()) >= 2]
    if len(sentences) < 2:
        return whole, ask
    reads = [(understand(s), index, s) for index, s in enumerate(sentences)]
    sure = [r for r in reads if r[0].intent != OUT_OF_SCOPE and r[0].confidence >= confident]
    pool = sure or [r for r in reads if r[0].intent != OUT_OF_SCOPE]
    if not pool:
        return whole, ask
    best, _index, sentence = max(
        pool, key=lambda r: (asks_question(r[2]), r[1] if sure else 0, r[0].confidence)
    )
    if not sure and best.confidence <= whole.confidence:
        return whole, ask
    return Understanding(
        best.intent,
        best.confidence,
        whole.language,
        whole.script,
        best.top,
        whole.language_confidence,
    ), sentence


def _after_greeting(text: str, understand: Understand) -> tuple[Understanding, str]:
    """The reading of what follows a greeting, in the language of the whole message
    ("Salam, je veux recevoir…" is French), and those words."""
    whole = understand(text)
    ask = after_opening(text) or text
    if ask == text:
        return whole, text
    question = understand(ask)
    return replace(
        question,
        language=whole.language,
        script=whole.script,
        language_confidence=whole.language_confidence,
    ), ask


def _only_introduces(text: str, ask: str, reading: Understanding, confident: float) -> bool:
    """A greeting, then who writes, and no question: "Bonjour, je suis Fatima de Taroudant"."""
    unsure = reading.intent == OUT_OF_SCOPE or reading.confidence < confident
    return ask != text and unsure and introduces_self(ask) and not asks_question(ask)


def asks_question(sentence: str) -> bool:
    """A question mark or a question word ("kifach", "شنو", "comment")."""
    return "?" in sentence or "؟" in sentence or bool(_QUESTION_WORDS.search(sentence.lower()))
