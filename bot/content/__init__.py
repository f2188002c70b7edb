"""The answers and flow texts, as validated data files (one YAML file per topic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).parent
INTENTS_FILE = Path(__file__).parent.parent / "nlu" / "intents.yaml"
LANGUAGES = ("fr", "ar", "ary", "ary-Latn")
MAX_TEXT = 700
MAX_TITLE = 20
MAX_NEXT = 3
MAX_REMINDER = 120


class ContentError(ValueError):
    """A content file is invalid; the message names the file, the item and the field."""


@dataclass(frozen=True)
class Item:
    id: str
    file: str
    sources: tuple[str, ...]
    last_verified: date
    title: dict[str, str]
    text: dict[str, str]
    intents: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    match: dict[str, Any] = field(default_factory=dict)
    reminder: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Content:
    items: dict[str, Item]
    sources: dict[str, dict[str, Any]]

    def get(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def for_intent(self, intent: str) -> Item | None:
        return next((i for i in self.items.values() if intent in i.intents), None)


@cache
def known_intents() -> tuple[str, ...]:
    return tuple(yaml.safe_load(INTENTS_FILE.read_text(encoding="utf-8"))["intents"])


def load_content(directory: Path = CONTENT_DIR) -> Content:
    sources = read_yaml(directory / "sources.yaml").get("sources") or {}
    items: dict[str, Item] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        for item_id, raw in (read_yaml(path).get("items") or {}).items():
            if item_id in items:
                raise ContentError(f"{path.name}: item {item_id}: id already used in "
                                   f"{items[item_id].file}")
            items[item_id] = parse_item(item_id, raw, path.name, sources)
    check_links(items)
    return Content(items=items, sources=sources)


@cache
def default_content() -> Content:
    return load_content()


def parse_item(item_id: str, raw: Any, file: str, sources: dict[str, Any]) -> Item:
    """Validate one item as editors write it; raise ContentError naming what is wrong."""
    def fail(problem: str) -> ContentError:
        return ContentError(f"{file}: item {item_id}: {problem}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping")
    for required in ("sources", "last_verified", "title", "text"):
        if not raw.get(required):
            raise fail(f"missing {required}")
    unknown = [s for s in raw["sources"] if s not in sources]
    if unknown:
        raise fail(f"unknown source key(s) {', '.join(map(str, unknown))}")
    intents = tuple(raw.get("intents") or ())
    strange = [i for i in intents if i not in known_intents()]
    if strange:
        raise fail(f"unknown intent(s) {', '.join(strange)}")
    return Item(
        id=item_id, file=file, sources=tuple(raw["sources"]),
        last_verified=_date(raw["last_verified"], fail),
        title=_texts(raw["title"], MAX_TITLE, "title", fail),
        text=_texts(raw["text"], MAX_TEXT, "text", fail),
        intents=intents, next=tuple(raw.get("next") or ()), match=raw.get("match") or {},
        reminder=_texts(raw["reminder"], MAX_REMINDER, "reminder", fail) if raw.get(
            "reminder") else {},
    )


def _texts(value: Any, limit: int, name: str, fail: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise fail(f"{name} must have one entry per language ({', '.join(LANGUAGES)})")
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        text = str(value.get(language) or "").strip()
        if not text:
            raise fail(f"{name}.{language} is missing or empty")
        if len(text) > limit:
            raise fail(f"{name}.{language} has {len(text)} characters (at most {limit})")
        texts[language] = text
    return texts


def _date(value: Any, fail: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(f"last_verified {value!r} is not a date (YYYY-MM-DD)") from None


def check_links(items: dict[str, Item]) -> None:
    for item in items.values():
        broken = [target for target in item.next if target not in items]
        if broken:
            raise ContentError(f"{item.file}: item {item.id}: next links to unknown item(s) "
                               f"{', '.join(broken)}")
        if len(item.next) > MAX_NEXT:
            raise ContentError(f"{item.file}: item {item.id}: at most {MAX_NEXT} next items")


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: must be a mapping at the top level")
    return data
