"""What the bot says about receiving ODCO's campaigns: choosing topics, stopping them, the
one-time offer after a first useful answer, and a tapped campaign button.
What is done with the choice (stored with its time, erased with the user) is in
bot/campaigns/consent.py; texts are in subscriptions.yaml."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from bot.campaigns import TOPICS
from bot.content import read_yaml
from bot.effects import CampaignTap, ChangeConsent
from bot.flows.base import Turn, menu_button
from bot.flows.topics import asks_to_join
from bot.messages import Button, Outbound
from bot.nlu.consent import (
    asks_about,
    asks_how_to_stop,
    consent_request,
    halts,
    is_stop_word,
    length_of_answer,
    named_topics,
)
from bot.nlu.times import asks_reminder

TEXTS_FILE = Path(__file__).with_name("subscriptions.yaml")
OFFERED = "campaigns_offered"  # context flag: the offer is made once
JUST_GRANTED = "campaigns_granted"  # context: the topics of the last reply, if it granted some
OPEN = "campaigns_open"  # context flag: the last reply was about topics, "w zid lvideos" adds one
FOLLOW_UP_WORDS = 6  # "w zid lvideos", "et les vidéos aussi": short, or a question of its own


def asked(turn: Turn) -> list[Outbound] | None:
    """ "bghit nwsal b lakhbar", "je ne veux plus recevoir les nouvelles"…; None otherwise."""
    text = turn.inbound.text
    if asks_how_to_stop(text):
        return how_to_stop(turn)
    request = consent_request(text)
    if turn.conversation.context.pop(OPEN, False) and request is None:
        topics = named_topics(text) if _adds_a_topic(text) else ()
        if not topics:
            return None
        return stop(turn, ",".join(topics)) if halts(text) else _granted(turn, topics)
    if request is None:
        return None
    if not request.wants:
        return stop(turn, ",".join(request.topics or TOPICS))
    if not request.topics:
        # "on peut s'inscrire ?" after Mourafaka: how to join it (bot/follow_ups.py)
        return None if asks_to_join(text, turn.conversation.topic) else choose(turn)
    return _granted(turn, request.topics)


def _adds_a_topic(text: str) -> bool:
    """A short message naming topics after a reply about topics ("ghir dyal tamwil w les
    appels à projets": a topic's name is one word) chooses them, unless it asks something
    ("c'est quoi les appels à projets ?") or for a reminder ("ذكرني غدا بإيداع التقرير")."""
    return (
        length_of_answer(text) <= FOLLOW_UP_WORDS
        and not asks_about(text)
        and not asks_reminder(text)
    )


def choose(turn: Turn) -> list[Outbound]:
    buttons = [Button(f"consent:{topic}", say(turn, "buttons", topic)) for topic in TOPICS]
    buttons.append(Button("consent:all", say(turn, "all")))
    turn.conversation.context[OPEN] = True
    return [Outbound(say(turn, "choose"), (*buttons, Button("consent:no", say(turn, "no_thanks"))))]


def consent(turn: Turn, value: str) -> list[Outbound]:
    """A tapped topic button: `news`, `deadlines`, `capsules`, `all`, `no` or `menu`."""
    turn.conversation.context[OFFERED] = True
    if value == "no":
        return [Outbound(say(turn, "declined"), (menu_button(),))]
    if value == "all":
        return _granted(turn, TOPICS)
    if value in TOPICS:
        return _granted(turn, (value,))
    return choose(turn)


def how_to_stop(turn: Turn) -> list[Outbound]:
    """Stopping is one tap or one word, at any time: said, with the button."""
    stop_button = Button(f"stop:{','.join(TOPICS)}", stop_label(turn.language))
    return [Outbound(say(turn, "how_to_stop"), (stop_button, menu_button()))]


def stop(turn: Turn, value: str) -> list[Outbound]:
    """The Stop button of a campaign message (`topic:campaign id`), or topics named in text."""
    topics_part, _separator, campaign = value.partition(":")
    topics = tuple(t for t in topics_part.split(",") if t in TOPICS) or TOPICS
    campaign_id = int(campaign) if campaign.isdigit() else None
    turn.effects.append(ChangeConsent(topics, granted=False, campaign_id=campaign_id))
    return [Outbound(say(turn, "stopped").format(topics=_names(turn, topics)), (menu_button(),))]


def tapped(turn: Turn, value: str) -> str:
    """A campaign button (`campaign id:payload`): counted, then answered as its payload."""
    campaign, _separator, payload = value.partition(":")
    if campaign.isdigit():
        turn.effects.append(CampaignTap(int(campaign)))
    return payload or "menu:main"


def offer_once(turn: Turn, replies: list[Outbound], topic_before: str | None) -> list[Outbound]:
    """After the first answer from the content, one short line on how to receive news."""
    context = turn.conversation.context
    if context.get(OFFERED) or turn.conversation.topic in (None, topic_before):
        return replies
    context[OFFERED] = True
    last = replies[-1] if replies else None
    if last is None or last.video or last.template:
        return [*replies, Outbound(say(turn, "offer"))]
    # a line under the answer, so its buttons and numbers stay the last ones shown
    return [*replies[:-1], replace(last, text=f"{last.text}\n\n{say(turn, 'offer')}")]


def stop_label(language: str) -> str:
    return _text("stop_button", language)


def say(turn: Turn, key: str, topic: str | None = None) -> str:
    entry = _texts()[key]
    return _in(entry[topic] if topic else entry, turn.language)


def _granted(turn: Turn, topics: tuple[str, ...]) -> list[Outbound]:
    context = turn.conversation.context
    context[OFFERED] = True
    context[OPEN] = True
    context[JUST_GRANTED] = ",".join(topics)
    turn.effects.append(ChangeConsent(topics, granted=True))
    stop_button = Button(f"stop:{context[JUST_GRANTED]}", stop_label(turn.language))
    return [
        Outbound(
            say(turn, "subscribed").format(topics=_names(turn, topics)),
            (stop_button, menu_button()),
        )
    ]


def stop_just_granted(turn: Turn, text: str) -> list[Outbound] | None:
    """ "stop" right after "you will receive…" (the reply says to write it): those topics."""
    topics = turn.conversation.context.pop(JUST_GRANTED, None)
    return stop(turn, topics) if topics and is_stop_word(text) else None


def _names(turn: Turn, topics: tuple[str, ...]) -> str:
    names = [say(turn, "topics", topic) for topic in topics]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + say(turn, "and") + names[-1]


def _text(key: str, language: str) -> str:
    return _in(_texts()[key], language)


def _in(entry: dict[str, str], language: str) -> str:
    return entry.get(language) or entry["fr" if language == "ary-Latn" else "ary"]


@cache
def _texts() -> dict[str, dict[str, Any]]:  # language: text, or topic: language: text
    return read_yaml(TEXTS_FILE)
