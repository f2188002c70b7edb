"""Funnels of the guided flows: who started the financing finder, how far each got, who
finished; the steps are forgotten with the user and with old messages."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select, update

from api.charts import FUNNEL_TEXTS
from bot import funnels, insights
from bot.clock import utcnow
from bot.flows import GUIDED_FLOWS
from bot.store import repo
from bot.store.models import FlowStep
from tests.chat import Chat
from tests.console import NADIA, log_in, staff_account
from tests.statements import counting_statements
from tests.test_admin_api import token

FUNNEL_OF_TWO = {
    "flow": "finder",
    "started": 2,
    "steps": [
        {"step": "stage", "users": 2},
        {"step": "age", "users": 1},
        {"step": "sector", "users": 2},
        {"step": "area", "users": 1},
        {"step": "audience", "users": 1},
        {"step": "amount", "users": 1},
    ],
    "finished": 1,
}


async def leaves_the_finder_after_two_steps(chat: Chat) -> None:
    await chat.send("Bonjour, comment financer ma coopérative ?")
    await chat.send(payload="finder:start")
    await chat.send(payload="finder:stage=in_creation")  # the age is not asked then
    await chat.send("menu")


async def finishes_the_finder_in_darija(chat: Chat) -> None:
    await chat.send("السلام، بغيت نلقى تمويل للتعاونية ديالنا")
    await chat.send(payload="finder:start")
    for answer in ("عندنا تعاونية", "جديدة", "العسل", "الدوار", "النساء", "50 ألف درهم"):
        await chat.send(answer)


async def two_finders(engine) -> None:
    await leaves_the_finder_after_two_steps(Chat(engine, user_id="212600000021"))
    await finishes_the_finder_in_darija(Chat(engine, user_id="212600000022"))


@pytest.mark.store
async def test_the_finders_funnel_counts_who_started_each_step_and_finished(chat, db):
    await two_finders(chat.engine)
    async with db.transaction() as session:
        figures = await funnels.figures(session, since=utcnow() - timedelta(days=1))
    assert figures == [FUNNEL_OF_TWO]


@pytest.mark.store
async def test_insights_and_their_csv_show_the_funnel(service):
    await two_finders(service.services.engine)
    editor = await token(service, "editor")
    data = (await service.client.get("/admin/insights", headers=editor)).json()
    csv_text = (await service.client.get("/admin/insights/funnels.csv", headers=editor)).text
    assert data["funnels"] == [FUNNEL_OF_TWO]
    assert csv_text.splitlines() == [
        "flow,step,users",
        "finder,started,2",
        "finder,stage,2",
        "finder,age,1",
        "finder,sector,2",
        "finder,area,1",
        "finder,audience,1",
        "finder,amount,1",
        "finder,finished,1",
    ]


@pytest.mark.store
async def test_the_funnel_chart_names_flows_and_steps_in_french(service):
    await two_finders(service.services.engine)
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    response = await service.client.get("/console/charts/funnels.svg", headers=session.reading)
    svg = ElementTree.fromstring(response.text)
    ns = "{http://www.w3.org/2000/svg}"
    bars = [bar.find(f"{ns}title").text for bar in svg.findall(f".//{ns}rect[@class='bar']")]
    assert svg.find(f".//{ns}text[@class='flow']").text == "Trouver un financement"
    assert bars[:3] == [
        "Commencé : 2 (100 %)",
        "Coopérative déjà créée ? : 2 (100 %)",
        "Âge (si déjà créée) : 1 (50 %)",
    ]
    assert bars[-1] == "Terminé : 1 (50 %)"


def test_every_step_of_every_guided_flow_has_a_french_label():
    for name, flow in GUIDED_FLOWS.items():
        assert name in FUNNEL_TEXTS["flows"]
        assert set(flow.steps) == set(FUNNEL_TEXTS["steps"][name]), name


@pytest.mark.store
async def test_erasing_ones_data_removes_ones_flow_steps(chat, db):
    await chat.send("Bonjour, comment financer ma coopérative ?")
    await chat.send(payload="finder:start")
    await chat.send("je veux supprimer mes données")
    await chat.send(payload="privacy:erase")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(FlowStep)) == 0


@pytest.mark.store
async def test_flow_steps_older_than_the_retention_period_are_purged(chat, db):
    await chat.send("Bonjour, comment financer ma coopérative ?")
    await chat.send(payload="finder:start")
    async with db.transaction() as session:
        await session.execute(update(FlowStep).values(at=utcnow() - timedelta(days=400)))
        await repo.purge_messages(session, older_than=timedelta(days=365))
        assert await session.scalar(select(func.count()).select_from(FlowStep)) == 0


@pytest.mark.store
async def test_a_question_asked_again_writes_no_step_and_an_answer_writes_one(chat, db):
    await chat.send("Bonjour, comment financer ma coopérative ?")
    await chat.send(payload="finder:start")
    with counting_statements(db) as again:
        asked_again = await chat.text_of("bof, hmm")
    with counting_statements(db) as answered:
        await chat.send("pas encore")
    assert asked_again.startswith("Choisissez l'une des réponses")
    assert [s for s in again.statements if "flow_steps" in s] == []
    assert len([s for s in answered.statements if "INSERT INTO flow_steps" in s]) == 1


@pytest.mark.store
async def test_answers_to_a_flows_questions_count_in_neither_the_intents_nor_the_fallbacks(
    chat, db
):
    await finishes_the_finder_in_darija(Chat(chat.engine, user_id="212600000023"))
    async with db.transaction() as session:
        figures = await insights.summary(session, days=1, fallback_below=0.35)
    counted = sum(intent["messages"] for intent in figures["intents"])
    assert counted == 1  # the opening question only; the six answers are not questions
    assert all("درهم" not in row["text"] for row in figures["unanswered"])
    assert sum(day["messages"] for day in figures["daily"]) >= 7  # still counted as messages
