"""Inbound event -> stored state -> Outbound messages, in one transaction with the outbox."""

from __future__ import annotations

from copy import deepcopy

from bot.capsules import CapsuleView
from bot.clock import utcnow
from bot.config import Settings
from bot.content import Content
from bot.dialogue import respond
from bot.effects import EraseUser, HandoffEffect, ReminderEffect
from bot.flows.base import Conversation, Turn
from bot.handoff.desk import AdvisorDesk
from bot.handoff.queue import HandoffQueue, active_handoff, view_of
from bot.messages import Inbound, Outbound
from bot.nlu import Understand
from bot.store import repo
from bot.store.database import Database
from bot.store.models import ConversationState, User


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
        async with self.db.transaction() as session:
            user = await repo.user_for(
                session, channel=inbound.channel, channel_user_id=inbound.user_id
            )
            message_id = await repo.record_inbound(session, user=user, inbound=inbound)
            if message_id is None:
                return []
            state = await repo.state_for(session, user=user)
            handoff = await active_handoff(session, user.id)
            turn = Turn(inbound, _conversation(user, state), self.content, self.settings,
                        zone=user.timezone or self.settings.timezone,
                        reminders=await repo.pending_reminders(session, user=user),
                        capsules=self.capsules,
                        handoff=view_of(handoff, user))
            outbounds = respond(turn, self.understand)
            erase = next((e for e in turn.effects if isinstance(e, EraseUser)), None)
            if erase:
                await repo.erase_user(session, user=user, farewell=Outbound(erase.farewell),
                                      desk=self.handoffs.desk_recipient)
                return [Outbound(erase.farewell)]
            _save(turn, user, state)
            if turn.understanding:
                await repo.annotate_message(
                    session, message_id=message_id, intent=turn.understanding.intent,
                    confidence=turn.understanding.confidence,
                    language=turn.understanding.language,
                )
            await repo.apply_effects(session, user=user, effects=[
                e for e in turn.effects if isinstance(e, ReminderEffect)])
            handoff_effects = [e for e in turn.effects if isinstance(e, HandoffEffect)]
            await self.handoffs.apply(session, user=user, state=state, turn=turn,
                                      handoff=handoff, effects=handoff_effects)
            await repo.enqueue(
                session, user=user, outbounds=outbounds,
                key=f"{inbound.channel}:{inbound.message_id}",
            )
        return outbounds

    async def message_given_up(self, user_id: int, error: str) -> None:
        """Advisors hear of a message that could not reach the user they are helping."""
        async with self.db.transaction() as session:
            await self.handoffs.tell_advisors_undelivered(session, user_id, error)

    async def sweep_handoffs(self) -> int:
        """Tell users whom no advisor answered in time, and give long-silent handoffs back
        to the bot (run every minute); returns how many users were told."""
        async with self.db.transaction() as session:
            await self.handoffs.close_idle(session, utcnow())
            return await self.handoffs.tell_no_answer(session, utcnow())


def _conversation(user: User, state: ConversationState) -> Conversation:
    return Conversation(
        language=user.language, flow=state.flow, step=state.step, slots=dict(state.slots or {}),
        offered=list((state.offered or {}).get("buttons", [])),
        misunderstandings=state.misunderstandings or 0, answers=dict(state.answers or {}),
        context=deepcopy(state.context or {}),
    )


def _save(turn: Turn, user: User, state: ConversationState) -> None:
    conversation = turn.conversation
    user.language = conversation.language  # last_seen_at was set by the upsert
    user.blocked_at = None  # writing to the bot means it may answer again
    if turn.inbound.display_name:
        user.display_name = turn.inbound.display_name[:128]
    state.flow, state.step = conversation.flow, conversation.step
    state.slots = conversation.slots
    state.offered = {"buttons": conversation.offered}
    state.misunderstandings = conversation.misunderstandings
    state.answers = conversation.answers
    state.context = conversation.context

