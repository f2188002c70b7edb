"""Conversations through the real engine and store, in Darija, Arabizi, Arabic and French."""

import re

import pytest

from bot.messages import Media
from tests.chat import Chat

pytestmark = pytest.mark.store

MENU_TITLES = {
    "ary": "نأسس كوبيراتيف",
    "ar": "تأسيس تعاونية",
    "fr": "Créer une coopérative",
}


async def test_a_bare_greeting_gets_one_short_language_question_with_buttons(chat):
    replies = await chat.send("سلام")
    assert "مرحبا بيك" in replies[0].text and "Bienvenue" in replies[0].text
    assert len(replies[0].text.splitlines()) == 3
    assert chat.titles(replies) == ["الدارجة", "العربية", "Français", "Darija (latin)"]


WELCOME = {
    "fr": "Bienvenue ! Je suis Fadaa, l'assistant des coopératives.",
    "ary-Latn": "Merhba bik! Ana Fadaa, lmosa3id dyal cooperativat.",
}
LATIN_MENU_TITLES = {"fr": "Créer une coopérative", "ary-Latn": "N2asses cooperative"}
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


@pytest.mark.parametrize("greeting", ["السلام عليكم", "مرحبا", "👋"])
async def test_a_greeting_in_arabic_letters_or_an_emoji_still_asks_the_language(chat, greeting):
    replies = await chat.send(greeting)
    assert "Bienvenue sur Fadaa" in replies[0].text
    assert chat.titles(replies) == ["الدارجة", "العربية", "Français", "Darija (latin)"]


@pytest.mark.parametrize(
    ("greeting", "language"),
    [
        ("Bonsoir !", "fr"),
        ("slt 😊", "fr"),
        ("COUCOU", "fr"),
        ("Bonjourr", "fr"),
        ("bonjour, ça va ?", "fr"),
        ("Salamo 3alaykom", "ary-Latn"),
        ("labas?", "ary-Latn"),
        ("msa lkhir a khoya", "ary-Latn"),
        ("slm cv?", "ary-Latn"),
        ("Mrhba", "ary-Latn"),
    ],
)
async def test_a_greeting_alone_in_latin_letters_is_welcomed_in_its_language_without_arabic(
    chat, greeting, language
):
    replies = await chat.send(greeting)
    assert replies[0].text.splitlines()[0] == WELCOME[language]
    assert len(replies[0].text.splitlines()) == 2  # and what is kept, once
    assert LATIN_MENU_TITLES[language] in chat.titles(replies)
    assert not [o.text for o in replies if ARABIC_LETTER.search(o.text)]
    assert not [t for t in chat.titles(replies) if ARABIC_LETTER.search(t)]
    next_reply = await chat.text_of("combien de membres pour une coopérative ?")
    assert WELCOME["fr"] not in next_reply and WELCOME["ary-Latn"] not in next_reply


@pytest.mark.parametrize(
    ("greeting", "asked", "language"),
    [
        ("bonjour", "بالعربية", "ar"),
        ("salam", "3arbia", "ary"),
        ("slm 3likom", "en français svp", "fr"),
    ],
)
async def test_the_language_can_be_changed_right_after_a_latin_welcome(
    chat, greeting, asked, language
):
    await chat.send(greeting)
    replies = await chat.send(asked)
    assert MENU_TITLES[language] in chat.titles(replies)


async def test_the_language_button_right_after_a_latin_welcome_offers_every_language(chat):
    await chat.send("Bonjour")
    offered = await chat.send(payload="menu:language")
    assert chat.titles(offered) == ["الدارجة", "العربية", "Français", "Darija (latin)"]
    replies = await chat.send(payload="lang:ar")
    assert MENU_TITLES["ar"] in chat.titles(replies)


async def test_a_french_greeting_after_the_language_question_settles_french(chat):
    await chat.send("👋")
    replies = await chat.send("bonsoir")  # the model alone reads one word as Darija
    assert replies[0].text.startswith(WELCOME["fr"])


