"""Asking back when the classifier hesitates: the buttons it offers."""

from bot.config import load_settings
from bot.content import default_content
from bot.flows.base import Conversation, Turn
from bot.flows.clarify import did_you_mean
from bot.i18n import use_language
from bot.messages import Inbound


def hesitant_turn(text: str, language: str) -> Turn:
    inbound = Inbound(channel="telegram", user_id="212600000009", message_id="m1", text=text)
    settings = load_settings(_env_file=None)
    conversation = Conversation(language=language)
    return Turn(inbound, conversation, default_content(), settings, zone=settings.timezone)


def test_did_you_mean_offers_the_menu_once_even_when_the_menu_is_a_candidate():
    turn = hesitant_turn("chno men lakhbar 3ndkom?", "ary-Latn")
    with use_language("ary-Latn"):
        [question] = did_you_mean(turn, ["help_menu", "financing_options"])
    titles = [button.title for button in question.buttons]
    assert titles == ["Ltamwil", "Menu"]
