"""What a message is about beyond the classifier's intent: the topic of the last answer,
or a content item it names in its own words.

"et le taux ?" after Intilaka is about Intilaka's rate; "c'est un prêt ?" after Dar Al
Moukawil is about Dar Al Moukawil; "Forsa" names an item no intent reaches; "fakrni … nmchi
l mahkama" is a reminder, not the court. The classifier decides the rest.
"""

from __future__ import annotations

import re

from bot.flows import INTENT_HANDLERS
from bot.flows.answers import again_on_topic, answer_item_id, follow_up
from bot.flows.base import Turn
from bot.flows.reminders import start_from_text
from bot.flows.topics import (
    CREATION_FAMILIES,
    Named,
    asks_next_step,
    asks_support,
    asks_to_borrow,
    aspects_beside_items,
    aspects_named,
    family,
    item_named,
    named_by_aspect_words,
    names_creation,
    refers_back,
    step_after,
)
from bot.messages import Outbound
from bot.nlu import OUT_OF_SCOPE, Understanding
from bot.nlu.times import asks_reminder

NOT_REMINDERS = frozenset({"my_reminders", "delete_my_data"})
CREATION_OVERVIEW = "create.overview"
BANK = "bank"
CREATION_PRICE_AND_DELAY = frozenset({"cost", "duration"})
# what the user asks the bot to do, as opposed to small talk around a follow-up ("merci, et
# le taux ?")
REQUEST_INTENTS = frozenset(INTENT_HANDLERS) - {"greeting", "help_menu", "thanks_goodbye"}
_PHONE = re.compile(r"(?:\+?212|0)[\s.-]?[5-7](?:[\s.-]?\d){8}")  # "rappelez-moi au 06…"
FOLLOW_UP_WORDS = 12  # a longer message is a question of its own, not a follow-up
BARE_ASPECT_WORDS = 3
_WORD = re.compile(r"\w+")
# Intents that are one aspect of creating a cooperative; after another topic they ask that
# aspect of it ("documents for the loan?" after Intilaka).
ASPECT_INTENTS = {
    "required_documents": "documents",
    "registration_court": "where",
    "membership_requirements": "eligibility",
}
GENERAL_INTENTS = frozenset(
    {
        "about_fadaa",
        "financing_options",
        "help_menu",
        "greeting",
        "thanks_goodbye",
        "watch_capsules",
    }
)


def about_what_it_names(turn: Turn) -> list[Outbound] | None:
    """The reply when the words of the message decide it; None to let the classifier."""
    text = turn.ask or turn.inbound.text
    if _asks_reminder(turn):
        return start_from_text(turn)
    topic = turn.conversation.topic
    if topic and family(topic) in CREATION_FAMILIES and asks_next_step(text):
        return _next_step(turn, topic)
    named = item_named(text, topic)
    request = turn.understood.intent in REQUEST_INTENTS and _confident(turn)
    if not request and (creation := _creation_aspects(text, named)):
        return follow_up(turn, *creation)
    aspects = aspects_named(text) or _aspect_intent(turn)
    if topic and aspects and _named_by_aspect(turn, text, named):
        return follow_up(turn, topic, aspects)
    # an item named in its own words is asked about by words, not by the classifier's guess
    # ("un conflit entre membres" is not asking who may be a member)
    aspects = aspects_beside_items(text) or ([] if named else _aspect_intent(turn))
    if topic and aspects and _follows_up(turn, named, topic, aspects):
        return follow_up(turn, named.item_id if named else topic, aspects)
    if named and _named_wins(turn, named):
        return answer_item_id(turn, named.item_id)
    if topic and (
        (refers_back(text) and _stays_on_topic(turn, named, topic))
        or _unsure_follow_up(turn, text, topic)
    ):
        return again_on_topic(turn, topic)
    return None


def _creation_aspects(text: str, named: Named | None) -> tuple[str, list[str]] | None:
    """ "ça coûte combien de créer la coopérative et ça prend combien de temps ?": what
    creating a cooperative costs or how long it takes (the item, the aspects), whatever was
    said before and however long the message."""
    aspects = aspects_named(text)
    if not CREATION_PRICE_AND_DELAY.intersection(aspects) or not names_creation(text):
        return None
    if named is not None and family(named.item_id) != "create":
        return None
    return (named.item_id if named else CREATION_OVERVIEW), aspects


def _named_by_aspect(turn: Turn, text: str, named: Named | None) -> bool:
    """A short message whose only words naming an item ask an aspect: "est-ce que les
    femmes peuvent ?" after Intilaka asks who may have it, it is not the women's
    cooperatives (which the classifier, reading "femmes", would say); "wach kayn d3m
    l3yalat?" asks for the women's support."""
    return (
        named is not None
        and len(text.split()) <= FOLLOW_UP_WORDS
        and not (turn.understood.intent in REQUEST_INTENTS and _confident(turn))
        and named_by_aspect_words(text)
        and not asks_support(text)
    )


