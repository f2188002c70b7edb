"""The advisors' side of a handoff, whether they work in the Telegram group or through the
API: the same rules either way. The first advisor to answer claims the conversation; the
others are told who has it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.config import Settings
from bot.handoff import canned as ready_answers
from bot.handoff.attachments import MAX_DOCUMENT_BYTES, MAX_PHOTO_BYTES
from bot.handoff.queue import HandoffQueue, tell_user
from bot.handoff.status import ACTIVE_HANDOFF_STATUSES, HandoffStatus
from bot.i18n import _, use_language
from bot.messages import Attachment, Button, Outbound
from bot.store import repo
from bot.store.models import Advisor, Handoff, HandoffEvent, User


@dataclass(frozen=True)
class AdvisorRef:
    key: str  # "telegram:<user id>" or "api:<token name>"
    public_name: str | None = None

    @property
    def label(self) -> str:
        return self.public_name or self.key.partition(":")[2]


class DeskRefusal(Exception):
    """An action the rules refuse; the message (in the desk's language) says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _file_refusal(reason: str) -> str:
    if reason == "too_large":
        return _(
            "This file is too large for the user: a photo up to {photo} MB, a PDF up to "
            "{document} MB. It was not sent."
        ).format(photo=MAX_PHOTO_BYTES // 2**20, document=MAX_DOCUMENT_BYTES // 2**20)
    if reason == "unavailable":
        return _("Telegram did not give the file; post it again.")
    return _("Only photos (JPEG, PNG, WebP) and PDF files reach the user; nothing was sent.")


class AdvisorDesk:
    def __init__(self, settings: Settings, queue: HandoffQueue) -> None:
        self.settings = settings
        self.queue = queue

    async def telegram_advisor(self, session: AsyncSession, user_id: int) -> AdvisorRef | None:
        """The registered advisor with this Telegram id (API list or configuration)."""
        row = await session.scalar(select(Advisor).where(Advisor.telegram_user_id == user_id))
        if row is None and user_id not in self.settings.advisor_telegram_ids:
            return None
        return AdvisorRef(f"telegram:{user_id}", row.public_name if row else None)

    async def in_thread(self, session: AsyncSession, thread_id: int) -> Handoff | None:
        return await session.scalar(
            select(Handoff)
            .where(Handoff.thread_id == thread_id)
            .order_by(Handoff.id.desc())
            .limit(1)
        )

    async def act(
        self,
        session: AsyncSession,
        handoff: Handoff,
        advisor: AdvisorRef,
        *,
        command: str | None,
        text: str,
        key: str | None = None,
        from_group: bool = True,
        attachment: Attachment | None = None,
        file_refused: str | None = None,
    ) -> DeskRefusal | None:
        """Do what an advisor wrote (a reply, with a file or not, or a command); a refusal
        is returned, and posted in the topic when it came from there. `file_refused`: the
        advisor posted a file that cannot reach the user (an attachments.FileRefused reason,
        or "unavailable"). A redelivered update (same `key`) does nothing and is returned
        as a refusal, so that a file kept for it goes."""
        author = "advisor" if command is None else "note" if command == "note" else "command"
        event_id = await repo.insert_handoff_event_once(
            session,
            handoff_id=handoff.id,
            author=author,
            advisor=advisor.key,
            text=text if command in (None, "note") else f"/{command} {text}".strip(),
            source_key=key,
            media=attachment.kind if attachment else "none",
            attachment=asdict(attachment) if attachment else None,
        )
        if event_id is None:
            return DeskRefusal("redelivered", "this update was handled before")
        try:
            with use_language(self.settings.advisor_language):
                if file_refused:
                    raise DeskRefusal(file_refused, _file_refusal(file_refused))
                await self._dispatch(
                    session, handoff, advisor, command, text, from_group, attachment
                )
        except DeskRefusal as refusal:
            await session.execute(
                update(HandoffEvent).where(HandoffEvent.id == event_id).values(author="refused")
            )
            if from_group:
                await self.queue.note(session, handoff, f"⚠️ {refusal}")
            return refusal
        return None

    async def _dispatch(
        self,
        session: AsyncSession,
        handoff: Handoff,
        advisor: AdvisorRef,
        command: str | None,
        text: str,
        from_group: bool,
        attachment: Attachment | None = None,
    ) -> None:
        """What each command does (None: a reply to the user)."""
        commands: dict[str | None, Callable[[], Awaitable[None]]] = {
            None: lambda: self.reply(
                session, handoff, advisor, text, from_group=from_group, attachment=attachment
            ),
            "claim": lambda: self.claim(session, handoff, advisor),
            "close": lambda: self.close(session, handoff, advisor),
            "transfer": lambda: self.transfer(session, handoff, advisor, text),
            "note": lambda: self.note(session, handoff, advisor, text, from_group=from_group),
            "canned": lambda: self.canned(session, handoff, advisor, text.strip()),
        }
        if command not in commands:
            raise DeskRefusal(
                "unknown", _("Unknown command. Commands: /close, /transfer, /note, /canned")
            )
        await commands[command]()

    async def note(
        self,
        session: AsyncSession,
        handoff: Handoff,
        advisor: AdvisorRef,
        text: str,
        *,
        from_group: bool = True,
    ) -> None:
        """A note for the other advisors: already in the topic when written there."""
        if not from_group:
            await self.queue.note(session, handoff, f"📝 {advisor.label}: {text}")

    async def claim(self, session: AsyncSession, handoff: Handoff, advisor: AdvisorRef) -> None:
        _check_open(handoff)
        if handoff.advisor == advisor.key:
            return
        claimed = await session.execute(
            update(Handoff)
            .where(
                Handoff.id == handoff.id,
                Handoff.advisor.is_(None),
                Handoff.status == HandoffStatus.waiting,
            )
            .values(
                status=HandoffStatus.claimed,
                advisor=advisor.key,
                advisor_name=advisor.label,
                claimed_at=utcnow(),
            )
            .returning(Handoff.id)
        )
        await session.refresh(handoff)
        if claimed.first() is None:
            _check_open(handoff)
            if handoff.advisor != advisor.key:
                raise DeskRefusal(
                    "claimed",
                    _(
                        "{name} is already answering this user; ask them to /transfer it to you."
                    ).format(name=handoff.advisor_name),
                )
            return
        await self.queue.note(
            session, handoff, _("🙋 {name} is answering this user.").format(name=advisor.label)
        )

    async def reply(
        self,
        session: AsyncSession,
        handoff: Handoff,
        advisor: AdvisorRef,
        text: str,
        *,
        from_group: bool = True,
        attachment: Attachment | None = None,
    ) -> None:
        """A reply signed with the advisor's name; a file goes with it as its caption (the
        file's name when there is no text)."""
        if not text.strip() and attachment is None:
            raise DeskRefusal("empty", _("Only text is sent to the user; write your answer."))
        await self.claim(session, handoff, advisor)
        user = await session.get_one(User, handoff.user_id)
        said = text if text.strip() else (attachment.name if attachment else "")
        with use_language(user.language):
            signed = (
                _("{name} (ODCO advisor): {text}").format(name=advisor.public_name, text=said)
                if advisor.public_name
                else _("ODCO advisor: {text}").format(text=said)
            )
        await repo.enqueue(session, user=user, outbounds=[Outbound(signed, attachment=attachment)])
        handoff.first_response_at = handoff.first_response_at or utcnow()
        if not from_group:
            shown = f"📎 {attachment.name} {text}".strip() if attachment else text
            await self.queue.note(session, handoff, f"💬 {advisor.label}: {shown}")

    async def close(self, session: AsyncSession, handoff: Handoff, advisor: AdvisorRef) -> None:
        _check_open(handoff)
        _check_mine(handoff, advisor)
        user = await session.get_one(User, handoff.user_id)
        with use_language(user.language):
            question = Outbound(
                _(
                    "The advisor has closed this conversation; I am here again for your "
                    "questions. How would you rate the help you got, from 1 to 5?"
                ),
                tuple(Button(f"rate:{handoff.id}:{score}", "⭐" * score) for score in range(1, 6)),
            )
        await tell_user(session, user, question, key=f"closed:{handoff.id}")
        await self.queue.finish(
            session,
            handoff,
            by=advisor.key,
            note=_("✅ Closed by {name}; the user is back with the bot.").format(
                name=advisor.label
            ),
        )

    async def transfer(
        self, session: AsyncSession, handoff: Handoff, advisor: AdvisorRef, to: str
    ) -> None:
        """`/transfer` frees the conversation; `/transfer Name` (or a Telegram id) gives it
        to that registered advisor."""
        _check_open(handoff)
        _check_mine(handoff, advisor)
        target = await self._find(session, to) if to.strip() else None
        if to.strip() and target is None:
            raise DeskRefusal(
                "unknown_advisor",
                _("No registered advisor is called {name}.").format(name=to.strip()),
            )
        handoff.status = HandoffStatus.claimed if target else HandoffStatus.waiting
        handoff.advisor = target.key if target else None
        handoff.advisor_name = target.label if target else None
        note = (
            _("➡️ {old} gave this conversation to {new}.").format(
                old=advisor.label, new=target.label
            )
            if target
            else _("➡️ {old} freed this conversation: the next advisor to write takes it.").format(
                old=advisor.label
            )
        )
        await self.queue.note(session, handoff, note)

    async def canned(
        self, session: AsyncSession, handoff: Handoff, advisor: AdvisorRef, key: str
    ) -> None:
        """`/canned` lists the ready answers; `/canned key` sends one in the user's language."""
        answers = {a.key: a for a in await ready_answers.listing(session)}
        if not key:
            listing = "\n".join(
                f"/canned {k} — {a.texts.get(self.settings.advisor_language)}"
                for k, a in answers.items()
            )
            await self.queue.note(session, handoff, listing or _("No ready answers yet."))
            return
        if key not in answers:
            raise DeskRefusal(
                "unknown_canned",
                _("No ready answer called {key}; /canned lists them.").format(key=key),
            )
        user = await session.get_one(User, handoff.user_id)
        text = answers[key].texts.get(user.language or "ary") or answers[key].texts["ary"]
        await self.reply(session, handoff, advisor, _with_name(text, user.display_name))

    async def _find(self, session: AsyncSession, who: str) -> AdvisorRef | None:
        who = who.strip().lstrip("@")
        if who.isdigit():
            return await self.telegram_advisor(session, int(who))
        row = await session.scalar(select(Advisor).where(Advisor.public_name.ilike(who)))
        return AdvisorRef(f"telegram:{row.telegram_user_id}", row.public_name) if row else None


def _check_open(handoff: Handoff) -> None:
    if handoff.status not in ACTIVE_HANDOFF_STATUSES:
        raise DeskRefusal(
            "closed", _("This conversation is closed; the user is back with the bot.")
        )


def _check_mine(handoff: Handoff, advisor: AdvisorRef) -> None:
    if handoff.advisor and handoff.advisor != advisor.key:
        raise DeskRefusal(
            "claimed",
            _("{name} is answering this user; only they can do this.").format(
                name=handoff.advisor_name
            ),
        )


def _with_name(text: str, name: str | None) -> str:
    """ "{name}" becomes the user's first name; without one, the name and its comma go."""
    if name:
        return text.replace("{name}", name)
    return text.replace(" {name},", ",").replace(" {name}", "").replace("{name}", "")
