"""Secrets never reach the logs: libraries log URLs that contain the bot token."""

import logging
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

_secrets: set[str] = set()
_installed = False


def redact_in_logs(secrets: Iterable[str | None]) -> None:
    """Replace these values with *** in every log record from now on, whoever logs it."""
    global _installed
    # as written, and as it appears in a logged URL (an access log's query string)
    _secrets.update(form for s in secrets if s and len(s) >= 4
                    for form in (s, quote(s, safe=""), quote_plus(s)))
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        if any(secret in message for secret in _secrets):
            for secret in sorted(_secrets, key=len, reverse=True):
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True
