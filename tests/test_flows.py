"""Each guided flow walked as a user would, from the menu and from a free-text question,
in Darija (both scripts), Arabic and French."""

import pytest

from bot.flows.navigation import Steer, steering
from tests.chat import Chat

pytestmark = pytest.mark.store

LANGUAGE_BUTTON = {"ary": "1", "ar": "2", "fr": "3"}


async def in_language(chat: Chat, language: str) -> Chat:
    await chat.send("السلام عليكم")  # a greeting in Arabic letters gets the language question
    await chat.send(LANGUAGE_BUTTON[language])
    return chat


@pytest.mark.parametrize(
    ("language", "step_one"),
    [
        ("ary", "تاخدو الموافقة على السمية"),
        ("fr", "Faire approuver le nom"),
        ("ar", "• المصادقة على الاسم"),
    ],
)
async def test_create_a_cooperative_from_the_menu_shows_the_six_steps_then_each_step(
    chat, language, step_one
):
    await in_language(chat, language)
    overview = await chat.send(payload="intent:create_cooperative")
    assert step_one in overview[0].text and "6" in overview[0].text
    step = await chat.send(payload="item:create.step.name")
    assert "item:create.step.statutes" in [b.payload for b in step[0].buttons]


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        # tapped «الدارجة», writes Arabizi: answered in it
        ("ary", "fin ndir dossier dyal la cooperative?", "lmahkama libtida2iya"),
        ("ary", "فين نحط الملف ديال التعاونية باش تتسجل؟", "المحكمة الابتدائية"),
        ("fr", "où déposer le dossier de création ?", "tribunal de première instance"),
        ("ar", "أين يودع ملف تأسيس التعاونية؟", "المحكمة الابتدائية"),
    ],
)
async def test_a_user_can_jump_straight_to_the_court_step(chat, language, question, expected):
    await in_language(chat, language)
    assert expected in await chat.text_of(question)


async def test_membership_rules_give_five_members_and_the_capital(chat):
    await in_language(chat, "fr")
    answer = await chat.text_of("combien de membres faut-il pour fonder une coopérative ?")
    assert "5 membres" in answer and "1 000 DH" in answer and "100 DH" in answer


@pytest.mark.parametrize(
    ("language", "opening", "answers", "expected"),
    [
        ("ary", "ana ferracha f souk, bghit nwli legal", ["bi3", "bo7di", "mdina"], "5"),
        (
            "fr",
            "je vends du pain à la maison sans papiers, comment me régulariser ?",
            ["3", "1", "2"],
            "auto-entrepreneur",
        ),
        (
            "ary",
            "كنصاوب الكسكس فالدار مع 6 ديال الجارات وبغينا نخدمو بالقانون",
            ["1", "3", "1"],
            "5",
        ),
    ],
)
async def test_formalise_asks_three_questions_then_gives_the_route(
    chat, language, opening, answers, expected
):
    await in_language(chat, language)
    intro = await chat.send(opening)
    assert "formalize:start" in [b.payload for b in intro[0].buttons]
    await chat.send(payload="formalize:start")
    for answer in answers:
        replies = await chat.send(answer)
    assert expected in replies[0].text
    assert "item:formalize.next_step" in [b.payload for b in replies[0].buttons]


async def test_the_financing_finder_understands_typed_darija_answers(chat):
    await in_language(chat, "ary")
    overview = await chat.send("bghit chi tamwil l cooperative dyali")
    assert "finder:start" in [b.payload for b in overview[0].buttons]
    await chat.send(payload="finder:start")
    for answer in ("mazal", "flaha", "3robiya", "l3yalat"):
        await chat.send(answer)
    result = await chat.send("20 مليون")
    assert "200.000" in result[0].text  # 20 million centimes, written the ar_MA way
    payloads = [b.payload for b in result[0].buttons]
    assert "item:financing.intilaka" in payloads and "item:financing.start_tpe" in payloads
    assert "item:women.lalla_moutaaouina" not in payloads  # a 50,000 DH prize
    assert "2020" in result[0].text


async def test_the_financing_finder_with_buttons_in_french_fits_a_small_womens_project(chat):
    await in_language(chat, "fr")
    await chat.send(payload="finder:start")
    for payload in (
        "stage=created",
        "age=young",
        "sector=crafts",
        "area=urban",
        "audience=women",
        "amount=50000",
    ):
        result = await chat.send(payload=f"finder:{payload}")
    assert "50\u202f000" in result[0].text  # fr_MA groups with a narrow no-break space
    payloads = [b.payload for b in result[0].buttons]
    assert "item:women.lalla_moutaaouina" in payloads
    assert "item:financing.start_tpe" not in payloads  # for projects in creation


async def test_leaving_the_financing_finder_with_another_question(chat):
    await in_language(chat, "fr")
    await chat.send(payload="finder:start")
    answer = await chat.text_of("comment obtenir l'agrément de l'ONSSA pour notre miel ?")
    assert "ONSSA" in answer


async def test_an_unclear_answer_in_a_questionnaire_asks_again(chat):
    await in_language(chat, "fr")
    await chat.send(payload="finder:start")
    replies = await chat.send("euh")
    assert "Choisissez l'une des réponses" in replies[0].text


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("ary", "kifach nakhod autorisation dyal ONSSA l l3sel?", "ONSSA"),
        ("ar", "كيف نحصل على علامة الجودة أو تسمية المنشأ لزيت الأركان؟", "25-06"),
        ("fr", "comment certifier nos produits chez IMANOR ?", "IMANOR"),
        ("ary", "wa9tach khassna ndiro l'assemblée générale?", "6"),
        ("fr", "comment préparer le rapport moral et financier ?", "rapport"),
        ("ary", "واش كاين دعم للتعاونيات ديال العيالات؟", "للا المتعاونة"),
        ("fr", "je veux vendre nos produits en ligne", "coopmarketplace.ma"),
        ("ar", "هل توجد برامج تكوين ومواكبة للتعاونيات؟", "مرافقة"),
    ],
)
async def test_labels_life_and_womens_topics_answer_from_the_sourced_content(
    chat, language, question, expected
):
    await in_language(chat, language)
    assert expected in await chat.text_of(question)


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Je préfère le français, s'il vous plaît. Quel est le montant ?", "Quel est le montant ?"),
        ("بالعربية من فضلك: ما هي الشروط؟", "ما هي الشروط؟"),
        ("Parlez-moi en arabe, s'il vous plaît", None),  # the request alone
        ("réponds en arabe, je ne lis pas le français ?", None),  # both parts name a language
        ("wach t9der tjawbni b darija?", None),
    ],
)
def test_the_question_beside_a_request_for_a_language(message, question):
    from bot.flows.language import question_beside_request
    from bot.nlu import understand

    found = question_beside_request(message, understand)
    assert (found[0] if found else None) == question


def test_a_steering_word_is_read_through_thanks_and_please():
    assert steering("tu peux répéter stp") == Steer.repeat
    assert steering("menu merci beaucoup") == Steer.menu
    assert steering("عاود عافاك") == Steer.repeat
    assert steering("merci") is None
