"""Time expressions in French, Arabic and Darija, from a table written apart from the parser
(tests/data/time_expressions.yaml, fixed "now": Wednesday 2026-11-25 16:00 Casablanca)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.nlu.times import parse_time

TABLE = yaml.safe_load(
    (Path(__file__).parent / "data" / "time_expressions.yaml").read_text(encoding="utf-8")
)
NOW = datetime.fromisoformat(TABLE["now"]).replace(tzinfo=ZoneInfo("Africa/Casablanca"))


def test_the_table_is_large_enough_and_covers_every_language():
    assert len(TABLE["cases"]) >= 120


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda case: case["text"])
def test_time_expression(case):
    parsed = parse_time(case["text"], NOW)
    if case["local"] is None:
        assert parsed is None
        return
    assert parsed is not None
    got = {
        "local": parsed.local.strftime("%Y-%m-%dT%H:%M"),
        "recurrence": parsed.recurrence,
        "alternative": parsed.alternative.strftime("%Y-%m-%dT%H:%M")
        if parsed.alternative
        else None,
        "time_assumed": parsed.time_assumed,
        "text_out": parsed.text,
    }
    assert got == {key: case[key] for key in got}
