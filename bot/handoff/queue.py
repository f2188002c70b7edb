"""The user's side of a handoff: opening it, copying the user's messages to the advisors,
leaving the queue, rating, and telling the user when advisors are slow or unreachable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.config import Settings
from bot.effects import (
    HandoffEffect,
    HandoffView,
    LeaveHandoff,
    OpenHandoff,
    RateHandoff,
    RelayToAdvisors,
)
from bot.flows.base import Turn
from bot.handoff import summary
from bot.handoff.posts import DeskPost, MediaRef, queue_posts
from bot.handoff.status import ACTIVE_HANDOFF_STATUSES, HandoffStatus
from bot.i18n import _, use_language
from bot.messages import Button, Inbound, Media, Outbound
from bot.nlu.normalize import clean
from bot.store import repo
from bot.store.models import Handoff, HandoffEvent, User
from bot.store.turn_rows import StoredState


async def active_handoff(session: AsyncSession, user_id: int) -> Handoff | None:
    return await session.scalar(
        select(Handoff).where(
            Handoff.user_id == user_id, Handoff.status.in_(ACTIVE_HANDOFF_STATUSES)
        )
    )


def view_of(handoff: Handoff | None, user: User) -> HandoffView | None:
    if handoff is None:
        return None
    return HandoffView(handoff.id, handoff.status, phone_known=bool(user.phone))


FILES = frozenset({Media.voice, Media.photo, Media.video, Media.document})


class HandoffQueue:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.group_id = settings.advisor_group_id if settings.desk_enabled else None

    @property
    def desk_recipient(self) -> str | None:
        return None if self.group_id is None else str(self.group_id)

    async def apply(
        self,
        session: AsyncSession,
        *,
        user: User,
        state: StoredState,
        turn: Turn,
        handoff: Handoff | None,
        effects: list[HandoffEffect],
    ) -> None:
        """The turn's handoff effects; `handoff` is the user's active one, already loaded."""
        for effect in effects:
            if isinstance(effect, OpenHandoff) and handoff is None:
                await self.open(
                    session, user=user, state=state, turn=turn, description=effect.description
                )
            elif isinstance(effect, RelayToAdvisors) and handoff is not None:
                await self.relay(
                    session, handoff, user=user, inbound=turn.inbound, callback=effect.callback
                )
                if effect.question and (question := clean(turn.inbound.text)):
                    handoff.description = question[:1000]
            elif isinstance(effect, LeaveHandoff) and handoff is not None:
                with use_language(self.settings.advisor_language):
                    note = _("↩️ The user left the queue and is back with the bot.")
                await self.finish(session, handoff, by="user", note=note)
            elif isinstance(effect, RateHandoff):
                await self.rate(
                    session, user=user, handoff_id=effect.handoff_id, score=effect.score
                )

    async def open(
        self,
        session: AsyncSession,
        *,
        user: User,
        state: StoredState,
        turn: Turn,
        description: str,
    ) -> None:
        now = turn.inbound.received_at
        opening = self.settings.office_hours().next_opening(now)
        handoff = Handoff(
            user_id=user.id,
            language=turn.language,
            channel=user.channel,
            topic="",
            description=description[:1000],
            created_at=now,
            expected_from=max(now, opening),
        )
        try:
            async with session.begin_nested():
                session.add(handoff)
                await session.flush()
        except IntegrityError:  # another worker opened one for this user at the same moment
            return
        recent = await summary.recent_messages(session, user)
        with use_language(self.settings.advisor_language):
            subject = summary.subject_of(recent)
            handoff.topic = summary.topic_title(handoff.id, handoff.language, subject)
            handoff.summary = summary.summary_text(
                title=handoff.topic,
                user=user,
                description=description,
                answers=state.answers | turn.conversation.answers,
                recent=recent,
            )
        await self.post(session, handoff, DeskPost("open", handoff.id, handoff.summary))
        if turn.inbound.media != Media.none:
            await self.relay(session, handoff, user=user, inbound=turn.inbound)

    async def relay(
        self,
        session: AsyncSession,
        handoff: Handoff,
        *,
        user: User,
        inbound: Inbound,
        callback: bool = False,
    ) -> None:
        text = inbound.text or (f"[{inbound.payload}]" if inbound.payload else "")
        session.add(
            HandoffEvent(
                handoff_id=handoff.id,
                author="user",
                text=text,
                media=inbound.media.value,
                attachment=_at_channel(inbound),
            )
        )
        name = user.display_name or "👤"
        with use_language(self.settings.advisor_language):
            posts = [DeskPost("text", handoff.id, f"👤 {name}: {text}")] if text else []
            if inbound.media != Media.none:
                posts.append(_media_post(handoff, inbound, name))
            if callback:
                note = _callback_note(user)
                session.add(HandoffEvent(handoff_id=handoff.id, author="bot", text=note))
                posts.append(DeskPost("text", handoff.id, note))
        await self.post(session, handoff, *posts, key=f"{inbound.channel}:{inbound.message_id}")

    async def finish(
        self,
        session: AsyncSession,
        handoff: Handoff,
        *,
        by: str,
        note: str,
        at: datetime | None = None,
    ) -> None:
        """Back to the bot: the handoff is closed, `note` is the topic's last word, and the
        topic is closed."""
        handoff.status, handoff.closed_at = HandoffStatus.closed, at or utcnow()
        handoff.closed_by = by
        await self.post(
            session,
            handoff,
            DeskPost("text", handoff.id, note),
            DeskPost("close_topic", handoff.id),
        )

    async def rate(self, session: AsyncSession, *, user: User, handoff_id: int, score: int) -> None:
        rated = await session.execute(
            update(Handoff)
            .where(
                Handoff.id == handoff_id,
                Handoff.user_id == user.id,
                Handoff.status == HandoffStatus.closed,
                Handoff.rating.is_(None),
            )
            .values(rating=score)
            .returning(Handoff.id)
        )
        if rated.first() is None:
            return
        with use_language(self.settings.advisor_language):
            note = _("⭐ The user rated this conversation {score}/5.").format(score=score)
        await self.note(session, await session.get_one(Handoff, handoff_id), note)

    async def post(
        self, session: AsyncSession, handoff: Handoff, *posts: DeskPost, key: str | None = None
    ) -> None:
        await queue_posts(
            session,
            group_id=self.group_id,
            user_id=handoff.user_id,
            posts=list(posts),
            key=key and f"desk:{key}",
        )

    async def note(self, session: AsyncSession, handoff: Handoff, text: str) -> None:
        """A line for the advisors in the handoff's topic."""
        await self.post(session, handoff, DeskPost("text", handoff.id, text))

    async def tell_no_answer(self, session: AsyncSession, now: datetime) -> int:
        """Users who waited longer than the configured time without an advisor's answer are
        told, once, and offered a reminder or a call back."""
        cutoff = now - timedelta(minutes=self.settings.handoff_no_answer_minutes)
        waiting = (
            await session.scalars(
                select(Handoff)
                .where(
                    Handoff.status.in_(ACTIVE_HANDOFF_STATUSES),
                    Handoff.first_response_at.is_(None),
                    Handoff.no_answer_told_at.is_(None),
                    Handoff.expected_from <= cutoff,
                )
                .with_for_update(skip_locked=True)
                .limit(100)
            )
        ).all()
        for handoff in waiting:
            handoff.no_answer_told_at = now
            user = await session.get_one(User, handoff.user_id)
            with use_language(user.language):
                outbound = no_answer_message()
            await tell_user(session, user, outbound, key=f"no-answer:{handoff.id}")
            with use_language(self.settings.advisor_language):
                note = _("⏰ No answer yet: the user was told and offered a reminder or a call.")
            await self.note(session, handoff, note)
        return len(waiting)

    async def close_idle(self, session: AsyncSession, now: datetime) -> int:
        """A handoff nobody has written in for days goes back to the bot, so a user coming
        back weeks later is answered rather than silently queued."""
        cutoff = now - timedelta(days=self.settings.handoff_idle_days)
        last_event = (
            select(func.max(HandoffEvent.created_at))
            .where(HandoffEvent.handoff_id == Handoff.id)
            .scalar_subquery()
        )
        idle = (
            await session.scalars(
                select(Handoff)
                .where(
                    Handoff.status.in_(ACTIVE_HANDOFF_STATUSES),
                    func.coalesce(last_event, Handoff.created_at) < cutoff,
                )
                .with_for_update(skip_locked=True)
                .limit(100)
            )
        ).all()
        with use_language(self.settings.advisor_language):
            note = _(
                "⌛ Closed after {days} days without a message; the user is back with the bot."
            ).format(days=self.settings.handoff_idle_days)
        for handoff in idle:
            await self.finish(session, handoff, by="idle", note=note, at=now)
        return len(idle)

    async def tell_advisors_undelivered(
        self, session: AsyncSession, user_id: int, error: str
    ) -> None:
        handoff = await active_handoff(session, user_id)
        if handoff is None:
            return
        with use_language(self.settings.advisor_language):
            note = _("⚠️ A message could not be delivered to the user ({error}).").format(
                error=error[:200]
            )
        session.add(HandoffEvent(handoff_id=handoff.id, author="bot", text=note))
        await self.note(session, handoff, note)

    async def tell_unreachable(self, session: AsyncSession, handoff_id: int) -> None:
        """The advisors' group cannot be reached: tell the user once that their request
        is kept and will get there."""
        handoff = await session.get(Handoff, handoff_id)
        if handoff is None or handoff.status not in ACTIVE_HANDOFF_STATUSES:
            return
        told = await repo.insert_handoff_event_once(
            session,
            handoff_id=handoff.id,
            author="bot",
            text="advisors unreachable",
            source_key=f"unreachable:{handoff.id}",
        )
        if told:
            user = await session.get_one(User, handoff.user_id)
            with use_language(user.language):
                text = _(
                    "Our advisors cannot be reached right now. Your request is saved and "
                    "will reach them as soon as possible; you will get the answer here."
                )
            await tell_user(session, user, Outbound(text), key=f"unreachable:{handoff.id}")


