"""Text normalisation for matching (never for display).

Order matters: diacritics go before any tokenising, because rapidfuzz's default processor
turns Arabic harakat into spaces and splits words into letters.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps

_ARABIC_LETTERS = str.maketrans(
    {
        "ة": "ه",
        "ى": "ي",
        "ٱ": "ا",
        "ک": "ك",
        "ی": "ي",
        "ڭ": "ك",
        "گ": "ك",
        "ڤ": "ف",
        "پ": "ب",
        "ـ": None,
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
        "؟": "?",
        "،": ",",
        "؛": ";",
    }
)
_ARABIZI = {"2": "a", "3": "a", "5": "kh", "7": "h", "8": "gh", "9": "q"}
_NUMBER_WITH_UNIT = re.compile(r"^\d+(h|dh|mn|min|k|m|er|ere|eme|e|st|nd|rd|th|s)?$")
_TOKEN = re.compile(r"[a-z0-9]+")
_ARABIZI_DIGIT = re.compile("[2357-9]")
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_LATIN_VARIANTS = (("sh", "ch"), ("ou", "u"), ("ph", "f"))


def _remembered_when_short(function: Callable[[str], str]) -> Callable[[str], str]:
    """A turn reads its message a dozen times (intent, topics, consent, times, language…):
    the result for a message-sized text is kept; a huge one is not, to bound the memory."""
    remembered = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def result(text: str) -> str:
        return remembered(text) if len(text) <= 2000 else function(text)

    return result


def strip_marks(text: str) -> str:
    """Remove combining marks: Arabic harakat, hamza/madda carriers, Latin accents."""
    if text.isascii():  # most Latin messages: nothing to decompose
        return text
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


@_remembered_when_short
def clean(text: str) -> str:
    """Display-safe text: NFKC; control characters become spaces, invisible marks go."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(_clean_character(c) for c in text).strip()


def _clean_character(character: str) -> str:
    category = unicodedata.category(character)
    if category in ("Cf", "Co", "Cs"):
        return ""
    return " " if category == "Cc" and character != "\n" else character


def fold(text: str) -> str:
    """A lighter matching form that keeps punctuation, digits and spelling (for patterns
    such as bot/content/forbidden_claims.yaml): no marks, one form per Arabic letter."""
    return strip_marks(clean(text)).translate(_ARABIC_LETTERS)


@_remembered_when_short
def normalize(text: str) -> str:
    """The matching form: one space-separated string of comparable tokens."""
    text = strip_marks(clean(text)).translate(_ARABIC_LETTERS).casefold()
    text = _ELONGATION.sub(r"\1", text)
    text = _NOT_WORD.sub(" ", text.replace("_", " "))
    text = _TOKEN.sub(lambda m: _latin_token(m.group()), text)
    return _SPACES.sub(" ", text).strip()


def _latin_token(token: str) -> str:
    if _token_has_arabizi(token):
        for written, spoken in _ARABIZI.items():
            token = token.replace(written, spoken)
    for variant, canonical in _LATIN_VARIANTS:
        token = token.replace(variant, canonical)
    return token


