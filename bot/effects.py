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


Effect = CreateReminder | CancelReminder | RescheduleReminder | EraseUser
