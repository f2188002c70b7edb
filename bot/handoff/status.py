"""Where a handoff stands: the values of `handoffs.status`."""

from enum import StrEnum


class HandoffStatus(StrEnum):
    waiting = "waiting"  # for the first advisor to answer
    claimed = "claimed"  # an advisor answers this user
    closed = "closed"  # back with the bot


ACTIVE_HANDOFF_STATUSES = (HandoffStatus.waiting, HandoffStatus.claimed)  # one per user at most
