"""What the service counts, for `GET /metrics` (Prometheus text format).

Two kinds of figures, chosen so they stay right with any number of processes:
- counters and timings (updates received, replies sent and failed, NLU latency, fallbacks)
  are kept by prometheus_client in each process; with several web processes on one host
  (`fadaa serve --workers N`) its multiprocess mode keeps them in files under
  PROMETHEUS_MULTIPROC_DIR and a scrape of any process sums them all;
- queue figures (outbox lag, handoff queue, reminder lag, fallback rate of the last hour)
  are read from the database at scrape time, so every process reports the same truth
  whichever worker did the work.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handoff.status import ACTIVE_HANDOFF_STATUSES
from bot.nlu import OUT_OF_SCOPE, Understanding
from bot.store.models import Handoff, Message, OutboxItem, Reminder

UPDATES = Counter("fadaa_updates_received", "Inbound messages handled, by channel", ["channel"])
REPLIES_SENT = Counter("fadaa_replies_sent", "Messages the channel API accepted", ["channel"])
REPLIES_FAILED = Counter(
    "fadaa_replies_failed",
    "Send attempts the channel refused: permanent (given up) or transient (retried)",
    ["channel", "kind"],
)
NLU_SECONDS = Histogram(
    "fadaa_nlu_seconds",
    "Time to understand one message (outside any transaction)",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
)
CLASSIFIED = Counter("fadaa_messages_classified", "Messages that went through the classifier")
FALLBACKS = Counter(
    "fadaa_fallbacks", "Classified messages that were out of scope or below the clarify threshold"
)


def received(channel: str) -> None:
    UPDATES.labels(channel).inc()


def understood(understanding: Understanding | None, fallback_below: float) -> None:
    """The fallback rate is fallbacks / classified (the same rule as the insights)."""
    if understanding is None:
        return
    CLASSIFIED.inc()
    if understanding.intent == OUT_OF_SCOPE or understanding.confidence < fallback_below:
        FALLBACKS.inc()


def reply_sent(channel: str) -> None:
    REPLIES_SENT.labels(channel).inc()


def reply_failed(channel: str, *, permanent: bool) -> None:
    REPLIES_FAILED.labels(channel, "permanent" if permanent else "transient").inc()


@dataclass
class QueueFigures:
    """Read from the database at scrape time (see bot.store.repo.queue_figures)."""

    outbox_waiting: dict[str, int] = field(default_factory=dict)
    outbox_lag_seconds: dict[str, float] = field(default_factory=dict)
    handoffs: dict[str, int] = field(default_factory=dict)
    reminder_lag_seconds: float = 0.0
    reminders_due: int = 0
    fallback_rate_last_hour: float = 0.0


class _QueueCollector(Collector):
    def __init__(self, figures: QueueFigures) -> None:
        self.figures = figures

    def collect(self) -> Iterable[Metric]:
        f = self.figures
        yield _labelled(
            "fadaa_outbox_waiting", "Messages queued and not yet sent", "channel", f.outbox_waiting
        )
        yield _labelled(
            "fadaa_outbox_lag_seconds",
            "Age of the oldest message due and not yet sent",
            "channel",
            f.outbox_lag_seconds,
        )
        yield _labelled("fadaa_handoff_queue", "Handoffs open, by status", "status", f.handoffs)
        yield GaugeMetricFamily(
            "fadaa_reminder_lag_seconds",
            "How late the oldest due, unsent reminder is",
            value=f.reminder_lag_seconds,
        )
        yield GaugeMetricFamily(
            "fadaa_reminders_due", "Reminders due and not yet sent", value=f.reminders_due
        )
        yield GaugeMetricFamily(
            "fadaa_fallback_rate",
            "Share of classified messages of the last hour that fell back",
            value=f.fallback_rate_last_hour,
        )


def _labelled(
    name: str, documentation: str, label: str, values: Mapping[str, float]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def serve_counters(host: str, port: int) -> None:
    """A worker has no web service: its counters (replies it delivered, …) get a plain
    Prometheus endpoint of their own, in a thread. The queue figures come from the web
    service's /metrics, which reads them from the database for every process."""
    start_http_server(port, addr=host, registry=_counters())


def render(figures: QueueFigures) -> bytes:
    """The Prometheus exposition: this host's counters (all processes) and the queues."""
    queues = CollectorRegistry(auto_describe=False)
    queues.register(_QueueCollector(figures))
    return generate_latest(_counters()) + generate_latest(queues)


def _counters() -> CollectorRegistry:
    """This process's counters, or, in multiprocess mode, those of every process writing
    to PROMETHEUS_MULTIPROC_DIR."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    counters = CollectorRegistry()
    multiprocess.MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
    return counters


async def queue_figures(
    session: AsyncSession, *, now: datetime, fallback_below: float
) -> QueueFigures:
    """Five small aggregate queries (each on an indexed status or time column)."""
    figures = QueueFigures()
    waiting = await session.execute(
        select(OutboxItem.channel, func.count(), func.min(OutboxItem.created_at))
        .where(
            OutboxItem.status.in_(("pending", "sending")),
            or_(OutboxItem.not_before.is_(None), OutboxItem.not_before <= now),
        )
        .group_by(OutboxItem.channel)
    )
    for channel, count, oldest in waiting.all():
        figures.outbox_waiting[channel] = count
        figures.outbox_lag_seconds[channel] = _age(now, oldest)
    handoffs = await session.execute(
        select(Handoff.status, func.count())
        .where(Handoff.status.in_(ACTIVE_HANDOFF_STATUSES))
        .group_by(Handoff.status)
    )
    figures.handoffs = dict.fromkeys(map(str, ACTIVE_HANDOFF_STATUSES), 0) | dict(handoffs.all())
    due, oldest_due = (
        await session.execute(
            select(func.count(), func.min(Reminder.due_at)).where(
                Reminder.status == "pending", Reminder.due_at <= now
            )
        )
    ).one()
    figures.reminders_due, figures.reminder_lag_seconds = due, _age(now, oldest_due)
    classified, fallbacks = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(
                    or_(Message.intent == OUT_OF_SCOPE, Message.confidence < fallback_below)
                ),
            ).where(
                Message.direction == "in",
                Message.intent.is_not(None),
                Message.created_at >= now - timedelta(hours=1),
            )
        )
    ).one()
    figures.fallback_rate_last_hour = round(fallbacks / classified, 4) if classified else 0.0
    return figures


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # an aggregate skips the column type's UTC conversion
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())
