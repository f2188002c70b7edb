"""Sourced answers from the content files, with their follow-up buttons."""

import re
from dataclasses import replace

from bot.content import Item
from bot.flows.base import Turn, menu_button, with_menu
from bot.flows.topics import UNKNOWN, answer_for, who_to_ask
from bot.i18n import N_, _
from bot.messages import Button, Outbound

QUESTIONNAIRE_ENTRIES = {
    "financing.overview": ("finder:start", N_("Find what fits me")),
    "formalize.intro": ("formalize:start", N_("Answer 3 questions")),
}
ASPECT_NAMES = {
    "rate": N_("the rate"),
    "cost": N_("the cost"),
    "duration": N_("how long it takes"),
    "documents": N_("the documents"),
    "eligibility": N_("who is eligible"),
    "where": N_("where to go"),
    "contact": N_("how to contact them"),
    "deadline": N_("the deadline"),
    "amount": N_("the amount"),
    "guarantee": N_("the guarantee"),
}
WHO_TO_ASK = {
    "delegation": N_("ODCO's regional delegation can tell you (www.odco.gov.ma)."),
    "bank": N_("Ask a bank: it gives the current terms."),
    "authority": N_(
        "The office in charge (ONSSA, IMANOR or the Ministry of Agriculture) can tell you."
    ),
}
# A numbered list in a text would compete with the numbered buttons: a typed "3" must mean
# the third button, so list items show as bullets.
_NUMBERED_LINE = re.compile(r"(?m)^(\s*)\d{1,2}[.)]\s+")


def answer_item(turn: Turn, item: Item) -> list[Outbound]:
    """The item's text; buttons for its questionnaire, its follow-ups, and the way out."""
    language = turn.language
    turn.conversation.answered(item.id)
    follow_ups = [turn.content.items[target] for target in item.next]
    buttons = [Button(f"item:{f.id}", unnumbered(f.title[language])) for f in follow_ups]
    if item.id in QUESTIONNAIRE_ENTRIES:
        payload, title = QUESTIONNAIRE_ENTRIES[item.id]
        buttons.insert(0, Button(payload, _(title)))
    buttons += [
        Button(f"capsule:{c.id}", "🎬 " + c.title[language])
        for c in turn.capsules
        if set(c.tags) & set(item.intents) and not c.sample
    ][:1]
    if item.reminder:
        buttons.append(Button(f"reminder:item:{item.id}", _("Remind me")))
    if not item.next:
        buttons.append(Button("intent:talk_to_advisor", _("Talk to an advisor")))
    buttons.append(Button(f"sources:{item.id}", _("Sources")))
    return [Outbound(bulleted(item.text[language]), (*buttons, menu_button()))]


def bulleted(text: str) -> str:
    return _NUMBERED_LINE.sub(r"\1• ", text)


def unnumbered(title: str) -> str:
    """ "2. Les statuts" as a button title: the button's own place is its number."""
    return _NUMBERED_LINE.sub("", title)


def follow_up(turn: Turn, topic: str, aspects: list[str]) -> list[Outbound]:
    """An aspect of a topic: the item that answers it (the topic's own answer by default,
    and first when it answers one of the aspects), after an honest "not in my sources" for
    the aspects the facts do not cover."""
    targets = [answer_for(topic, aspect) for aspect in aspects]
    known = [t for t in targets if t and t != UNKNOWN]
    answered = topic if topic in known else next(iter(known), topic)
    unknown = [a for a, t in zip(aspects, targets, strict=True) if t == UNKNOWN]
    replies = answer_item_id(turn, answered)
    if unknown:
        note = _not_in_sources(turn, topic, unknown)
        replies[0] = _led(replies[0], f"{note}\n\n")
    return replies


def again_on_topic(turn: Turn, topic: str) -> list[Outbound]:
    """A short question the classifier cannot place, right after an answer: that answer
    again, said to be what the sources have on it (once; then the usual "not understood")."""
    turn.conversation.context["repeated"] = topic
    replies = answer_item_id(turn, topic)
    item = turn.content.items[topic]
    lead = _("Here is what my sources say about «{topic}»:").format(
        topic=unnumbered(item.title[turn.language])
    )
    replies[0] = _led(replies[0], f"{lead}\n")
    return replies


def _led(reply: Outbound, lead: str) -> Outbound:
    """The same reply (buttons, list label, video) with a line before its text."""
    return replace(reply, text=lead + reply.text)


def _not_in_sources(turn: Turn, topic: str, aspects: list[str]) -> str:
    item = turn.content.items[topic]
    named = _(" and ").join(_(ASPECT_NAMES[a]) for a in aspects)
    return "\n".join(
        (
            _("My sources give no confirmed answer on {aspects} for «{topic}».").format(
                aspects=named, topic=unnumbered(item.title[turn.language])
            ),
            _(WHO_TO_ASK[who_to_ask(topic)]),
        )
    )


def answer_intent(turn: Turn, intent: str) -> list[Outbound]:
    item = turn.content.for_intent(intent)
    if item is None:
        return coming_soon()
    return answer_item(turn, item)


def answer_item_id(turn: Turn, item_id: str) -> list[Outbound]:
    item = turn.content.get(item_id)
    return answer_item(turn, item) if item else coming_soon()


def coming_soon() -> list[Outbound]:
    return with_menu(
        _(
            "This part of Fadaa is still being prepared, so I cannot answer it well yet. "
            "Here is what I can already help with:"
        )
    )
