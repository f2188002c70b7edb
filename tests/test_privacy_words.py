"""Telling a request to erase one's data from a question about it (bot/nlu/privacy.py)."""

import pytest

from bot.nlu.privacy import about_the_cooperative, asks_about_my_data, asks_to_erase

ERASE_REQUESTS = [
    "supprimer mes données",
    "effacez toutes mes infos svp",
    "comment supprimer mes données ?",
    "stop, ne me contactez plus",
    "امسح بياناتي",
    "احذف معلوماتي",
    "احذفوا جميع بياناتي من فضلكم",
    "أريد حذف جميع معلوماتي من فضلك",
    "بغيت نمسح كلشي",
    "مسح ليا المعلومات ديالي",
    "بغيت تمسح كلشي اللي عندك عليا",
    "ms7 les données dyali",
    "mse7 les donnees dyali",
    "bghit tmse7 ga3 les informations dyali",
    "bghit nmse7 ga3 dakchi dyali",
    "7ayed lia dakchi dyali",
]

QUESTIONS = [
    "où sont mes données ?",
    "vous gardez quoi sur moi ?",
    "est-ce que mes données sont partagées ?",
    "qu'est-ce que vous faites de mes données ?",
    "أين تحفظون بياناتي؟",
    "ماذا تحفظون عني؟",
    "هل تشاركون بياناتي مع جهات أخرى؟",
    "شنو كتسجلو عليا؟",
    "واش كتعطيو المعلومات ديالي لشي حد؟",
    "fin kat7tafdo b les données dyali?",
    "chno kat3rfo 3lia?",
    "wach kat partagiw les données dyali m3a chi wa7ed?",
]


@pytest.mark.parametrize("text", ERASE_REQUESTS)
def test_an_erase_request_has_an_erasing_word(text):
    assert asks_to_erase(text)
    assert not asks_about_my_data(text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_about_ones_data_is_not_an_erase_request(text):
    assert not asks_to_erase(text)
    assert not about_the_cooperative(text)


@pytest.mark.parametrize(
    "text",
    [
        "vous gardez quoi sur moi ?",
        "ماذا تحفظون عني؟",
        "شنو كتسجلو عليا؟",
        "chno kat3rfo 3lia?",
        "wach kat partagiw les données dyali m3a chi wa7ed?",
    ],
)
def test_keeping_and_oneself_make_a_question_about_ones_data(text):
    assert asks_about_my_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "comment enregistrer ma coopérative au registre ?",
        "wach 3lia nsjjel l cooperative f tribunal?",
        "كيفاش نسجل التعاونية ديالي؟",
        "vous gardez les documents originaux du dossier ?",
    ],
)
def test_other_questions_are_not_about_ones_data(text):
    assert not asks_about_my_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "je veux modifier les données de ma coopérative",
        "أريد تعديل معلومات تعاونيتي",
        "bghit nbdel les informations dyal la cooperative",
    ],
)
def test_the_cooperatives_data_is_not_ones_own(text):
    assert about_the_cooperative(text)


def test_ones_own_data_named_with_the_cooperative_is_ones_own():
    assert not about_the_cooperative("où sont mes données ? je suis présidente d'une coopérative")
