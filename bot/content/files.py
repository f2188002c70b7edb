"""The content files as editors exchange them: live items written back as YAML topic files
(one, or all of them in a zip), and files read back in with every problem named (file,
line, item, field; rule and language for a forbidden claim), then compared with the live
items. The database side (validation against the live set, versions) is in `editing`."""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

import yaml

from bot.content import LANGUAGES, ContentError
from bot.content.claims import ForbiddenClaim

FILE_NAME = re.compile(r"[a-z0-9_]{1,60}\.yaml")
NOT_IMPORTED = frozenset({"sources.yaml"})  # the sources change with the fact sheet, in review
TEXT_FIELDS = ("title", "text", "reminder")
MAX_ZIP_ENTRIES = 100
MAX_UNPACKED_BYTES = 4 * 1024 * 1024  # all topic files together weigh about 200 kB
Status = Literal["added", "changed", "unchanged"]
# item id -> (file, the item as stored: plain JSON values)
Items = dict[str, tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, with what it names kept apart."""

    file: str
    message: str
    item: str | None = None
    field: str | None = None
    line: int | None = None
    rule: str | None = None
    language: str | None = None

    @classmethod
    def of(cls, error: ContentError, file: str, item: str, line: int | None) -> Problem:
        claim = error if isinstance(error, ForbiddenClaim) else None
        return cls(
            file=error.file or file,
            message=str(error),
            item=error.item or item,
            field=error.field,
            line=line,
            rule=claim.rule if claim else None,
            language=claim.language if claim else None,
        )


class ImportRefused(ContentError):
    """The files cannot be imported; nothing was changed. Names every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(problem.message for problem in problems))
        self.problems = tuple(problems)


class UploadTooLarge(ContentError):
    """A zip that unpacks to more than the content could ever weigh."""


@dataclass(frozen=True)
class Upload:
    """Content files read and parsed, not yet checked against the live content."""

    items: Items
    files: tuple[str, ...]
    ignored: tuple[str, ...] = ()  # files without items (sources.yaml, canned.yaml...)
    lines: Mapping[str, int] = field(default_factory=dict)  # item id -> its line


@dataclass(frozen=True)
class ItemChange:
    id: str
    file: str
    status: Status
    languages: tuple[str, ...] = ()  # whose title, text or reminder changes
    fields: tuple[str, ...] = ()  # other fields that change (sources, next, file...)


@dataclass(frozen=True)
class ImportPlan:
    files: tuple[str, ...]
    ignored: tuple[str, ...]
    items: tuple[ItemChange, ...]
    kept: tuple[str, ...]  # live items of these files that the files lack: an import keeps them

    @property
    def changes(self) -> tuple[ItemChange, ...]:
        return tuple(item for item in self.items if item.status != "unchanged")

    def count(self, status: Status) -> int:
        return sum(item.status == status for item in self.items)

    def by_language(self) -> dict[str, int]:
        """How many items change their texts in each language."""
        counted = Counter(language for item in self.items for language in item.languages)
        return {language: counted[language] for language in LANGUAGES}


def read_files(files: Mapping[str, bytes]) -> Upload:
    """Parse topic files (name -> bytes); ImportRefused names every problem at once."""
    problems: list[Problem] = []
    items: Items = {}
    lines: dict[str, int] = {}
    read: list[str] = []
    ignored: list[str] = []
    for name, data in sorted(files.items()):
        if name in NOT_IMPORTED:
            ignored.append(name)
            continue
        try:
            parsed, found = _parse(name, data)
        except ContentError as error:
            problems.append(Problem(file=name, message=str(error), line=error.line))
            continue
        if "items" not in parsed:
            ignored.append(name)
            continue
        read.append(name)
        for item_id, raw, line in found:
            if not isinstance(item_id, str):
                message = f"{name}: item {item_id!r}: an item id is text (a-z 0-9 . _ -)"
                problems.append(Problem(file=name, message=message, line=line))
            elif item_id in items:
                message = f"{name}: item {item_id}: id already used in {items[item_id][0]}"
                problems.append(Problem(file=name, message=message, item=item_id, line=line))
            elif not _storable(plain(raw)):
                message = (
                    f"{name}: item {item_id}: values must be text, numbers, true/false, lists "
                    "or mappings with text keys (no binary data, sets or NaN)"
                )
                problems.append(Problem(file=name, message=message, item=item_id, line=line))
            else:
                items[item_id], lines[item_id] = (name, plain(raw)), line
    if problems:
        raise ImportRefused(problems)
    if not items:
        names = ", ".join(sorted(files)) or "no file"
        raise ImportRefused([Problem(file=names, message=f"{names}: no content items to import")])
    return Upload(items=items, files=tuple(read), ignored=tuple(ignored), lines=lines)


