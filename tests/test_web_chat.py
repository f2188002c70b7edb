"""The web chat's HTTP interface: sessions, messages, the event stream and its replay,
dedup, limits, and what keeps a browser safe. The real app, engine and store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.auth import RateLimiter
from bot import admin_tokens
from bot.channels.web_sessions import SessionTokens, session_secret
from bot.clock import utcnow
from bot.messages import Outbound
from bot.redaction import redact_in_logs
from bot.store import repo
from bot.store.database import Database
from bot.store.models import Message, OutboxItem, Reminder, User, WebLink
from tests.conftest import database_url, empty_database
from tests.desk import ALWAYS_OPEN, GROUP, from_whatsapp, to_telegram
from tests.fakes.telegram_api import text_update
from tests.fakes.whatsapp_api import text_message
from tests.service import Running, channel_settings, running_service
from tests.test_capsules import editor, upload
from tests.webchat import SHORT_STREAMS, WebVisitor

pytestmark = pytest.mark.store
ODCO = "https://www.odco.gov.ma"
TELEGRAM_CHAT = 5550077
UNREACHABLE = "postgresql+asyncpg://fadaa@127.0.0.1:9/down"


@pytest.fixture
async def webchat(tmp_path: Path) -> AsyncIterator[Running]:
    await (await empty_database(database_url(tmp_path))).dispose()
    settings = channel_settings(
        database_url(tmp_path),
        data_dir=tmp_path,
        advisor_group_id=GROUP,
        web_origins=ODCO,
        web_messages_per_minute=8,
        web_address_requests_per_minute=30,
        telegram_bot_username="FadaaBot",
        whatsapp_number="+212600000000",
        **SHORT_STREAMS,
        **ALWAYS_OPEN,
    )
    async with running_service(settings) as running:
        yield running


async def visitor(webchat: Running) -> WebVisitor:
    return await WebVisitor(webchat).arrive()


async def speaking(webchat: Running, language: str) -> WebVisitor:
    """A visitor who greeted and chose a language."""
    amina = await visitor(webchat)
    await amina.say("salam")
    await amina.tap(f"lang:{language}")
    return amina


async def test_a_darija_greeting_is_answered_as_an_event_with_its_buttons(webchat):
    amina = await visitor(webchat)
    assert (await amina.say("السلام عليكم")).status_code == 202
    [event] = await amina.events()
    assert event["text"] and event["dir"] == "rtl"
    assert {"title": "Français", "payload": "lang:fr"} in event["buttons"]
    assert event["sse_id"] == str(event["id"])


async def test_a_tapped_button_is_answered_in_the_language_it_chose(webchat):
    amina = await visitor(webchat)
    await amina.say("السلام عليكم")
    await amina.events()
    await amina.tap("lang:fr")
    replies = await amina.events()
    assert replies and all(event["dir"] == "ltr" for event in replies)


async def test_a_reconnecting_client_gets_every_reply_after_its_last_event_id(webchat):
    amina = await visitor(webchat)
    await amina.say("السلام عليكم")
    [greeting] = await amina.events()
    await amina.tap("lang:ary")  # answered while the browser was away
    await amina.say("فين خاصني نديبوزي الدوسي ديال التعاونية؟")
    missed = await amina.events(**{"Last-Event-ID": str(greeting["id"])})
    assert [e["id"] for e in missed] == sorted(e["id"] for e in missed)
    assert greeting["id"] < missed[0]["id"]
    assert "المحكمة الابتدائية" in missed[-1]["text"]
    assert await amina.events() == []  # nothing new since


async def test_the_history_holds_both_sides_and_where_the_stream_goes_on(webchat):
    amina = await visitor(webchat)
    await amina.say("السلام عليكم")
    await amina.tap("lang:ary")
    history = (await webchat.client.get("/web/history", headers=amina.headers)).json()
    sides = [m["from"] for m in history["messages"]]
    assert sides[:2] == ["user", "bot"] and sides.count("user") == 2
    assert history["messages"][0]["text"] == "السلام عليكم"
    assert history["cursor"] == max(m.get("id", 0) for m in history["messages"])


async def test_the_same_client_message_id_is_answered_once(webchat):
    amina = await visitor(webchat)
    first = await amina.say("سلام", message_id="c-1")
    again = await amina.say("سلام", message_id="c-1")
    assert first.status_code == again.status_code == 202
    assert len(await amina.events()) == 1
    async with webchat.services.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 2  # in + out


async def test_a_forged_or_missing_token_is_refused(webchat):
    amina = await visitor(webchat)
    forged = amina.token[:-2] + ("00" if not amina.token.endswith("00") else "11")
    for headers in ({}, {"Authorization": f"Bearer {forged}"}):
        response = await webchat.client.post("/web/messages", json={"text": "hi"}, headers=headers)
        assert response.status_code == 401
    assert (await webchat.client.get("/web/events", params={"token": forged})).status_code == 401


async def test_a_session_idle_longer_than_allowed_expires(webchat):
    tokens = SessionTokens(session_secret(webchat.services.settings))
    idle = webchat.services.settings.web_session_idle_days + 1
    old_token, _session = tokens.issue(utcnow() - timedelta(days=idle))
    response = await WebVisitor(webchat, old_token).say("salam")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


async def test_a_session_continues_the_next_day(webchat):
    tokens = SessionTokens(session_secret(webchat.services.settings))
    yesterday, _session = tokens.issue(utcnow() - timedelta(days=1))
    amina = WebVisitor(webchat, yesterday)
    assert (await amina.say("السلام عليكم")).status_code == 202
    assert await amina.events()


async def test_messages_beyond_the_session_limit_are_refused_with_429(webchat):
    amina = await visitor(webchat)
    limit = webchat.services.settings.web_messages_per_minute
    statuses = [(await amina.say(f"salam {n}")).status_code for n in range(limit + 2)]
    assert statuses[:limit] == [202] * limit and statuses[limit:] == [429, 429]
    assert (await (await visitor(webchat)).say("salam")).status_code == 202


async def test_one_address_cannot_open_sessions_without_end(webchat):
    limit = webchat.services.settings.web_address_requests_per_minute
    statuses = [(await webchat.client.post("/web/sessions")).status_code for _ in range(limit + 1)]
    assert statuses[-1] == 429 and statuses.count(201) == limit


async def test_an_over_long_message_or_body_is_refused_precisely(webchat):
    amina = await visitor(webchat)
    too_long = await amina.say("ب" * 4001)
    assert too_long.status_code == 422 and "4000" in too_long.text
    too_big = await webchat.client.post(
        "/web/messages", content=b"{" + b" " * 20_000 + b"}", headers=amina.headers
    )
    assert too_big.status_code == 413
    neither = await amina.post({"id": "x1"})
    assert neither.status_code == 422 and "either" in neither.text


async def test_a_script_tag_is_stored_and_sent_back_as_plain_text(webchat):
    amina = await visitor(webchat)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await amina.say(attack)
    history = (await webchat.client.get("/web/history", headers=amina.headers)).json()
    assert history["messages"][0]["text"] == attack  # the page puts it in as text
    page = await webchat.client.get("/chat")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in page.text.replace('<script type="application/json"', "")


async def test_the_chat_page_and_widget_are_served_without_any_other_host(webchat):
    page = await webchat.client.get("/chat", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert page.status_code == 200 and '<html lang="fr" dir="ltr">' in page.text
    assert "https://" not in page.text and "http://" not in page.text
    arabic = await webchat.client.get("/chat?lang=ary")
    assert '<html lang="ary" dir="rtl">' in arabic.text
    widget = await webchat.client.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "/chat?embed=1" in widget.text
    for asset in ("chat.js", "chat.css", "icon.svg"):
        assert (await webchat.client.get(f"/chat/assets/{asset}")).status_code == 200
    assert (await webchat.client.get("/chat/assets/..%2Fweb.py")).status_code == 404


async def test_cors_answers_only_the_configured_origin_and_only_on_the_chat_api(webchat):
    def preflight(origin: str, path: str = "/web/messages") -> dict[str, str]:
        return {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }

    allowed = await webchat.client.options("/web/messages", headers=preflight(ODCO))
    assert allowed.headers["access-control-allow-origin"] == ODCO
    other = await webchat.client.options("/web/messages", headers=preflight("https://evil.test"))
    assert "access-control-allow-origin" not in other.headers
    admin = await webchat.client.get("/healthz", headers={"Origin": ODCO})
    assert "access-control-allow-origin" not in admin.headers
    framed = (await webchat.client.get("/chat")).headers["content-security-policy"]
    assert f"frame-ancestors 'self' {ODCO}" in framed


async def test_delete_my_data_from_the_web_erases_the_conversation(webchat):
    amina = await speaking(webchat, "ary")
    await amina.say("مسح بياناتي")
    await amina.tap("privacy:erase")
    farewell = (await amina.events())[-1]
    assert farewell["buttons"] == [] and farewell["dir"] == "rtl"
    async with webchat.services.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
        assert await session.scalar(select(func.count()).select_from(OutboxItem)) == 0
    history = (await webchat.client.get("/web/history", headers=amina.headers)).json()
    assert history["messages"] == []


async def test_an_advisor_reply_from_the_api_reaches_the_web_page(webchat):
    amina = await speaking(webchat, "ary")
    await amina.say("بغيت نهضر مع شي مستشار")
    await amina.say("عندي مشكل فالملف ديال انطلاقة، البنكة ما بغاتش تجاوبني")
    await amina.events()
    async with webchat.services.db.transaction() as session:
        _row, secret = await admin_tokens.create(session, name="Salma", role="advisor")
    listed = await webchat.client.get(
        "/admin/handoffs", headers={"Authorization": f"Bearer {secret}"}
    )
    [handoff] = listed.json()
    assert handoff["channel"] == "web"
    reply = await webchat.client.post(
        f"/admin/handoffs/{handoff['id']}/reply",
        headers={"Authorization": f"Bearer {secret}"},
        json={"text": "سلام، غادي نعيط للبنكة ونرجع ليك."},
    )
    assert reply.status_code == 200
    assert (await amina.replies())[-1].endswith("سلام، غادي نعيط للبنكة ونرجع ليك.")


async def test_a_link_code_carries_the_web_conversation_over_to_telegram(webchat):
    amina = await speaking(webchat, "fr")
    await amina.say("rappelle-moi demain à 10h de déposer le dossier")
    await amina.tap("reminder:confirm")
    offer = (await amina.events())[-1]
    assert offer["buttons"] == [
        {"title": "Continuer sur votre téléphone", "payload": "web:continue"}
    ]
    links = (await webchat.client.post("/web/link", headers=amina.headers)).json()
    assert links["telegram"] == f"https://t.me/FadaaBot?start={links['code']}"
    assert links["whatsapp"] == f"https://wa.me/212600000000?text={links['code']}"

    await to_telegram(webchat, text_update(1, TELEGRAM_CHAT, f"/start {links['code']}"))
    await webchat.delivered()
    assert "ODCO" in webchat.telegram.texts(TELEGRAM_CHAT)[-1]
    async with webchat.services.db.transaction() as session:
        telegram_user = await session.scalar(select(User).where(User.channel == "telegram"))
        reminder = await session.scalar(select(Reminder))
    assert telegram_user.language == "fr" and reminder.user_id == telegram_user.id


async def test_a_capsule_comes_with_a_video_the_service_serves(webchat):
    await upload(webchat, await editor(webchat))  # users never see the shipped sample
    amina = await speaking(webchat, "fr")
    await amina.tap("intent:watch_capsules")
    choices = (await amina.events())[-1]["buttons"]
    await amina.tap(next(b["payload"] for b in choices if b["payload"].startswith("capsule:")))
    video = (await amina.events())[-1]["video"]
    assert video["src"].startswith("/web/capsules/") and video["caption"]
    served = await webchat.client.get(video["src"])
    assert served.status_code == 200 and served.headers["content-type"] == "video/mp4"
    assert len(served.content) > 1000


async def test_events_and_history_carry_the_language_the_visitor_chose(webchat):
    amina = await speaking(webchat, "fr")
    assert {event["lang"] for event in await amina.events()} == {"fr"}
    history = (await webchat.client.get("/web/history", headers=amina.headers)).json()
    assert history["language"] == "fr"


async def test_a_message_during_a_handoff_says_no_reply_is_coming_from_the_bot(webchat):
    amina = await speaking(webchat, "ary")
    await amina.say("بغيت نهضر مع شي مستشار")
    acknowledged = await amina.say("عندي مشكل فالملف ديال انطلاقة")  # the question, once
    waiting = await amina.say("البانكة طلبات مني ورقة جديدة")
    assert acknowledged.json()["replies"] == 1 and waiting.json()["replies"] == 0


def test_the_rate_limiter_forgets_sessions_quiet_for_a_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("api.auth.time.monotonic", lambda: clock[0])
    limiter = RateLimiter(per_minute=2)
    assert limiter.allow(("session", "a")) and limiter.allow(("session", "a"))
    assert not limiter.allow(("session", "a"))
    clock[0] += 61
    assert limiter.allow(("address", "10.0.0.7"))
    assert list(limiter.calls) == [("address", "10.0.0.7")]


async def test_any_web_process_serves_any_session(webchat, tmp_path):
    """A second app on the same database (as a second web process) streams the replies to
    a message the first one handled."""
    settings = webchat.services.settings.model_copy(update={"worker_id": "web-2"})
    async with running_service(settings) as second:
        amina = await visitor(webchat)
        await amina.say("السلام عليكم")
        elsewhere = WebVisitor(second, amina.token)
        [greeting] = await elsewhere.events()
        assert {"title": "Français", "payload": "lang:fr"} in greeting["buttons"]


async def test_the_store_watcher_wakes_a_stream_for_a_reply_queued_elsewhere(webchat):
    amina = await visitor(webchat)
    await amina.say("salam")
    web = webchat.services.web
    session = web.tokens.read(amina.token)
    waiting = asyncio.create_task(web.news.wait(session.id, 30))
    await asyncio.sleep(0.05)
    async with webchat.services.db.transaction() as db:
        user = await db.scalar(select(User).where(User.channel == "web"))
        await repo.enqueue(db, user=user, outbounds=[Outbound("Rappel : dossier à déposer")])
    await asyncio.wait_for(waiting, 2)


def test_a_session_token_in_a_logged_url_is_masked(caplog):
    redact_in_logs([])
    caplog.set_level(logging.INFO, logger="uvicorn.access")  # a live server may have raised it
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "203.0.113.9:50412",
        "GET",
        "/web/events?token=Zk3vQ.1764756000.9f8e7d6c&after=12",
        "1.1",
        200,
    )
    assert "/web/events?token=***&after=12" in caplog.text
    assert "9f8e7d6c" not in caplog.text


async def test_a_conversation_idle_past_the_limit_is_erased_and_a_fresh_one_kept(webchat):
    old, fresh = await speaking(webchat, "ary"), await speaking(webchat, "fr")
    idle = webchat.services.settings.web_session_idle_days + 1
    async with webchat.services.db.transaction() as session:
        await repo.update_user(
            session,
            channel="web",
            channel_user_id=webchat.services.web.tokens.read(old.token).id,
            last_seen_at=utcnow() - timedelta(days=idle),
        )
    assert await webchat.services.web.forget_expired() == 1
    async with webchat.services.db.transaction() as session:
        assert [u.language for u in await session.scalars(select(User))] == ["fr"]
    assert (await fresh.say("merci")).status_code == 202


async def test_during_a_database_outage_a_message_is_refused_503_and_can_be_sent_again(webchat):
    amina = await visitor(webchat)
    engine = webchat.services.engine
    working, engine.db = engine.db, Database(UNREACHABLE)
    try:
        down = await amina.say("سلام", message_id="again-1")
    finally:
        await engine.db.dispose()
        engine.db = working
    assert down.status_code == 503
    again = await amina.say("سلام", message_id="again-1")
    assert again.status_code == 202 and len(await amina.events()) == 1


async def test_the_code_alone_carries_the_conversation_over_to_whatsapp(webchat):
    amina = await speaking(webchat, "ary")
    links = (await webchat.client.post("/web/link", headers=amina.headers)).json()
    await from_whatsapp(webchat, text_message("wamid.W1", links["code"]))
    await webchat.delivered()
    async with webchat.services.db.transaction() as session:
        whatsapp_user = await session.scalar(select(User).where(User.channel == "whatsapp"))
        link = await session.get(WebLink, links["code"])
    assert whatsapp_user.language == "ary" and link.used_at is not None
    welcome = webchat.graph.interactive()[0]["body"]["text"]
    assert "مكتب تنمية التعاون" in welcome  # in Darija, the language chosen on the web
