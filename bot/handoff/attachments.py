"""Files in a handoff. An advisor's file (a photo or a PDF) is checked by its content, kept
under FADAA_DATA_DIR/attachments/<user id>/ until the user's data is erased, and sent
through the outbox. A user's file stays with their channel: the handoff event keeps the
channel's reference, and the file is fetched from the channel when an advisor opens it."""

from __future__ import annotations

import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.messages import Attachment

FOLDER = "attachments"
MAX_PHOTO_BYTES = 5 * 1024 * 1024  # WhatsApp's limit for images
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # Telegram sends photos up to 10 MB, documents 50
MAX_BYTES = max(MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES)


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    kind: str  # "photo" or "document"
    limit: int


JPEG = FileType("image/jpeg", "jpg", "photo", MAX_PHOTO_BYTES)
PNG = FileType("image/png", "png", "photo", MAX_PHOTO_BYTES)
WEBP = FileType("image/webp", "webp", "photo", MAX_PHOTO_BYTES)
PDF = FileType("application/pdf", "pdf", "document", MAX_DOCUMENT_BYTES)
ACCEPTED = "JPEG, PNG, WebP or PDF"
SHOWN = tuple(t.mime for t in (JPEG, PNG, WEBP, PDF))


@dataclass(frozen=True)
class Upload:
    """A checked file, not yet kept."""

    data: bytes
    type: FileType
    name: str


class FileRefused(Exception):
    """A file that cannot be sent; `reason` is "empty", "too_large" or "unsupported"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def sniff(data: bytes) -> FileType | None:
    """The file's type by its first bytes, whatever its name says."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return PDF
    return None


def check(data: bytes, name: str) -> Upload:
    """A file an advisor may send; FileRefused says why not."""
    if not data:
        raise FileRefused("empty", "the file is empty")
    found = sniff(data)
    if found is None:
        raise FileRefused("unsupported", f"only {ACCEPTED} files can be sent")
    if len(data) > found.limit:
        megabytes = found.limit // (1024 * 1024)
        raise FileRefused("too_large", f"a {found.extension} file is limited to {megabytes} MB")
    return Upload(data, found, shown_name(name, found))


def save(data_dir: Path, user_id: int, upload: Upload) -> Attachment:
    """Keep the file under the user's folder, named by chance (never by the upload)."""
    found = upload.type
    relative = PurePosixPath(FOLDER, str(user_id), f"{secrets.token_hex(12)}.{found.extension}")
    path = data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.data)
    return Attachment(str(relative), found.kind, found.mime, upload.name)


def path_of(data_dir: Path, attachment: Attachment) -> Path:
    """Where the file is; LookupError when it is gone (erased) or the path is not ours."""
    relative = PurePosixPath(attachment.path)
    if relative.parts[:1] != (FOLDER,) or ".." in relative.parts or relative.is_absolute():
        raise LookupError("not an attachment's path")
    path = data_dir / relative
    if not path.is_file():
        raise LookupError("the file is no longer kept")
    return path


def discard(data_dir: Path, attachment: Attachment) -> None:
    """A file that was not sent after all (the desk refused, or the write failed)."""
    try:
        path_of(data_dir, attachment).unlink()
    except (LookupError, FileNotFoundError):
        return


class Keeping:
    """The file of one advisor action, kept on disk only if the action goes through:
    refused (`sent` left False) or failed (an exception, the commit's included), it goes.

        with Keeping(data_dir) as files:
            async with db.transaction() as session:
                refusal = await desk.act(..., attachment=files.keep(user_id, upload))
                files.sent = refusal is None
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.kept: Attachment | None = None
        self.sent = False

    def keep(self, user_id: int, upload: Upload | None) -> Attachment | None:
        self.kept = save(self.data_dir, user_id, upload) if upload else None
        return self.kept

    def __enter__(self) -> Keeping:
        return self

    def __exit__(self, error_type: object, *_details: object) -> None:
        if self.kept and (error_type is not None or not self.sent):
            discard(self.data_dir, self.kept)


def forget_user(data_dir: Path, user_id: int) -> None:
    """Erasure: every file kept for this user goes."""
    shutil.rmtree(data_dir / FOLDER / str(user_id), ignore_errors=True)


def shown_name(name: str, found: FileType) -> str:
    """The name the user sees: the upload's name without its folders or control
    characters, at most 80 characters, with the extension of what the file really is."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:80] or ("photo" if found.kind == "photo" else "document")
    return f"{stem}.{found.extension}"