def _parse(name: str, data: bytes) -> tuple[dict[str, Any], list[tuple[Any, Any, int]]]:
    """The file's top-level mapping, and its items with the line each starts on."""
    if not FILE_NAME.fullmatch(name):
        raise ContentError(
            f"{name}: a content file is named with 1-60 characters from a-z 0-9 _ and ends in .yaml"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(f"{name}: not UTF-8 text (byte {error.start})") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        parsed = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        raise _yaml_problem(name, error) from None
    finally:
        loader.dispose()
    if not isinstance(parsed, dict):
        raise ContentError(f"{name}: must be a mapping at the top level (items: ...)")
    raw_items = parsed.get("items")
    if "items" in parsed and not isinstance(raw_items, dict):
        raise ContentError(f"{name}: items must be a mapping of item ids to items")
    return parsed, _with_lines(node, raw_items or {})


class _Loader(yaml.SafeLoader):
    """YAML without aliases: `*a` repeated in a small file can unfold to gigabytes."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            alias = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted", alias.start_mark
            )
        return super().compose_node(parent, index)


def _yaml_problem(name: str, error: yaml.YAMLError) -> ContentError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return ContentError(f"{name}: not valid YAML: {problem}")
    line = mark.line + 1
    return ContentError(
        f"{name}: line {line}, column {mark.column + 1}: not valid YAML: {problem}",
        file=name,
        line=line,
    )


def _with_lines(node: yaml.Node | None, raw_items: dict[Any, Any]) -> list[tuple[Any, Any, int]]:
    """Each item with the line of its id (1-based), in the file's order."""
    items_node = next(
        (
            value
            for key, value in (node.value if isinstance(node, yaml.MappingNode) else [])
            if key.value == "items" and isinstance(value, yaml.MappingNode)
        ),
        None,
    )
    keys = items_node.value if items_node is not None else []
    starts = {str(key.value): key.start_mark.line + 1 for key, _value in keys}
    return [(item_id, raw, starts.get(str(item_id), 0)) for item_id, raw in raw_items.items()]


def plan(upload: Upload, live: Mapping[str, tuple[str, dict[str, Any]]]) -> ImportPlan:
    """What importing the upload would do to the live items (id -> (file, data))."""
    changes = tuple(
        _compare(item_id, file, data, live.get(item_id))
        for item_id, (file, data) in upload.items.items()
    )
    kept = tuple(
        sorted(
            item_id
            for item_id, (file, _data) in live.items()
            if file in upload.files and item_id not in upload.items
        )
    )
    return ImportPlan(files=upload.files, ignored=upload.ignored, items=changes, kept=kept)


def _compare(
    item_id: str, file: str, data: dict[str, Any], live: tuple[str, dict[str, Any]] | None
) -> ItemChange:
    if live is None:
        return ItemChange(item_id, file, "added", languages=LANGUAGES)
    live_file, before = live
    languages = tuple(
        language
        for language in LANGUAGES
        if any(_text(before, f, language) != _text(data, f, language) for f in TEXT_FIELDS)
    )
    fields = tuple(
        sorted(key for key in {*before, *data} - {*TEXT_FIELDS} if before.get(key) != data.get(key))
    ) + (("file",) if live_file != file else ())
    changed = bool(languages or fields) or before != data
    return ItemChange(item_id, file, "changed" if changed else "unchanged", languages, fields)


def _text(data: dict[str, Any], field_name: str, language: str) -> Any:
    texts = data.get(field_name)
    return texts.get(language) if isinstance(texts, dict) else texts


def dump(items: Mapping[str, dict[str, Any]]) -> str:
    """One topic file, as the repository keeps it."""
    return yaml.dump(
        {"items": dict(items)},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def topic_files(records: Iterable[tuple[str, str, dict[str, Any]]]) -> dict[str, str]:
    """(id, file, data) rows -> file name -> its YAML text, items in id order."""
    by_file: dict[str, dict[str, dict[str, Any]]] = {}
    for item_id, file, data in sorted(records):
        by_file.setdefault(file, {})[item_id] = data
    return {file: dump(items) for file, items in sorted(by_file.items())}


def pack(texts: Mapping[str, str], at: datetime) -> bytes:
    """The topic files in one zip (what the console's "Exporter" downloads)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(texts.items()):
            entry = zipfile.ZipInfo(name, date_time=at.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, text.encode("utf-8"))
    return buffer.getvalue()


def unpack(archive_name: str, data: bytes) -> dict[str, bytes]:
    """The YAML files of a zip (folders flattened, system files skipped), within limits."""

    def refused(message: str) -> ImportRefused:
        return ImportRefused([Problem(file=archive_name, message=f"{archive_name}: {message}")])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise refused("not a readable zip file") from None
    with archive:
        entries = [entry for entry in archive.infolist() if _wanted(entry)]
        if len(entries) > MAX_ZIP_ENTRIES:
            raise UploadTooLarge(f"{archive_name}: more than {MAX_ZIP_ENTRIES} files")
        files: dict[str, bytes] = {}
        unpacked = 0
        for entry in entries:
            name = PurePosixPath(entry.filename).name
            if name in files:
                raise refused(f"{name} appears twice")
            try:
                with archive.open(entry) as opened:
                    content = opened.read(MAX_UNPACKED_BYTES - unpacked + 1)
            # encrypted entries raise RuntimeError, unknown compression methods
            # NotImplementedError: both are the uploader's file, not our failure
            except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error) as error:
                raise refused(f"{name} cannot be unpacked ({error})") from None
            unpacked += len(content)
            if unpacked > MAX_UNPACKED_BYTES:
                raise UploadTooLarge(
                    f"{archive_name}: unpacks to more than {MAX_UNPACKED_BYTES} bytes"
                )
            files[name] = content
    return files


def _wanted(entry: zipfile.ZipInfo) -> bool:
    """Files, not folders, nor what archivers add (__MACOSX/, .DS_Store)."""
    parts = PurePosixPath(entry.filename).parts
    return not entry.is_dir() and not any(p.startswith((".", "__MACOSX")) for p in parts)


def _storable(data: Any) -> bool:
    """The item comes back from the database's JSON exactly as it is."""
    try:
        return bool(json.loads(json.dumps(data, allow_nan=False)) == data)
    except (TypeError, ValueError):
        return False


def plain(data: Any) -> Any:
    """YAML dates become ISO strings so the item can be stored as JSON."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data.isoformat() if hasattr(data, "isoformat") else data