# Loanwords, their Arabic words and their Latin spellings, by the one meaning they share.
# Moroccans write the French word in Arabic letters (الكوبيراتيف، البانكة), in Arabizi
# (lkoperativ, banka) or in French, and the same thing in MSA (تعاونية، بنك، محكمة).
# Entries are normalised forms (ة→ه, پ→ب, no accents, ou→u, sh→ch) without article.
_CONCEPT_WORDS: dict[str, tuple[str, ...]] = {
    "cooperative": (
        "تعاونيه",
        "تعاونيات",
        "تعاونيتي",
        "تعاونيتنا",
        "تعاونيتكم",
        "كوبيراتيف",
        "كوبراتيف",
        "كوبيرتيف",
        "كوبرتيف",
        "كوبيراتيفه",
        "كوبراتيفه",
        "كوبيراتيفا",
        "كوبيراتيفات",
        "cooperative",
        "cooperatives",
        "cooperativ",
        "cooperatif",
        "cooperativa",
        "cooperativat",
        "coperative",
        "coperativ",
        "koperativ",
        "kooperativ",
        "kuperativ",
        "kubiratif",
        "kobiratif",
        "koperatif",
        "kuperatif",
        "kopirativ",
        "coop",
        "coops",
        "taawniya",
        "taawniyya",
        "taawuniya",
        "taawuniyya",
        "taawnia",
    ),
    "bank": (
        "بانكه",
        "بانكا",
        "بانك",
        "بنك",
        "بنوك",
        "بانكات",
        "banka",
        "banke",
        "banque",
        "banques",
        "bank",
        "bnk",
        "bankat",
    ),
    "court": (
        "طريبونال",
        "تريبونال",
        "طريبينال",
        "محكمه",
        "محاكم",
        "tribunal",
        "tribunale",
        "tribinal",
        "tribonal",
        "mahkama",
        "mhkama",
    ),
    "file": ("دوسي", "دوسيه", "ملف", "dossier", "dosi", "dossie", "dusi", "dussi", "dossi"),
    "credit": ("كريدي", "كريديت", "قرض", "قروض", "credit", "kredi", "kridi", "credi"),
    "attestation": (
        "لاطيسطاسيون",
        "طيسطاسيون",
        "اطيسطاسيون",
        "لاتيستاسيون",
        "اتيستاسيون",
        "شهاده",
        "attestation",
        "atestation",
        "atestasion",
        "attestasion",
        "latestation",
    ),
}
_CONCEPTS = {word: concept for concept, words in _CONCEPT_WORDS.items() for word in words}
# An article or a clitic preposition glued to the word: الكوبيراتيف، فالبانكة، للمحكمة,
# lcooperative, flbanka.
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "ول", "فل", "بل", "و", "ف", "ب", "ل")
_LATIN_PREFIXES = ("fl", "bl", "wl", "el", "al", "l", "f", "b")
# Every written form, prefixed or not, in one table: one lookup per word at run time.
_PREFIXED = {
    prefix + word: concept
    for word, concept in _CONCEPTS.items()
    for prefix in (_LATIN_PREFIXES if word.isascii() else _ARABIC_PREFIXES)
}
_FORMS = {**_PREFIXED, **_CONCEPTS}


def concept_of(word: str) -> str | None:
    """The shared meaning of a normalised word (with or without article), if it has one."""
    return _FORMS.get(word)


def canonical(text: str) -> str:
    """The normalised text with every known loanword or variant replaced by its meaning."""
    return " ".join(concept_of(word) or word for word in normalize(text).split())


def has_arabizi(text: str) -> bool:
    """True when a Latin word spells an Arabic sound with a digit (m3a, ch7al, 9rib)."""
    return arabizi_words(text) > 0


def arabizi_words(text: str) -> int:
    """How many Latin words spell an Arabic sound with a digit."""
    if not _ARABIZI_DIGIT.search(text):  # most messages: skip the costly mark stripping
        return 0
    return sum(map(_token_has_arabizi, _TOKEN.findall(strip_marks(text).casefold())))


def latin_words(text: str) -> int:
    return len(_TOKEN.findall(strip_marks(text).casefold()))


def _token_has_arabizi(token: str) -> bool:
    if not _ARABIZI_DIGIT.search(token):  # most words: one regex test instead of six
        return False
    if token.isdigit() or _NUMBER_WITH_UNIT.match(token):
        return False
    return any(digit in token for digit in _ARABIZI) and any(c.isalpha() for c in token)


FRAMED = 2  # French words per Arabic one that an Arabic sentence may carry as names of things


def script_of(text: str) -> str:
    """'arab' when at least as many words start with an Arabic letter as with a Latin one,
    or when the sentence is Arabic around French names of things: an Arabic word opens it
    and the French ones are not too many ("بغيت نتوصل ب les appels à projets")."""
    scripts = [script for script in map(_word_script, text.split()) if script]
    arabic = scripts.count("arab")
    latin = len(scripts) - arabic
    framed = bool(scripts) and scripts[0] == "arab" and FRAMED * arabic >= latin
    return "arab" if arabic and (arabic >= latin or framed) else "latn"


def _word_script(word: str) -> str | None:
    """The script of a word's first letter; None for a number or a mark."""
    letter = next((c for c in word if c.isalpha()), "")
    if "\u0600" <= letter <= "\u06ff" or "\u0750" <= letter <= "\u077f":
        return "arab"
    return "latn" if letter else None