def _next_step(turn: Turn, topic: str) -> list[Outbound] | None:
    """The creation's steps follow one another: each item's first follow-up is the next,
    unless the item says which step comes after it."""
    item = turn.content.get(topic)
    following = step_after(topic) or (item.next[0] if item and item.next else None)
    return answer_item_id(turn, following) if following else None


def _asks_reminder(turn: Turn) -> bool:
    """ "remind me" words make a reminder, except in a call-back request with a number."""
    text = turn.inbound.text
    return (
        asks_reminder(text)
        and turn.understood.intent not in NOT_REMINDERS
        and not (turn.understood.intent == "talk_to_advisor" and _PHONE.search(text))
    )


def _follows_up(turn: Turn, named: Named | None, topic: str, aspects: list[str]) -> bool:
    """A short message about an aspect, naming nothing outside the last topic's family,
    is about that topic (or the item of that family it names)."""
    text = turn.ask or turn.inbound.text
    if len(text.split()) > FOLLOW_UP_WORDS:
        return False
    if named:
        return family(named.item_id) == family(topic)
    if family(topic) in CREATION_FAMILIES and aspects == [BANK] and not asks_to_borrow(text):
        return True  # «والبانكة شنو خاصني ندير فيها؟» while creating: the account to open
    if family(topic) not in CREATION_FAMILIES and names_creation(text):
        return False  # the papers or the court of the creation, not of the last topic
    if turn.understood.intent in ASPECT_INTENTS:
        return True
    if turn.understood.intent in REQUEST_INTENTS and _confident(turn):
        return False  # "fin nchouf l'coopérative dyal 2M?": the videos, not where to go
    if len(_WORD.findall(text)) <= BARE_ASPECT_WORDS:
        return True  # "et la banque ?": the aspect alone, whatever the classifier makes of it
    intent_family = _intent_family(turn, turn.understood)
    return (
        not _confident(turn)
        or intent_family in (None, family(topic))
        or turn.understood.intent in GENERAL_INTENTS
    )


def _stays_on_topic(turn: Turn, named: Named | None, topic: str) -> bool:
    """A short question that points back ("c'est un prêt ?") stays on the last answer unless
    it is a request or clearly about another family of topics."""
    understanding = turn.understood
    if len((turn.ask or turn.inbound.text).split()) > FOLLOW_UP_WORDS or (
        named and family(named.item_id) != family(topic)
    ):
        return False
    if understanding.intent in INTENT_HANDLERS:
        return False  # a reminder, an advisor, the menu…: a request, not a follow-up
    intent_family = _intent_family(turn, understanding)
    return not _confident(turn) or intent_family in (None, family(topic))


def _aspect_intent(turn: Turn) -> list[str]:
    aspect = ASPECT_INTENTS.get(turn.understood.intent)
    topic = turn.conversation.topic
    if aspect and topic and family(topic) not in CREATION_FAMILIES:
        return [aspect]
    return []


def _unsure_follow_up(turn: Turn, text: str, topic: str) -> bool:
    """A short question right after an answer that the classifier cannot place."""
    understanding = turn.understood
    if len(text.split()) > FOLLOW_UP_WORDS or turn.conversation.context.get("repeated") == topic:
        return False
    if understanding.intent == OUT_OF_SCOPE:
        return understanding.confidence < turn.settings.out_of_scope_threshold
    return understanding.confidence < turn.settings.act_threshold


def _named_wins(turn: Turn, named: Named) -> bool:
    """An item named by its words ("Forsa", "compte bancaire") wins when the classifier is
    unsure, when a short message names the last answer again ("والبيو؟ نفس القانون؟" after
    the origin labels), or when no intent reaches that item and the classifier's own
    subject is not named too."""
    understanding = turn.understood
    if not _confident(turn) or understanding.intent in GENERAL_INTENTS:
        return True
    if understanding.intent in INTENT_HANDLERS:
        return False  # a request (an advisor, a reminder…) about that subject
    topic = turn.conversation.topic
    text = turn.ask or turn.inbound.text
    if named.item_id == topic and len(text.split()) <= FOLLOW_UP_WORDS:
        return True  # still on the last answer, whatever a word like "loi" makes the classifier say
    intent_item = turn.content.for_intent(understanding.intent)
    if intent_item is not None and intent_item.id == named.item_id:
        return True  # both readings agree
    if intent_item is not None and intent_item.id in named.also:
        # the message names the classifier's subject too: trust it, unless several words
        # name a narrower item of its family ("autorisation ou agrément" of the ONSSA)
        return named.strong and family(intent_item.id) == family(named.item_id)
    named_item = turn.content.get(named.item_id)
    return named_item is not None and not named_item.intents  # no intent would reach it


def _confident(turn: Turn) -> bool:
    understanding = turn.understood
    return (
        understanding.intent != OUT_OF_SCOPE
        and understanding.confidence >= turn.settings.act_threshold
    )


def _intent_family(turn: Turn, understanding: Understanding) -> str | None:
    item = turn.content.for_intent(understanding.intent)
    return family(item.id) if item else None
