"""The features both the trainer and the runtime model use: one function, one truth."""

from collections import Counter

from bot.nlu.normalize import arabizi_words, concept_of, normalize

MAX_CHARS = 1500


def features(text: str) -> Counter[str]:
    """Character 2–5-grams inside space-padded words, whole words, shared meanings.

    Character grams survive typos and Darija's free spelling; whole words keep
    programme names and short keywords decisive. A loanword and its variants also give
    one meaning feature (c:cooperative for الكوبيراتيف, lkoperativ and تعاونية), so a
    spelling seen in few phrases still counts as the word. Latin words spelt with Arabizi
    digits (m3a, ch7al) give an `arabizi` feature: normalising turns the digits into
    letters, and the digits themselves are evidence of Darija. Very long texts are cut,
    keeping the start and the end, where people put their actual question.
    """
    text = _head_and_tail(text)
    normalized = normalize(text)
    words = normalized.split()
    # Grams are most of the time per message: one list counted by Counter in C is quickest.
    grams: Counter[str] = Counter(
        [
            padded[start : start + size]
            for padded in [f" {word} " for word in words]
            for size in range(2, 6)
            for start in range(len(padded) - size + 1)
        ]
    )
    grams.update("w:" + word for word in words)
    grams.update("c:" + concept for concept in map(concept_of, words) if concept)
    arabizi = arabizi_words(text)
    if arabizi:
        grams["arabizi"] = arabizi
    return grams


def _head_and_tail(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return f"{text[:half]} {text[-half:]}"
