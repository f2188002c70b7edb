"""Reading a request to receive ODCO's messages or to stop them (bot/nlu/consent.py)."""

import pytest

from bot.nlu.consent import consent_request, length_of_answer


@pytest.mark.parametrize(
    "text",
    [
        "arrête les actualités",
        "cessez de m'envoyer les actualités svp",
        "ne m'envoyez plus les nouvelles",
        "كفوا عن إرسال الأخبار من فضلكم",
        "حبس الأخبار",
        "حبسو ليا الأخبار ديال التمويل",
        "7bes l2akhbar",
        "7bsou lakhbar dyal tamwil 3afak",
    ],
)
def test_a_stop_verb_with_the_news_words_stops_the_news(text):
    assert consent_request(text) == consent_request("stop les actualités")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("seulement le financement et les appels à projets", 6),
        ("ghir dyal tamwil w les appels a projets", 6),
        ("w zid lvideos", 3),
    ],
)
def test_a_topics_name_counts_as_one_word_of_an_answer(text, words):
    assert length_of_answer(text) == words
