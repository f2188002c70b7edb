"""Inbound event -> stored state -> Outbound messages, in one transaction with the outbox."""

from __future__ import annotations

import time
from copy import deepcopy

from sqlalchemy.ext.asyncio import AsyncSession

from bot import funnels, metrics, web_links
from bot.campaigns import consent
from bot.capsules import CapsuleView
from bot.clock import utcnow
from bot.config import Settings
from bot.content import Content
from bot.dialogue import respond
from bot.effects import CampaignTap, ChangeConsent, EraseUser, HandoffEffect, ReminderEffect
from bot.flows.base import Conversation, Turn
from bot.handoff import attachments
from bot.handoff.desk import AdvisorDesk
from bot.handoff.queue import HandoffQueue, view_of
from bot.messages import Inbound, Outbound
from bot.nlu import Understand
from bot.nlu.normalize import clean
from bot.reminders import queries as reminders
from bot.store import repo, turn_rows
from bot.store.database import Database
from bot.store.locks import only_one
from bot.store.models import User
from bot.store.turn_rows import StoredState

# the languages and scripts a first burst brings; said to no one
WARM_UP = (
    (None, "salam"),
    ("fr", "Comment obtenir l'agrément ONSSA ?"),
    ("ary", "شنو هي انطلاقة؟"),
    ("ary-Latn", "kifach n9ayed la cooperative? 3awdha"),
    ("ar", "ما هي الوثائق المطلوبة؟"),
)


class _Redelivered(Exception):
    """This channel message was handled before: roll the turn back, answer nothing."""


