"""Sourced answers from the content files, with their follow-up buttons."""

from bot.content import Item
from bot.flows.base import Turn, menu_button, with_menu
from bot.i18n import _
from bot.messages import Button, Outbound


def answer_item(turn: Turn, item: Item) -> list[Outbound]:
    language = turn.language
    follow_ups = [turn.content.items[target] for target in item.next]
    buttons = [Button(f"item:{f.id}", f.title[language]) for f in follow_ups]
    return [Outbound(item.text[language], (*buttons, menu_button()))]


def answer_intent(turn: Turn, intent: str) -> list[Outbound]:
    item = turn.content.for_intent(intent)
    if item is None:
        return coming_soon()
    return answer_item(turn, item)


def answer_item_id(turn: Turn, item_id: str) -> list[Outbound]:
    item = turn.content.get(item_id)
    return answer_item(turn, item) if item else coming_soon()


def coming_soon() -> list[Outbound]:
    return with_menu(_(
        "This part of Fadaa is still being prepared, so I cannot answer it well yet. "
        "Here is what I can already help with:"
    ))
