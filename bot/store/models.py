"""Tables. Every change goes through an Alembic migration in bot/store/migrations."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.clock import utcnow
from bot.handoff.status import HandoffStatus


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always aware and in UTC on the way in and out: SQLite keeps no offset
    (it would store a Casablanca wall time as if it were UTC, and give back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    display_name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    blocked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationState(Base):
    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(64))
    slots: Mapped[dict[str, Any]] = mapped_column(default=dict)
    offered: Mapped[dict[str, Any]] = mapped_column(default=dict)
    misunderstandings: Mapped[int] = mapped_column(Integer, default=0)
    # answers of finished questionnaires, kept for an advisor's summary
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # what follow-ups need: the topic of the last answer, the answers before it
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(Base):
    """Every message in and out; (channel, channel_message_id) recognises a redelivery."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "channel_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(String(256))
    media: Mapped[str] = mapped_column(String(16), default="none")
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FlowStep(Base):
    """A guided flow reached a step (or its end, step "finished") in a turn: what the
    insights' funnels count. Written only on turns where the step changes."""

    __tablename__ = "flow_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


# the partial indexes' conditions, written the same way in the claim (a planner uses a
# partial index only for a query whose conditions it can match to the index's)
UNSENT_DUE = "status = 'pending'"
UNSENT = "status IN ('pending', 'sending')"


class OutboxItem(Base):
    """A reply written in the same transaction as the state change, delivered afterwards."""

    __tablename__ = "outbox"
    __table_args__ = (
        # the web chat reads a session's replies in order (bot/channels/web.py)
        Index("ix_outbox_recipient", "channel", "recipient", "id"),
        # the claim (repo.claim_outbox) reads only unsent rows, whatever the table holds:
        # without these PostgreSQL compared every pending row with every other (seen at
        # 60 ms a claim under a burst, when the statistics still described an empty table)
        Index(
            "ix_outbox_due",
            "channel",
            "priority",
            "id",
            postgresql_where=text(UNSENT_DUE),
            sqlite_where=text(UNSENT_DUE),
        ),
        Index(
            "ix_outbox_unsent",
            "user_id",
            "channel",
            "id",
            postgresql_where=text(UNSENT),
            sqlite_where=text(UNSENT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for a last message to someone whose data was erased: sent, then deleted.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column()
    not_before: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # the channel's id of what was sent (WhatsApp's wamid): a later "failed" status finds it
    channel_message_id: Mapped[str | None] = mapped_column(String(128), index=True)
    # 0: conversation replies, sent first; 1: campaigns, which never hold a reply back
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UnprocessableUpdate(Base):
    """A webhook body that passed the secret or signature but could not be understood:
    kept (an excerpt) for a person to look at, and answered 200 so the channel does not
    redeliver it forever ahead of the others."""

    __tablename__ = "unprocessable_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    excerpt: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Reminder(Base):
    """A reminder: the local wall time and zone are the truth; due_at (UTC) is derived."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    local_time: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    zone: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column()
    recurrence: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    tzdata_version: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdminToken(Base):
    """An API token; only its SHA-256 is kept, the token itself is shown once."""

    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class ContentRecord(Base):
    """The live copy of one content item (seeded from bot/content/*.yaml)."""

    __tablename__ = "content_items"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    file: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentVersion(Base):
    """Every change to content: who, when, before and after; any version can be restored."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(16))
    file: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Capsule(Base):
    """A video capsule: texts in three languages, topic tags, and the ids each channel gave
    the uploaded video, so it is not uploaded again."""

    __tablename__ = "capsules"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[dict[str, Any]] = mapped_column()
    caption: Mapped[dict[str, Any]] = mapped_column()
    tags: Mapped[dict[str, Any]] = mapped_column()
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    video_file: Mapped[str | None] = mapped_column(String(255))
    video_url: Mapped[str | None] = mapped_column(String(500))
    sample: Mapped[bool] = mapped_column(default=False)
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    whatsapp_media_id: Mapped[str | None] = mapped_column(String(255))
    whatsapp_media_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


ACTIVE_HANDOFF = f"status IN ('{HandoffStatus.waiting}', '{HandoffStatus.claimed}')"


class Handoff(Base):
    """A conversation handed to human advisors; at most one active per user."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index(
            "uq_handoffs_active_user",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE_HANDOFF),
            postgresql_where=text(ACTIVE_HANDOFF),
        ),
        Index("ix_handoffs_status", "status", "created_at"),
        Index("ix_handoffs_thread", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=HandoffStatus.waiting)
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    advisor: Mapped[str | None] = mapped_column(String(80))
    advisor_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when advisors could first see it: the request, or the next opening after it
    expected_from: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    first_response_at: Mapped[datetime | None] = mapped_column()
    no_answer_told_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(80))
    rating: Mapped[int | None] = mapped_column(Integer)


class HandoffEvent(Base):
    """What was said during a handoff: by the user, an advisor, or an internal note."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(10))
    advisor: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[str] = mapped_column(String(16), default="none")
    # the file: {"path", "mime", "name"} kept on disk (an advisor's), or {"channel", "ref"}
    # to fetch it from the user's channel
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the channel update it came from, so a redelivered update is recorded once
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Advisor(Base):
    """A person allowed to answer users from the advisors' Telegram group."""

    __tablename__ = "advisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # the only part of an advisor's identity users may see; empty means "an advisor"
    public_name: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedAnswer(Base):
    """A ready answer in three languages; "{name}" becomes the user's first name."""

    __tablename__ = "canned_answers"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    texts: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """What a user agreed to receive, per topic, with when they said yes and when they
    withdrew (law 09-08); erased with the user."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("user_id", "topic"), Index("ix_consents_topic", "topic"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    source: Mapped[str] = mapped_column(String(16), default="conversation")


class Campaign(Base):
    """A message editors send first, to the users who consented to its topic."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(16))
    texts: Mapped[dict[str, Any]] = mapped_column()
    capsule_id: Mapped[str | None] = mapped_column(String(60))
    buttons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    templates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    send_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class CampaignDelivery(Base):
    """One campaign to one user: at most one row (the unique constraint), whatever the
    crashes; its status follows the outbox row it became."""

    __tablename__ = "campaign_deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id"),
        Index("ix_campaign_deliveries_feed", "status", "channel", "id"),
        Index("ix_campaign_deliveries_user", "user_id", "id"),
        Index("ix_campaign_deliveries_pace", "channel", "fed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    fed_at: Mapped[datetime | None] = mapped_column()  # put in the outbox (the pace counts it)
    sent_at: Mapped[datetime | None] = mapped_column()
    tapped_at: Mapped[datetime | None] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column()


class TrainingPhrase(Base):
    """A user's question an editor proposed as a training phrase; once accepted,
    `fadaa nlu-train` copies it into bot/nlu/training/reviewed.jsonl and marks it trained."""

    __tablename__ = "training_phrases"
    __table_args__ = (UniqueConstraint("text", "intent", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    intent: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="proposed", index=True)
    proposed_by: Mapped[str] = mapped_column(String(80))
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column()


class StaffAccount(Base):
    """A person who logs in to the console: email, argon2 password hash and role."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column()


class StaffSession(Base):
    """A console login: only the SHA-256 of the cookie's value is kept, with its CSRF token."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class WebLink(Base):
    """A code that carries a web chat session's conversation over to Telegram or WhatsApp."""

    __tablename__ = "web_links"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()