class Engine:
    def __init__(
        self, db: Database, settings: Settings, content: Content, understand: Understand
    ) -> None:
        self.db = db
        self.settings = settings
        self.content = content
        self.understand = understand
        self.capsules: list[CapsuleView] = []
        self.handoffs = HandoffQueue(settings)
        self.desk = AdvisorDesk(settings, self.handoffs)

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Answer one inbound message; a redelivered message id gets no second answer."""
        metrics.received(inbound.channel)
        understand = self._understood_ahead(inbound)
        try:
            async with self.db.transaction() as session:
                return await self._turn(session, inbound, understand)
        except _Redelivered:
            return []

    async def _turn(
        self, session: AsyncSession, inbound: Inbound, understand: Understand
    ) -> list[Outbound]:
        """Five statements for an ordinary text message: upsert the user, read the turn's
        context, store the message with the log of the replies, save the state, queue the
        replies; a sixth when a guided flow moves to another step (the funnels' record)."""
        user = await turn_rows.user_for(
            session, channel=inbound.channel, channel_user_id=inbound.user_id
        )
        if not inbound.payload and (code := web_links.code_in(inbound.text)):
            await web_links.carry_over(session, code=code, to=user)
        context = await turn_rows.turn_context(session, user=user)
        state, handoff = context.state, context.handoff
        listed = (
            await reminders.pending_reminders(session, user=user) if context.has_reminders else []
        )
        turn = Turn(
            inbound,
            _conversation(user, state),
            self.content,
            self.settings,
            zone=user.timezone or self.settings.timezone,
            reminders=listed,
            capsules=self.capsules,
            handoff=view_of(handoff, user),
            campaign_stop=await consent.stop_asked(
                session, user=user, text="" if inbound.payload else inbound.text
            ),
        )
        outbounds = respond(turn, understand)
        # stored after deciding, so the dedup insert also carries the annotation and the
        # replies; a redelivery is found here and the whole turn is rolled back
        if not await repo.record_turn(
            session,
            user=user,
            inbound=inbound,
            replies=outbounds,
            language=turn.conversation.language,
            understanding=turn.understanding,
            classified=not turn.answered_flow,
        ):
            raise _Redelivered
        if not turn.answered_flow:
            metrics.understood(turn.understanding, self.settings.clarify_threshold)
        erase = next((e for e in turn.effects if isinstance(e, EraseUser)), None)
        if erase:
            attachments.forget_user(self.settings.data_dir, user.id)
            await repo.erase_user(
                session,
                user=user,
                farewell=Outbound(erase.farewell),
                desk=self.handoffs.desk_recipient,
            )
            return [Outbound(erase.farewell)]
        await funnels.record(session, user=user, turn=turn, was=(state.flow, state.step))
        await _save(session, turn, user)
        await reminders.apply_effects(
            session, user=user, effects=[e for e in turn.effects if isinstance(e, ReminderEffect)]
        )
        await consent.apply(
            session,
            user=user,
            effects=[e for e in turn.effects if isinstance(e, ChangeConsent | CampaignTap)],
        )
        handoff_effects = [e for e in turn.effects if isinstance(e, HandoffEffect)]
        await self.handoffs.apply(
            session, user=user, state=state, turn=turn, handoff=handoff, effects=handoff_effects
        )
        await repo.enqueue(
            session,
            user=user,
            outbounds=outbounds,
            key=f"{inbound.channel}:{inbound.message_id}",
            logged=True,
        )
        return outbounds

    def _understood_ahead(self, inbound: Inbound) -> Understand:
        """The classifier runs before the transaction opens: it is the CPU-bound part of a
        turn, and a write transaction held open meanwhile stalls every other writer. The
        turn gets this result when it asks about the same text."""
        text = clean(inbound.text) if inbound.text and not inbound.payload else ""
        if not text:
            return self.understand
        started = time.perf_counter()
        ahead = self.understand(text)
        metrics.NLU_SECONDS.observe(time.perf_counter() - started)
        return lambda asked: ahead if asked == text else self.understand(asked)

    def warm_up(self) -> None:
        """Load now what a first message would load in the middle of the first burst (the
        classifier, the word lists, the catalogs): a decision on a few texts, in memory."""
        for language, text in WARM_UP:
            turn = Turn(
                Inbound(channel="warm-up", user_id="0", message_id="0", text=text),
                Conversation(language=language),
                self.content,
                self.settings,
                zone=self.settings.timezone,
                capsules=self.capsules,
            )
            respond(turn, self.understand)

    async def message_given_up(self, user_id: int, error: str) -> None:
        """Advisors hear of a message that could not reach the user they are helping."""
        async with self.db.transaction() as session:
            await self.handoffs.tell_advisors_undelivered(session, user_id, error)

    async def set_blocked(self, *, channel: str, channel_user_id: str, blocked: bool) -> None:
        """The user blocked the bot (nothing is sent to them while blocked) or unblocked it."""
        async with self.db.transaction() as session:
            await repo.update_user(
                session,
                channel=channel,
                channel_user_id=channel_user_id,
                blocked_at=utcnow() if blocked else None,
            )

    async def sweep_handoffs(self) -> int:
        """Tell users whom no advisor answered in time, and give long-silent handoffs back
        to the bot (run every minute); returns how many users were told."""
        async with self.db.transaction() as session:
            if not await only_one(session, "handoff-sweep"):
                return 0  # another worker is sweeping this minute
            await self.handoffs.close_idle(session, utcnow())
            return await self.handoffs.tell_no_answer(session, utcnow())


def _conversation(user: User, state: StoredState) -> Conversation:
    return Conversation(
        language=user.language,
        flow=state.flow,
        step=state.step,
        slots=dict(state.slots),
        offered=list(state.offered.get("buttons", [])),
        misunderstandings=state.misunderstandings,
        answers=dict(state.answers),
        context=deepcopy(state.context),
    )


async def _save(session: AsyncSession, turn: Turn, user: User) -> None:
    conversation, inbound = turn.conversation, turn.inbound
    # writing to the bot means it may answer again; last_seen_at was set by the upsert
    user_values: dict[str, object] = {"language": conversation.language, "blocked_at": None}
    if inbound.display_name:
        user_values["display_name"] = inbound.display_name[:128]
    if inbound.phone:
        user_values["phone"] = inbound.phone
    state = {
        "flow": conversation.flow,
        "step": conversation.step,
        "slots": conversation.slots,
        "offered": {"buttons": conversation.offered},
        "misunderstandings": conversation.misunderstandings,
        "answers": conversation.answers,
        "context": conversation.context,
    }
    await turn_rows.save(session, user=user, state=state, user_values=user_values)
