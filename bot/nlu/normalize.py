"""Text normalisation for matching (never for display).

Order matters: diacritics go before any tokenising, because rapidfuzz's default processor
turns Arabic harakat into spaces and splits words into letters.
"""

import re
import unicodedata

_ARABIC_LETTERS = str.maketrans({
    "ة": "ه", "ى": "ي", "ٱ": "ا", "ک": "ك", "ی": "ي", "ڭ": "ك", "گ": "ك", "ڤ": "ف", "ـ": None,
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8",
    "٩": "9", "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7",
    "۸": "8", "۹": "9", "؟": "?", "،": ",", "؛": ";",
})
_ARABIZI = {"2": "a", "3": "a", "5": "kh", "7": "h", "8": "gh", "9": "q"}
_NUMBER_WITH_UNIT = re.compile(r"^\d+(h|dh|mn|min|k|m|er|ere|eme|e|st|nd|rd|th|s)?$")
_TOKEN = re.compile(r"[a-z0-9]+")
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_LATIN_VARIANTS = (("sh", "ch"), ("ou", "u"), ("ph", "f"))


def strip_marks(text: str) -> str:
    """Remove combining marks: Arabic harakat, hamza/madda carriers, Latin accents."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def clean(text: str) -> str:
    """Display-safe text: NFKC; control characters become spaces, invisible marks go."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(_clean_character(c) for c in text).strip()


def _clean_character(character: str) -> str:
    category = unicodedata.category(character)
    if category in ("Cf", "Co", "Cs"):
        return ""
    return " " if category == "Cc" and character != "\n" else character


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


def has_arabizi(text: str) -> bool:
    """True when a Latin word spells an Arabic sound with a digit (m3a, ch7al, 9rib)."""
    return any(
        _token_has_arabizi(token) for token in _TOKEN.findall(strip_marks(text).casefold())
    )


def _token_has_arabizi(token: str) -> bool:
    if token.isdigit() or _NUMBER_WITH_UNIT.match(token):
        return False
    return any(digit in token for digit in _ARABIZI) and any(c.isalpha() for c in token)


def script_of(text: str) -> str:
    """'arab' when at least as many words start with an Arabic letter as with a Latin one."""
    arabic = latin = 0
    for word in text.split():
        letter = next((c for c in word if c.isalpha()), "")
        arabic += "\u0600" <= letter <= "\u06ff" or "\u0750" <= letter <= "\u077f"
        latin += letter.isascii() or "\u00c0" <= letter <= "\u024f"
    return "arab" if arabic and arabic >= latin else "latn"
