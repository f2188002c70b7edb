"""Changes a flow asks the engine to make in the same transaction as the state change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReminderView:
    id: int
    text: str
    local: datetime
    recurrence: str | None


@dataclass(frozen=True)
class HandoffView:
    id: int
    status: str
    phone_known: bool


@dataclass(frozen=True)
class CreateReminder:
    text: str
    local: datetime
    zone: str
    recurrence: str | None


@dataclass(frozen=True)
class CancelReminder:
    reminder_id: int


@dataclass(frozen=True)
class RescheduleReminder:
    reminder_id: int
    local: datetime


@dataclass(frozen=True)
class EraseUser:
    """Delete everything stored about this user; `farewell` is sent, then forgotten too."""

    farewell: str


@dataclass(frozen=True)
class OpenHandoff:
    """Hand the conversation to advisors; `description` tells them what it is about: the
    user's words, or what the conversation was about (may be empty)."""

    description: str


@dataclass(frozen=True)
class RelayToAdvisors:
    """Copy this message into the handoff's topic; `callback` asks to be phoned back;
    `question`: the message is the question asked for when the request was queued, and
    becomes its description."""

    callback: bool = False
    question: bool = False


@dataclass(frozen=True)
class LeaveHandoff:
    pass


@dataclass(frozen=True)
class RateHandoff:
    handoff_id: int
    score: int


@dataclass(frozen=True)
class ChangeConsent:
    """Receive (or stop receiving) campaigns of these topics; `campaign_id`: the campaign
    whose Stop button was tapped."""

    topics: tuple[str, ...]
    granted: bool
    campaign_id: int | None = None


@dataclass(frozen=True)
class CampaignTap:
    """A button of a campaign message was tapped (counted in its results)."""

    campaign_id: int


ReminderEffect = CreateReminder | CancelReminder | RescheduleReminder
HandoffEffect = OpenHandoff | RelayToAdvisors | LeaveHandoff | RateHandoff
CampaignEffect = ChangeConsent | CampaignTap
Effect = ReminderEffect | EraseUser | HandoffEffect | CampaignEffect
