"""GET /metrics: Prometheus text with the service's counters and the queues' state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import utcnow
from bot.reminders.queries import new_reminder
from bot.store import turn_rows
from tests.conftest import database_url, empty_database
from tests.fakes.servers import free_port
from tests.fakes.telegram_api import text_update
from tests.service import TELEGRAM_SECRET, channel_settings, running_service

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
pytestmark = pytest.mark.store  # the queue figures are read from the database


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(service, **headers: str) -> str:
    response = await service.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


async def test_metrics_count_updates_replies_understanding_and_fallbacks(service):
    before = await scrape(service)
    for update_id, text in ((1, "salam"), (2, "1"), (3, "qui a gagné le match du Wydad ?")):
        await service.client.post(
            "/telegram/webhook", json=text_update(update_id, 77, text), headers=HEADERS
        )
        await service.delivered()
    after = await scrape(service)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("fadaa_updates_received_total", channel="telegram") == 3
    assert grew("fadaa_replies_sent_total", channel="telegram") >= 3
    assert grew("fadaa_nlu_seconds_count") >= 2
    assert grew("fadaa_fallbacks_total") >= 1
    assert grew("fadaa_messages_classified_total") >= grew("fadaa_fallbacks_total")
    assert value(after, "fadaa_fallback_rate") > 0
    assert value(after, "fadaa_handoff_queue", status="waiting") == 0
    assert value(after, "fadaa_outbox_waiting", channel="telegram") == 0


async def test_failed_replies_and_queue_lag_are_reported(service):
    service.telegram.forbidden_chats.add("66")
    await service.client.post(
        "/telegram/webhook", json=text_update(9, 66, "salam"), headers=HEADERS
    )
    await service.delivered()
    async with service.services.db.transaction() as session:
        user = await turn_rows.user_for(session, channel="telegram", channel_user_id="66")
        reminder = new_reminder(
            user_id=user.id,
            text="AG",
            local=utcnow().replace(tzinfo=None) + timedelta(days=1),
            zone="Africa/Casablanca",
            recurrence=None,
        )
        reminder.due_at = utcnow() - timedelta(minutes=3)
        session.add(reminder)
    text = await scrape(service)
    assert value(text, "fadaa_replies_failed_total", channel="telegram", kind="permanent") >= 1
    assert value(text, "fadaa_reminders_due") == 1
    assert 170 < value(text, "fadaa_reminder_lag_seconds") < 3600


async def test_without_a_token_metrics_are_for_this_host_only(service):
    elsewhere = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.app, client=("203.0.113.7", 40000)),
        base_url="http://fadaa.test",
    )
    async with elsewhere:
        assert (await elsewhere.get("/metrics")).status_code == 403
    await scrape(service)  # loopback: a default local scrape works


async def test_with_a_token_metrics_need_it_as_a_bearer(tmp_path):
    await (await empty_database(database_url(tmp_path))).dispose()
    settings = channel_settings(database_url(tmp_path), metrics_token="scrape-me-please")
    async with running_service(settings) as service:
        assert (await service.client.get("/metrics")).status_code == 401
        wrong = await service.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        await scrape(service, Authorization="Bearer scrape-me-please")


def test_counters_of_several_processes_are_summed_in_multiprocess_mode(tmp_path):
    """What `fadaa serve --workers N` sets up: each process writes its counters to the
    shared folder, and any process's scrape adds them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from bot import metrics; metrics.received('telegram')"
    scrape_it = "from bot import metrics; print(metrics.render(metrics.QueueFigures()).decode())"
    for _process in range(2):
        subprocess.run(
            [sys.executable, "-c", count],
            env=env,
            check=True,
            timeout=60,
            cwd=Path(__file__).parent.parent,
        )
    out = subprocess.run(
        [sys.executable, "-c", scrape_it],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert value(out.stdout, "fadaa_updates_received_total", channel="telegram") == 2


def test_a_worker_serves_its_own_counters_when_given_a_metrics_port(tmp_path):
    """Workers deliver replies too, and have no web service: their counters need a port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FADAA_")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", "--metrics-port", str(port)],
        env=env | {"FADAA_DATA_DIR": str(tmp_path)},
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stderr.readline().strip() == "fadaa worker: ready"
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
    assert "# TYPE fadaa_replies_sent_total counter" in scraped
