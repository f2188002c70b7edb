"""Secrets never reach the logs: libraries log URLs that contain the bot token."""

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

_secrets: set[str] = set()
_installed = False
MASK = "***"
# a web chat session token in a URL: the page's EventSource can only send it as ?token=…
_QUERY_TOKEN = re.compile(r"([?&]token=)[^&\s\"']+")


def redact_in_logs(secrets: Iterable[str | None]) -> None:
    """Replace these values with *** in every log record from now on, whoever logs it."""
    global _installed
    # as written, and as it appears in a logged URL (an access log's query string)
    _secrets.update(
        form for s in secrets if s and len(s) >= 4 for form in (s, quote(s, safe=""), quote_plus(s))
    )
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if _holds_secret(record.getMessage()):
            _redact(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


def _redact(record: logging.LogRecord) -> None:
    """Mask the secrets inside the message and each argument, keeping the arguments'
    shape: formatters such as uvicorn's access log unpack them (5 values) and broke when
    they were folded into the message."""
    record.msg = _masked(record.msg)
    if isinstance(record.args, dict):
        record.args = {key: _masked(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_masked(value) for value in record.args)


def _masked(value: object) -> object:
    """The value itself when it holds no secret (numbers keep their %d), else its text
    with the secrets masked."""
    if isinstance(value, int | float) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    if not _holds_secret(text):
        return value
    text = _QUERY_TOKEN.sub(rf"\1{MASK}", text)
    for secret in sorted(_secrets, key=len, reverse=True):  # encoded forms are longer
        text = text.replace(secret, MASK)
    return text


def _holds_secret(text: str) -> bool:
    return any(secret in text for secret in _secrets) or _QUERY_TOKEN.search(text) is not None
