"""The answers and flow texts, as validated data files (one YAML file per topic)."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    field_validator,
)

CONTENT_DIR = Path(__file__).parent
INTENTS_FILE = Path(__file__).parent.parent / "nlu" / "intents.yaml"
LANGUAGES = ("fr", "ar", "ary", "ary-Latn")
MAX_TEXT = 700
MAX_TITLE = 20
MAX_NEXT = 3
MAX_REMINDER = 120
ITEM_ID = re.compile(r"[a-z0-9_.-]{1,80}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ContentError(ValueError):
    """A content file is invalid; the message names the file, the item and the field (also
    kept apart, when known, for callers that show them next to the file)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        item: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.file, self.item, self.field, self.line = file, item, field, line


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
                raise ContentError(
                    f"{path.name}: item {item_id}: id already used in {items[item_id].file}"
                )
            items[item_id] = parse_item(item_id, raw, path.name, sources)
    check_links(items)
    return Content(items=items, sources=sources)


@cache
def default_content() -> Content:
    return load_content()


class Match(BaseModel):
    """Which answers of the financing finder a programme admits (bot/flows/financing_finder)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    stage: list[Literal["in_creation", "created"]] | None = None
    max_age_years: int | None = Field(default=None, ge=0)
    age_exempt_sectors: list[Literal["agriculture", "crafts", "services", "other"]] | None = None
    area: list[Literal["rural", "urban"]] | None = None
    audience: list[Literal["any", "women", "youth", "none"]] | None = None
    max_amount_dh: int | None = Field(default=None, ge=0)


def _texts(limit: int) -> AfterValidator:
    """One non-empty text per language of LANGUAGES (read when validating, so a language
    added to the constant is required from then on)."""

    def check(value: dict[str, StrictStr]) -> dict[str, str]:
        texts: dict[str, str] = {}
        for language in LANGUAGES:
            text = (value.get(language) or "").strip()
            if not text:
                raise ValueError(f".{language} is missing or empty")
            if len(text) > limit:
                raise ValueError(f".{language} has {len(text)} characters (at most {limit})")
            texts[language] = text
        return texts

    return AfterValidator(check)


class ItemModel(BaseModel):
    """One content item as editors write it: the files, the admin API and the import all
    validate through this model, so a type-confused item is refused before it is stored."""

    model_config = ConfigDict(extra="ignore")

    sources: list[StrictStr] = Field(min_length=1)
    last_verified: date
    title: Annotated[dict[str, StrictStr], _texts(MAX_TITLE)]
    text: Annotated[dict[str, StrictStr], _texts(MAX_TEXT)]
    intents: list[StrictStr] = Field(default_factory=list)
    next: list[StrictStr] = Field(default_factory=list, max_length=MAX_NEXT)
    match: Match | None = None
    reminder: Annotated[dict[str, StrictStr], _texts(MAX_REMINDER)] | None = None

    @field_validator("last_verified", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            return value
        raise ValueError(f" {value!r} is not a date (YYYY-MM-DD)")


def parse_item(item_id: str, raw: Any, file: str, sources: dict[str, Any]) -> Item:
    """Validate one item as editors write it; raise ContentError naming what is wrong."""

    def fail(problem: str, field: str | None = None) -> ContentError:
        shown = _shown(item_id)
        return ContentError(f"{file}: item {shown}: {problem}", file=file, item=shown, field=field)

    if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id):
        raise fail("the id must be 1-80 characters from a-z 0-9 . _ -")
    if not isinstance(raw, dict):
        raise fail("must be a mapping")
    if (where := _unstorable_text(raw)) is not None:
        raise fail(f"{where or 'a key'} contains a NUL byte or a lone surrogate")
    try:
        model = ItemModel.model_validate(raw)
    except ValidationError as error:
        raise fail(*_first_problem(error)) from None
    unknown = [s for s in model.sources if s not in sources]
    if unknown:
        raise fail(f"unknown source key(s) {', '.join(unknown)}", "sources")
    strange = [i for i in model.intents if i not in known_intents()]
    if strange:
        raise fail(f"unknown intent(s) {', '.join(strange)}", "intents")
    return Item(
        id=item_id,
        file=file,
        sources=tuple(model.sources),
        last_verified=model.last_verified,
        title=model.title,
        text=model.text,
        intents=tuple(model.intents),
        next=tuple(model.next),
        match=model.match.model_dump(exclude_none=True) if model.match else {},
        reminder=model.reminder or {},
    )


def _first_problem(error: ValidationError) -> tuple[str, str]:
    """`field.sub: problem` and the field; our own validators' messages continue the
    field's name (".fr is missing" → "title.fr is missing")."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "item"
    message = str(first["msg"]).removeprefix("Value error, ")
    if message[:1] == ".":  # one language of a text field
        return where + message, where + message.split()[0]
    return (where + message if message[:1] == " " else f"{where}: {message}"), where


def _shown(item_id: Any) -> str:
    """An id fit for an error message (no control characters, bounded)."""
    return (
        repr(item_id)[:90]
        if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id)
        else item_id
    )


def _unstorable_text(value: Any, where: str = "") -> str | None:
    """Where a NUL byte or lone surrogate hides (PostgreSQL's JSON refuses both), or None."""
    if isinstance(value, str):
        return where if "\x00" in value or _SURROGATE.search(value) else None
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        if isinstance(key, str) and ("\x00" in key or _SURROGATE.search(key)):
            return where
        found = _unstorable_text(child, f"{where}.{key}".lstrip("."))
        if found is not None:
            return found
    return None


def check_links(items: dict[str, Item]) -> None:
    for problem in link_problems(items, items.values()):
        raise problem


def link_problems(known: Container[str], checked: Iterable[Item]) -> Iterator[ContentError]:
    """The checked items' `next` links to ids not known, or too many of them."""
    for item in checked:
        where = f"{item.file}: item {item.id}: next"
        broken = [target for target in item.next if target not in known]
        if broken:
            yield ContentError(
                f"{where} links to unknown item(s) {', '.join(broken)}",
                file=item.file,
                item=item.id,
                field="next",
            )
        if len(item.next) > MAX_NEXT:
            yield ContentError(
                f"{where}: at most {MAX_NEXT} next items",
                file=item.file,
                item=item.id,
                field="next",
            )


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: must be a mapping at the top level")
    return data
