"""The features both the trainer and the runtime model use: one function, one truth."""

from collections import Counter

from bot.nlu.normalize import normalize

MAX_CHARS = 1500


def features(text: str) -> Counter[str]:
    """Character 2–5-grams inside space-padded words, plus whole words.

    Character grams survive typos and Darija's free spelling; whole words keep
    programme names and short keywords decisive. Very long texts are cut, keeping the
    start and the end, where people put their actual question.
    """
    normalized = normalize(_head_and_tail(text))
    grams: Counter[str] = Counter()
    for word in normalized.split():
        grams["w:" + word] += 1
        padded = f" {word} "
        for size in range(2, 6):
            for start in range(len(padded) - size + 1):
                grams[padded[start:start + size]] += 1
    return grams


def _head_and_tail(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return f"{text[:half]} {text[-half:]}"
