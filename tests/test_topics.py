"""How the words of a message name an aspect or an item: a listed word loses only its
article, a typed word any clitic; and how a follow-up's answer is led."""

from bot.config import load_settings
from bot.content import default_content
from bot.flows.answers import ASPECT_NAMES
from bot.flows.topics import (
    ALONE_MEANS,
    UNKNOWN,
    GroupItem,
    answer_for,
    asks_support,
    asks_to_join,
    aspects_beside_items,
    aspects_named,
    followups,
    group_item,
    item_named,
    named_by_aspect_words,
)
from tests.dialogues.memory import MemoryChat


def test_how_many_is_not_asking_a_price():
    assert "cost" not in aspects_named("ch7al khasna mn wa7ed?")
    assert "cost" not in aspects_named("شحال خاصنا من واحد؟")


def test_a_french_word_is_not_read_as_a_darija_clitic_before_a_short_word():
    assert aspects_named("on est sept couturières dans le quartier") == []  # not "ans"
    assert aspects_named("w lfayda ch7al?") == ["rate"]  # "lfayda" is still "fayda"


def test_how_much_alone_asks_the_amount_and_inside_a_question_defers_to_its_words():
    assert aspects_named("w ch7al?") == ["amount"]
    assert aspects_named("وكم؟") == ["amount"]
    assert aspects_named("w lfayda ch7al?") == ["rate"]


def test_who_gives_is_asked_of_the_aspect_named_with_it():
    assert aspects_named("w la garantie chkon kay3tiha") == ["guarantee"]
    assert aspects_named("chkoun kay3tiha?") == ["issuer"]


def test_for_how_much_asks_a_price_in_both_scripts():
    assert aspects_named("w l'attestation bch7al?") == ["cost"]
    assert aspects_named("بشحال؟") == ["cost"]


def test_a_listed_word_is_found_without_its_article():
    assert aspects_named("khlas dyalha ch7al?") == ["cost"]  # listed as "lkhlas"
    assert aspects_named("عطيني تلفون ديالهم") == ["contact"]  # listed as "التلفون"


def test_a_typed_word_is_found_behind_a_clitic():
    assert aspects_named("wlkhlas?") == ["cost"]
    assert item_named("شنو خاصني فالضريبة").item_id == "life.tax"


def test_an_article_typed_inside_a_phrase_is_skipped():
    # "l'cooperative" is normalised to two words, "l cooperative"
    named = item_named("nsaybo l'cooperative online?")
    assert named is None or named.item_id != "create.online"
    assert item_named("wach ndir l'cooperative online?").item_id == "create.online"
    assert item_named("n7el l compte f lbanka").item_id == "create.step.bank"
    # but an article is never skipped before a phrase's first word
    assert item_named("l online").item_id == "life.online_selling"


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
    assert set(followups()["aspects"]) - set(ALONE_MEANS) <= set(ASPECT_NAMES)


def test_can_i_asks_who_may_only_when_nothing_else_is_asked():
    assert aspects_named("واش نقدر ندير كلشي فالانترنيت؟") == ["online"]
    assert aspects_named("wach n9der?") == ["eligibility"]


def test_a_group_of_people_beside_a_question_says_for_whom_not_who_may():
    assert aspects_named("رجع لجائزة ديال العيالات، امتى كتكون؟") == ["deadline"]
    assert aspects_named("et pour les jeunes ?") == ["eligibility"]


def test_the_young_after_the_womens_prize_are_the_young_cooperators_prize():
    assert group_item("women.lalla_moutaaouina", "و الشباب؟") == GroupItem(
        "women.generation_solidaire", of_family=True
    )
    assert group_item("financing.banks", "et si on est jeunes ?") == GroupItem(
        "financing.indh", of_family=False
    )
    assert group_item("financing.banks", "et les femmes ?") is None


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


def test_every_follow_up_target_is_an_item_or_an_honest_unknown_or_the_topic_itself():
    items = set(default_content().items)
    table = followups()
    targets = {
        target
        for section in ("by_topic", "by_family")
        for aspects in table[section].values()
        for target in aspects.values()
    }
    assert targets - items <= {"unknown", "itself"}
    assert set(table["step_after"].values()) <= items


def test_the_or_of_two_labels_is_not_asking_where():
    assert aspects_named("AOP ou IGP, quelle différence ?") == []


def test_a_word_that_is_part_of_an_items_name_asks_no_aspect():
    assert aspects_named("w imta nakhod ra9m dyal tasjil?") == ["join", "deadline"]
    assert aspects_beside_items("w imta nakhod ra9m dyal tasjil?") == ["deadline"]


def test_support_for_a_group_is_asked_unless_the_message_points_back():
    assert asks_support("wach kayn d3m l3yalat")
    assert asks_support("دعم خاص بالنساء")
    assert not asks_support("est-ce que les femmes peuvent avoir cette aide ?")
    assert not asks_support("et pour les femmes ?")


def test_of_two_items_named_as_much_the_one_moved_to_wins_over_the_last_topic():
    text = "وفين نتكون فالماركوتينغ؟"
    assert item_named(text, "life.branding").item_id == "life.training"


def test_who_grants_it_is_the_topics_own_answer_except_where_the_sources_do_not_say():
    assert answer_for("labels.sdoq", "issuer") == "labels.sdoq"
    assert answer_for("financing.intilaka", "issuer") == "financing.intilaka"
    assert answer_for("labels.label_qualite", "issuer") == UNKNOWN


def test_signing_up_after_a_programme_is_joining_it_and_after_a_step_is_not():
    assert asks_to_join("on peut s'inscrire ?", "life.mourafaka")
    assert asks_to_join("كيفاش نتسجلو فيه؟", "women.lalla_moutaaouina")
    assert not asks_to_join("on peut s'inscrire ?", "life.accounts")
    assert not asks_to_join("on peut s'inscrire ?", None)