@pytest.mark.parametrize(("choice", "language"), [("1", "ary"), ("٢", "ar"), ("Français", "fr")])
async def test_choosing_the_language_by_number_eastern_digit_or_label_shows_that_menu(
    chat, choice, language
):
    await chat.send("السلام عليكم")
    replies = await chat.send(choice)
    assert MENU_TITLES[language] in chat.titles(replies)


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("السلام عليكم، بغيت نعرف شنو خاصني باش نأسس تعاونية", "ary"),
        ("slm khoya, bghit n3rf kifach ndir cooperative m3a l3yalat dyal douar", "ary-Latn"),
        ("Bonjour, je voudrais créer une coopérative avec des amies", "fr"),
        ("السلام عليكم، أريد أن أعرف مراحل تأسيس تعاونية فلاحية", "ar"),
    ],
)
async def test_a_clear_first_message_is_answered_in_its_language_without_asking(
    chat, message, language
):
    replies = await chat.send(message)
    assert (
        replies[0].text.splitlines()[0]
        == {
            "ary": "مرحبا بيك! أنا فضاء، المساعد ديال التعاونيات.",
            "ar": "مرحبا! أنا فضاء، مساعد التعاونيات.",
            "fr": "Bienvenue ! Je suis Fadaa, l'assistant des coopératives.",
            "ary-Latn": "Merhba bik! Ana Fadaa, lmosa3id dyal cooperativat.",
        }[language]
    )
    assert "5" in replies[1].text


async def test_the_first_question_is_answered_once_the_language_is_chosen(chat):
    await chat.send("intilaka?")
    replies = await chat.send("Français")
    assert "Intilaka" in replies[-1].text


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("bghit nbdel lougha l fransawiya", "fr"),
        ("parlez moi en darija svp", "ary"),
        ("ممكن تهضر معايا بالعربية", "ar"),
    ],
)
async def test_a_user_can_switch_language_by_naming_it(chat, message, language):
    await chat.send("Bonjour")
    await chat.send("2" if language != "ar" else "3")
    replies = await chat.send(message)
    assert MENU_TITLES[language] in chat.titles(replies)


async def test_the_language_button_of_the_menu_offers_three_languages_and_latin_darija(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    replies = await chat.send(payload="menu:language")
    assert chat.titles(replies) == ["الدارجة", "العربية", "Français", "Darija (latin)"]


async def test_greeting_help_thanks_and_about_work_in_darija(chat):
    await chat.send("سلام")
    await chat.send("1")
    assert "مرحبا" in await chat.text_of("السلام عليكم خويا")
    assert "هادشي اللي نقدر نعاونك فيه" in await chat.text_of("شنو تقدر دير ليا؟")
    assert "ODCO" in await chat.text_of("شنو هو فضاء المتعاونين و شنو هي ODCO")
    assert "الله يوفقك" in await chat.text_of("شكرا بزاف الله يخليك")


async def test_an_out_of_scope_question_says_what_the_bot_covers(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    reply = await chat.text_of("qui a gagné le match du Raja hier soir ?")
    assert "coopérative" in reply.lower()


async def test_a_button_to_content_an_editor_removed_says_so_and_offers_the_menu(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    replies = await chat.send(payload="item:labels.removed_by_an_editor")
    assert "encore en préparation" in replies[0].text
    assert "Créer une coopérative" in chat.titles(replies)


async def test_a_voice_note_gets_a_polite_text_only_answer(chat):
    await chat.send("سلام")
    await chat.send("1")
    replies = await chat.send("", media=Media.voice)
    assert "كنقرا غير الكتابة" in replies[0].text


@pytest.mark.parametrize("message", ["", "   ", "\x00\x07\x1b[2J", "😀😀😀🙏"])
async def test_empty_control_or_emoji_only_messages_get_a_polite_answer(chat, message):
    await chat.send("Bonjour")
    await chat.send("Français")
    replies = await chat.send(message)
    assert replies and replies[0].buttons


async def test_a_ten_thousand_character_message_is_answered_and_stored_whole(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    long_text = "Nous sommes des femmes d'un douar près d'Azilal. " * 200
    replies = await chat.send(long_text)
    assert replies


async def test_repeated_misunderstandings_offer_an_advisor(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    await chat.send("zzqx vbnm")
    replies = await chat.send("qqqq wxcv")
    assert "Parler à un conseiller" in chat.titles(replies)


async def test_the_conversation_resumes_with_its_language_after_a_restart(engine, settings):
    first = Chat(engine, user_id="demo")
    await first.send("سلام")
    await first.send("3")
    restarted = Chat(engine, user_id="demo")
    replies = await restarted.send("menu")
    assert MENU_TITLES["fr"] in restarted.titles(replies)


async def test_an_ambiguous_question_asks_which_topic_with_buttons(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    replies = await chat.send("la qualité ou la conformité ?")
    assert "Vous voulez dire" in replies[0].text
    assert {"intent:quality_label", "intent:product_certification"} <= {
        b.payload for b in replies[0].buttons
    }


async def test_choosing_a_clarification_button_answers_that_topic(chat):
    await chat.send("Bonjour")
    await chat.send("Français")
    await chat.send("label ou certification ?")
    replies = await chat.send(payload="intent:product_certification")
    assert "IMANOR" in replies[0].text
