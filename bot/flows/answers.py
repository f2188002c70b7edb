"""Sourced answers from the content files, with their follow-up buttons."""

from bot.content import Item
from bot.flows.base import Turn, menu_button, with_menu
from bot.i18n import N_, _
from bot.messages import Button, Outbound

QUESTIONNAIRE_ENTRIES = {
    "financing.overview": ("finder:start", N_("Find what fits me")),
    "formalize.intro": ("formalize:start", N_("Answer 3 questions")),
}


def answer_item(turn: Turn, item: Item) -> list[Outbound]:
    """The item's text; buttons for its questionnaire, its follow-ups, and the way out."""
    language = turn.language
    follow_ups = [turn.content.items[target] for target in item.next]
    buttons = [Button(f"item:{f.id}", f.title[language]) for f in follow_ups]
    if item.id in QUESTIONNAIRE_ENTRIES:
        payload, title = QUESTIONNAIRE_ENTRIES[item.id]
        buttons.insert(0, Button(payload, _(title)))
    buttons += [Button(f"capsule:{c.id}", "🎬 " + c.title[language])
                for c in turn.capsules if set(c.tags) & set(item.intents)][:1]
    if item.reminder:
        buttons.append(Button(f"reminder:item:{item.id}", _("Remind me")))
    if not item.next:
        buttons.append(Button("intent:talk_to_advisor", _("Talk to an advisor")))
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
