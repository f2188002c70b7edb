"""Choosing and changing the conversation language."""

from bot.flows.base import Turn
from bot.flows.smalltalk import show_menu
from bot.i18n import _, use_language
from bot.messages import Button, Outbound
from bot.nlu.normalize import normalize

LANGUAGE_BUTTONS = (
    Button("lang:ary", "الدارجة"),
    Button("lang:ar", "العربية"),
    Button("lang:fr", "Français"),
)
_NAMES = {
    "fr": ("français", "francais", "fransawi", "fransawiya", "french", "فرنسية", "الفرنسية",
           "بالفرنسية", "فرنساوية", "بالفرنساوية", "الفرونسي"),
    "ar": ("arabe", "arabiya", "l'arabiya", "fos7a", "fusha", "العربية", "بالعربية", "الفصحى",
           "بالفصحى", "عربية"),
    "ary": ("darija", "darja", "derija", "الدارجة", "بالدارجة", "دارجة", "marocain"),
}
_NAMED = {language: {normalize(n) for n in names} for language, names in _NAMES.items()}


def ask_language(turn: Turn) -> list[Outbound]:
    return [Outbound(_("Which language do you prefer?"), LANGUAGE_BUTTONS)]


def change_language(turn: Turn) -> list[Outbound]:
    """Switch at once when the message names a language, otherwise ask."""
    named = requested_language(turn.inbound.text)
    return choose_language(turn, named) if named else ask_language(turn)


def choose_language(turn: Turn, language: str) -> list[Outbound]:
    turn.conversation.language = language
    with use_language(language):
        return show_menu(turn)


def requested_language(text: str) -> str | None:
    words = f" {normalize(text)} "
    for language, names in _NAMED.items():
        if any(f" {name} " in words or f" b{name} " in words for name in names):
            return language
    return None
