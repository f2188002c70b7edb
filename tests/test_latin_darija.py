"""Darija written in Latin letters is answered in Latin letters, from the first message to
"delete my data", and the choice of script is remembered and can be switched."""

import re

import pytest

from bot.messages import Outbound
from tests.chat import Chat

pytestmark = pytest.mark.store
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def arabic_in(replies: list[Outbound]) -> list[str]:
    """Texts and button titles that contain an Arabic letter."""
    shown = [o.text for o in replies] + [b.title for o in replies for b in o.buttons]
    return [text for text in shown if ARABIC_LETTER.search(text)]


async def walk(chat: Chat, *turns: str | dict) -> list[Outbound]:
    seen: list[Outbound] = []
    for turn in turns:
        replies = (
            await chat.send(payload=turn["payload"])
            if isinstance(turn, dict)
            else await chat.send(turn)
        )
        assert replies, f"no reply to {turn!r}"
        seen += replies
    return seen


async def test_a_whole_arabizi_conversation_has_no_arabic_letter(chat):
    seen = await walk(
        chat,
        "salam, bghit n3ref kifach ndir cooperative m3a l3yalat dyal douar",
        {"payload": "item:create.step.name"},
        "w ch7al kaytkhles had chi?",
        "menu",
        "bghit nl9a tamwil li mnasb lia",
        {"payload": "finder:start"},
        "mazal ma sajjelnach",
        "rje3",
        "menu",
        "fakrni ghda f 10 d sbah n3ayet l lbanka",
        "wakha",
        "chno homa les rappels dyali",
        "bghit nhder m3a chi wa7ed",
        "3ndi mochkil f dossier dyal intilaka",
        "menu",
        "ms7 les données dyali",
        {"payload": "privacy:erase"},
    )
    assert arabic_in(seen) == []


async def test_the_reminder_is_confirmed_in_latin_letters_with_its_hour(chat):
    replies = await chat.send("fakrni ghda f 10 d sbah n3ayet l lbanka")
    assert "10:00" in replies[-1].text and "lbanka" in replies[-1].text
    assert arabic_in(replies) == []


async def test_kteb_li_b_l3arbiya_switches_to_arabic_letters_and_back(chat):
    await chat.send("salam, chno hiya intilaka?")
    arabic = await chat.send("kteb li b l3arbiya 3afak")
    assert arabic_in(arabic)
    latin = await chat.send("la, b l7rouf latin")
    assert arabic_in(latin) == []


async def test_the_language_menu_offers_latin_darija(chat):
    await chat.send("السلام عليكم")  # a greeting in Arabic letters gets the language question
    replies = await chat.send("4")
    assert arabic_in(replies) == []
