"""Time helpers. Morocco's rules changed in 2026 (tzdb 2026c); the OS copy is stale."""

import zoneinfo
from datetime import UTC, datetime

CASABLANCA = "Africa/Casablanca"


def prefer_packaged_tzdata() -> None:
    """Make zoneinfo read the PyPI `tzdata` package, never the OS copy.

    The OS tzdata predates Morocco's move to permanent UTC+0 (2026-09-20), so every local
    time after that date would be an hour off.
    """
    zoneinfo.reset_tzpath(to=[])


def utcnow() -> datetime:
    return datetime.now(UTC)