def no_answer_message() -> Outbound:
    return Outbound(
        _(
            "Sorry, no advisor has answered yet. Your request stays in the queue. Would you "
            "like a reminder, or to be called back?"
        ),
        (
            Button("handoff:remind", _("Remind me")),
            Button("handoff:callback", _("Call me back")),
            Button("handoff:leave", _("Leave the queue")),
        ),
    )


async def tell_user(session: AsyncSession, user: User, outbound: Outbound, key: str) -> None:
    """A message the bot sends outside a turn; its buttons can be answered by number too."""
    await repo.enqueue(session, user=user, outbounds=[outbound], key=key)
    if outbound.buttons:
        state = await repo.state_for(session, user=user)
        state.offered = {"buttons": [[b.payload, b.title] for b in outbound.buttons]}


def _media_post(handoff: Handoff, inbound: Inbound, name: str) -> DeskPost:
    labels = {
        Media.voice: _("voice note"),
        Media.photo: _("photo"),
        Media.video: _("video"),
        Media.document: _("document"),
    }
    label = labels.get(inbound.media, _("a message the bot cannot show"))
    media = (
        MediaRef(inbound.channel, inbound.media_ref, inbound.media.value)
        if (inbound.media_ref and inbound.media in labels)
        else None
    )
    return DeskPost("media" if media else "text", handoff.id, f"👤 {name}: [{label}]", media)


def _at_channel(inbound: Inbound) -> dict[str, str] | None:
    """Where an advisor's console fetches the user's file when it is opened."""
    if inbound.media_ref is None or inbound.media not in FILES:
        return None
    return {"channel": inbound.channel, "ref": inbound.media_ref}


def _callback_note(user: User) -> str:
    if user.phone:
        return _("📞 The user asks to be called back on {phone}.").format(phone=user.phone)
    return _("📞 The user asks to be called back and will write their number here.")
