"""Insights drawn as SVG on the server: stacked bars per day, ranked horizontal bars, and
the guided flows' funnels.
No script runs in the browser to draw them, and they print as they look."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from bot.content import read_yaml

PALETTE = ("#0f766e", "#d97706", "#4f46e5", "#be123c", "#65a30d", "#0369a1", "#7c3aed")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 44, 40, 34
TEXTS = read_yaml(Path(__file__).with_name("console_texts.yaml"))
TITLES: dict[str, str] = TEXTS["charts"]
FUNNEL_TEXTS: dict[str, Any] = TEXTS["funnels"]
LABEL_W, ROW_H = 180, 24


def _svg(title: str, height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" '
        f'font-size="12"><title>{escape(title)}</title>'
        f'<text x="8" y="20" font-size="15" font-weight="600" fill="#111827">{escape(title)}'
        f"</text>{''.join(body)}</svg>"
    )


def _empty(title: str) -> str:
    return _svg(
        title,
        120,
        [f'<text x="8" y="70" fill="#6b7280">{escape(TITLES["empty"])}</text>'],
    )


def stacked_bars(title: str, columns: list[str], series: dict[str, list[int]]) -> str:
    """One bar per column (a day), stacked by series (a channel, a language), with a legend."""
    if not columns or not series:
        return _empty(title)
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    top = max(max(totals), 1)
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - 10) / len(columns)
    bar = min(48.0, max(2.0, step * 0.7))
    body = [
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" '
        'stroke="#9ca3af"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" fill="#374151">{top}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" fill="#374151">0</text>',
    ]
    for i, column in enumerate(columns):
        x = LEFT + i * step + (step - bar) / 2
        y: float = TOP + plot_h
        for n, (name, values) in enumerate(series.items()):
            h = values[i] / top * plot_h
            if h:
                y -= h
                body.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}">'
                    f"<title>{escape(column)} · {escape(name)} : {values[i]}</title></rect>"
                )
        if len(columns) <= 12 or i % max(1, len(columns) // 8) == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'fill="#374151">{escape(column[5:])}</text>'
            )
    for n, name in enumerate(series):
        lx = LEFT + n * 110
        body.append(
            f'<rect x="{lx}" y="{HEIGHT - 14}" width="10" height="10" '
            f'fill="{PALETTE[n % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{HEIGHT - 5}" fill="#111827">{escape(name)}</text>'
        )
    return _svg(title, HEIGHT, body)


def ranked_bars(title: str, rows: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, largest first, each labelled with its value."""
    if not rows:
        return _empty(title)
    rows = rows[:12]
    top = max(max(v for _, v in rows), 1)
    body = [
        _bar_row(TOP + i * ROW_H, label, value / top, f"{value:g}{unit}")
        for i, (label, value) in enumerate(rows)
    ]
    return _svg(title, TOP + ROW_H * len(rows) + 8, body)


def _bar_row(y: float, label: str, share: float, shown: str, colour: str = PALETTE[0]) -> str:
    """One labelled horizontal bar, `share` of the full width, its figure after it."""
    w = share * (WIDTH - LABEL_W - 90)
    return (
        f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" fill="#111827">'
        f"{escape(label[:28])}</text>"
        f'<rect class="bar" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 8}" '
        f'fill="{colour}"><title>{escape(label)} : {escape(shown)}</title></rect>'
        f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 15}" fill="#374151">{escape(shown)}</text>'
    )


def funnel_bars(title: str, funnels: list[tuple[str, list[tuple[str, int]]]]) -> str:
    """Per flow, a heading then one bar per stage (started, each step, finished), each a
    share of those who started, so where people drop out shows as a step down."""
    if not funnels:
        return _empty(title)
    body, y = [], float(TOP)
    for n, (flow, stages) in enumerate(funnels):
        body.append(
            f'<text class="flow" x="8" y="{y + 15}" font-weight="600" fill="#111827">'
            f"{escape(flow)}</text>"
        )
        y += ROW_H
        started = max(stages[0][1], 1)
        for label, users in stages:
            shown = f"{users} ({users / started:.0%})".replace("%", " %")
            body.append(_bar_row(y, label, users / started, shown, PALETTE[n % len(PALETTE)]))
            y += ROW_H
        y += 8
    return _svg(title, int(y), body)


def _daily_by(key: str, name: str) -> Callable[[dict[str, Any]], str]:
    def draw(data: dict[str, Any]) -> str:
        days = sorted({row["day"] for row in data["daily"]})
        series: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
        for row in data["daily"]:
            series[row[key] or "?"][days.index(row["day"])] += row["messages"]
        return stacked_bars(TITLES[name], days, dict(sorted(series.items())))

    return draw


def _intents(data: dict[str, Any]) -> str:
    return ranked_bars(TITLES["intents"], [(r["intent"], r["messages"]) for r in data["intents"]])


def _handoffs(data: dict[str, Any]) -> str:
    days = [row["day"] for row in data["handoffs"]]
    return stacked_bars(
        TITLES["handoffs"],
        days,
        {
            TITLES["handoffs-answered"]: [row["answered"] for row in data["handoffs"]],
            TITLES["handoffs-unanswered"]: [
                row["requests"] - row["answered"] for row in data["handoffs"]
            ],
        },
    )


def _response_times(data: dict[str, Any]) -> str:
    return ranked_bars(
        TITLES["response-times"],
        [
            (row["day"], row["first_response_minutes_median"])
            for row in data["handoffs"]
            if row["first_response_minutes_median"] is not None
        ],
        " min",
    )


def _reminders(data: dict[str, Any]) -> str:
    return ranked_bars(TITLES["reminders"], [(r["status"], r["count"]) for r in data["reminders"]])


def _funnels(data: dict[str, Any]) -> str:
    flows, steps = FUNNEL_TEXTS["flows"], FUNNEL_TEXTS["steps"]
    return funnel_bars(
        TITLES["funnels"],
        [
            (
                flows.get(f["flow"], f["flow"]),
                [
                    (FUNNEL_TEXTS["started"], f["started"]),
                    *(
                        (steps.get(f["flow"], {}).get(s["step"], s["step"]), s["users"])
                        for s in f["steps"]
                    ),
                    (FUNNEL_TEXTS["finished"], f["finished"]),
                ],
            )
            for f in data["funnels"]
        ],
    )


CHARTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "daily-channel": _daily_by("channel", "daily-channel"),
    "daily-language": _daily_by("language", "daily-language"),
    "intents": _intents,
    "handoffs": _handoffs,
    "response-times": _response_times,
    "reminders": _reminders,
    "funnels": _funnels,
}
