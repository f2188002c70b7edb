"""Sourced answers from the content files, with their follow-up buttons."""

import re
from dataclasses import replace

from bot.capsules import for_users
from bot.content import Item
from bot.flows.base import Turn, menu_button, with_menu
from bot.flows.topics import (
    CREATION_FAMILIES,
    ELIGIBILITY,
    UNKNOWN,
    GroupItem,
    answer_for,
    family,
    group_item,
    who_to_ask,
)
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
    "bank": N_("the bank"),
    "support": N_("support"),
    "online": N_("doing it online"),
    "issuer": N_("who grants it"),
    "join": N_("signing up"),
    "channel": N_("the TV channel"),
    "story": N_("what it is about"),
    "other": N_("other options"),
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
        for c in for_users(turn.capsules)
        if set(c.tags) & set(item.intents)
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
    and first when it answers one of the aspects), led by a line that ties it to what was
    asked: an honest "not in my sources" for the aspects the facts do not cover, and which
    aspect of the topic the answer is about."""
    targets = [answer_for(topic, aspect) for aspect in aspects]
    known = [t for t in targets if t and t != UNKNOWN]
    unknown = [a for a, t in zip(aspects, targets, strict=True) if t == UNKNOWN]
    answered = topic if topic in known else _likeliest(turn, known) or topic
    answering = [a for a, t in zip(aspects, targets, strict=True) if t == answered]
    if group := _for_group(turn, topic, aspects, unknown):
        answered = group.item_id
        if group.of_family:  # the family's answer for them: "see «…»", nothing unknown
            unknown = [a for a in unknown if a != ELIGIBILITY]
            answering = [ELIGIBILITY]
        else:  # what the topic does not say, then what there is for them
            answering = []
    replies = answer_item_id(turn, answered)
    if turn.content.get(answered) is None:
        return replies  # not written yet: "coming soon"
    if unknown and answered == topic and not known:
        # nothing the sources say answers it: the topic's answer again would only repeat
        # what was just read, so the honest line comes alone, with the topic's buttons
        return [replace(replies[0], text=_not_in_sources(turn, topic, unknown))]
    lead = _follow_up_lead(turn, topic, answered, answering, unknown)
    if lead:
        replies[0] = _led(replies[0], lead)
    if answered != topic and family(topic) not in CREATION_FAMILIES:
        # said "for «topic»": the next follow-up ("and for the young?") is still about it
        turn.conversation.context["topic"] = topic
    return replies


def _for_group(turn: Turn, topic: str, aspects: list[str], unknown: list[str]) -> GroupItem | None:
    """Who may have it, for a group of people the message names: the item its family has
    for them ("و الشباب؟" after the women's prize: the young cooperators' prize), or the
    group's own where the topic does not say (the INDH's support for the young)."""
    group = group_item(topic, turn.ask or turn.inbound.text)
    if ELIGIBILITY not in aspects or group is None:
        return None
    return group if group.of_family or ELIGIBILITY in unknown else None


def _likeliest(turn: Turn, targets: list[str]) -> str | None:
    """Of the items answering the aspects asked, the one the classifier reads in the
    message ("le dossier je le dépose où ?": the court, not the papers), else the first."""
    intent_item = turn.content.for_intent(turn.understood.intent)
    if intent_item is not None and intent_item.id in targets:
        return intent_item.id
    return next(iter(targets), None)


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


def _follow_up_lead(
    turn: Turn, topic: str, answered: str, answering: list[str], unknown: list[str]
) -> str:
    """The lines before a follow-up's answer: what the sources do not say (and who can
    tell), then which aspect of the topic the answer is about; "" when the answer is the
    topic's own for no aspect in particular."""
    lines = [_not_in_sources(turn, topic, unknown), ""] if unknown else []
    if answering:
        lines.append(_answered_by(turn, topic, answered, answering))
    return "".join(f"{line}\n" for line in lines)


def _answered_by(turn: Turn, topic: str, answered: str, aspects: list[str]) -> str:
    """ "On the documents for «Intilaka», see «Banks and loans»:" (or, when the topic's own
    answer says it, "here is what my sources say")."""
    named = _aspects_named(aspects)
    title = _title(turn, topic)
    if answered == topic:
        return _("On {aspects} for «{topic}», here is what my sources say:").format(
            aspects=named, topic=title
        )
    return _("On {aspects} for «{topic}», see «{answer}»:").format(
        aspects=named, topic=title, answer=_title(turn, answered)
    )


def _not_in_sources(turn: Turn, topic: str, aspects: list[str]) -> str:
    return "\n".join(
        (
            _("My sources give no confirmed answer on {aspects} for «{topic}».").format(
                aspects=_aspects_named(aspects), topic=_title(turn, topic)
            ),
            _(WHO_TO_ASK[who_to_ask(topic)]),
        )
    )


def _aspects_named(aspects: list[str]) -> str:
    return _(" and ").join(_(ASPECT_NAMES[a]) for a in aspects)


def _title(turn: Turn, item_id: str) -> str:
    return unnumbered(turn.content.items[item_id].title[turn.language])


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
