"""Logs: secrets masked in every format, uvicorn's access log intact, JSON on request."""

import io
import json
import logging
import logging.config

from uvicorn.logging import AccessFormatter

from api.logs import JsonFormatter, uvicorn_log_config
from bot.redaction import redact_in_logs

SECRET = "verify-token-in-a-url-42"


def captured(logger_name: str, formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    logger = logging.getLogger(logger_name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def test_the_access_log_of_a_url_carrying_a_secret_is_masked_not_a_traceback(capsys):
    redact_in_logs([SECRET])
    logger, out = captured(
        "uvicorn.access",
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False),
    )
    # exactly how uvicorn's httptools/h11 protocols log a request
    logger.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/whatsapp/webhook?hub.verify_token={SECRET}&hub.challenge=1",
        "1.1",
        200,
    )
    line = out.getvalue()
    assert "GET /whatsapp/webhook?hub.verify_token=***&hub.challenge=1 HTTP/1.1" in line
    assert " 200" in line and SECRET not in line
    assert "Traceback" not in capsys.readouterr().err


def test_numbers_keep_their_format_and_records_without_secrets_are_untouched():
    redact_in_logs([SECRET])
    logger, out = captured("fadaa.test.plain", logging.Formatter("%(message)s"))
    logger.info("sent %d messages to %s", 3, f"https://api/bot{SECRET}/sendMessage")
    logger.info("nothing secret: %s", {"a": 1})
    assert out.getvalue().splitlines() == [
        "sent 3 messages to https://api/bot***/sendMessage",
        "nothing secret: {'a': 1}",
    ]


def test_json_logs_are_one_object_per_line_with_secrets_masked():
    redact_in_logs([SECRET])
    logger, out = captured("fadaa.test.json", JsonFormatter())
    logger.warning("token %s refused", SECRET)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "token *** refused" and first["level"] == "WARNING"
    assert first["logger"] == "fadaa.test.json" and first["time"].endswith("+00:00")
    assert "ValueError: boom" in second["exception"]


def test_uvicorn_logs_json_when_asked():
    config = uvicorn_log_config("json")
    logging.config.dictConfig(config)
    handler = logging.getLogger("uvicorn.access").handlers[0]
    assert isinstance(handler.formatter, JsonFormatter)
    logging.config.dictConfig(uvicorn_log_config("text"))
