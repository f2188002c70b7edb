"""How the words of a message name an aspect or an item: a listed word loses only its
article, a typed word any clitic; and how a follow-up's answer is led."""

from bot.config import load_settings
from bot.content import default_content
from bot.flows.answers import ASPECT_NAMES
from bot.flows.topics import (
    UNKNOWN,
    answer_for,
    aspects_named,
    followups,
    item_named,
    named_by_aspect_words,
)
from tests.dialogues.memory import MemoryChat


def test_how_many_is_not_asking_a_price():
    assert "cost" not in aspects_named("ch7al khasna mn wa7ed?")
    assert "cost" not in aspects_named("شحال خاصنا من واحد؟")


def test_for_how_much_asks_a_price_in_both_scripts():
    assert aspects_named("w l'attestation bch7al?") == ["cost"]
    assert aspects_named("بشحال؟") == ["cost"]


def test_a_listed_word_is_found_without_its_article():
    assert aspects_named("khlas dyalha ch7al?") == ["cost"]  # listed as "lkhlas"
    assert aspects_named("عطيني تلفون ديالهم") == ["contact"]  # listed as "التلفون"


def test_a_typed_word_is_found_behind_a_clitic():
    assert aspects_named("wlkhlas?") == ["cost"]
    assert item_named("شنو خاصني فالضريبة").item_id == "life.tax"


def test_a_word_that_starts_like_a_clitic_is_not_read_without_it():
    assert aspects_named("chkoun howa rais dyal cooperative") == []  # "frais" is listed
    assert aspects_named("بحال انطلاقة") == []  # "like", not "for how much"


def test_who_asks_is_the_eligibility_aspect_in_every_script():
    for text in (
        "et pour les jeunes ?",
        "et si j'ai 60 ans ?",
        "وماذا عن الشباب؟",
        "واش نقدر ندخل ليها وانا راجل؟",
        "w ila kont chab?",
        "wach l3yalat y9dro?",
    ):
        assert aspects_named(text) == ["eligibility"], text


def test_a_group_of_people_asks_who_may_it_does_not_name_their_topic():
    assert named_by_aspect_words("est-ce que les femmes peuvent ?")
    assert named_by_aspect_words("واش العيالات يقدرو؟")
    assert not named_by_aspect_words("et les coopératives féminines ?")  # names the topic
    assert not named_by_aspect_words("وأين أودع الملف؟")  # "أودع الملف": the court's step
    assert not named_by_aspect_words("et le taux ?")  # names nothing


def test_eligibility_is_answered_where_the_facts_state_it_and_unknown_elsewhere():
    assert answer_for("financing.forsa", "eligibility") == "financing.forsa"  # 18 and over
    assert answer_for("create.overview", "eligibility") == "create.members"
    assert answer_for("financing.tamwilcom", "eligibility") == "financing.damane_intelak"
    assert answer_for("financing.banks", "eligibility") == UNKNOWN
    assert answer_for("women.overview", "eligibility") == UNKNOWN  # men joining: no source


def test_every_aspect_has_a_name_for_the_lead_line():
    assert set(followups()["aspects"]) <= set(ASPECT_NAMES)


def _follow_up_reply(first: str, then: str) -> str:
    chat = MemoryChat(default_content(), load_settings(_env_file=None))
    chat.send(first)
    return chat.send(then)[0].text


def test_an_aspect_answered_by_another_item_is_led_by_a_line_naming_the_topic_and_aspect():
    lead, _, rest = _follow_up_reply(
        "Bonjour, c'est quoi le programme Intilaka ?", "et quels papiers il faut ?"
    ).partition("\n")
    assert "les documents" in lead and "Programme Intilaka" in lead and "Banque et prêts" in lead
    assert rest.startswith("La banque est une étape clé")


def test_an_eligibility_the_sources_do_not_state_is_said_so_before_the_answer():
    reply = _follow_up_reply(
        "chno homa cooperativat l3yalat?", "wach n9der ndkhol liha w ana rajel?"
    )
    assert reply.startswith("Lmasadir dyali ma 3tawch jawab mo2akkad 3la chkoun y9der yestafed")
