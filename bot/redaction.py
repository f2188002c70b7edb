"""Secrets never reach the logs: libraries log URLs that contain the bot token."""

import logging
from collections.abc import Iterable

_secrets: set[str] = set()
_installed = False


def redact_in_logs(secrets: Iterable[str | None]) -> None:
    """Replace these values with *** in every log record from now on, whoever logs it."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 4)
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        if any(secret in message for secret in _secrets):
            for secret in _secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
