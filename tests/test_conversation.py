"""Conversations through the real engine and store, in Darija, Arabizi, Arabic and French."""

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


@pytest.mark.parametrize(("choice", "language"), [("1", "ary"), ("٢", "ar"), ("Français", "fr")])
async def test_choosing_the_language_by_number_eastern_digit_or_label_shows_that_menu(
    chat, choice, language
):
    await chat.send("salam")
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
    await chat.send("salam")
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
    await chat.send("salam")
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
    await first.send("salam")
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
