"""Admin API: the content files for editors. Export the live content as YAML topic files
(one, or all in a zip); import one file or a zip of them, first as a dry run that says what
would change, then applied as versions, through the same code as `fadaa content import`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import Editor
from api.errors import responses
from api.limits import MAX_BODY
from api.services import ServicesDep
from bot.channels.service import Services
from bot.clock import utcnow
from bot.content import editing, files

router = APIRouter(prefix="/admin/content-files", tags=["admin"], responses=responses())
FileName = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9_]{1,60}\.yaml$",
        examples=["women.yaml"],
        description="a topic file",
    ),
]
ZIP_MAGIC = b"PK\x03\x04"
YAML_TYPE = "application/yaml"


class ContentFileOut(BaseModel):
    file: str = Field(examples=["women.yaml"])
    items: int = Field(examples=[9], description="how many items it holds")


class ImportProblem(BaseModel):
    """One reason the files cannot be imported."""

    file: str = Field(examples=["women.yaml"])
    message: str = Field(
        examples=[
            "women.yaml: item women.overview: text.ary makes a claim the fact sheet forbids "
            "(rule seven_founders, language ary): 7 founders are required (the minimum is 5 "
            "members)"
        ]
    )
    item: str | None = Field(examples=["women.overview"])
    field: str | None = Field(examples=["text.ary"])
    line: int | None = Field(examples=[2], description="the line in the file, from 1")
    rule: str | None = Field(examples=["seven_founders"], description="a forbidden claim's rule")
    language: str | None = Field(examples=["ary"])


class ImportRefusal(BaseModel):
    detail: list[ImportProblem]


class ItemChangeOut(BaseModel):
    id: str = Field(examples=["women.overview"])
    file: str = Field(examples=["women.yaml"])
    status: Literal["added", "changed", "unchanged"] = Field(examples=["changed"])
    languages: list[str] = Field(
        examples=[["ary"]], description="languages whose title, text or reminder changes"
    )
    fields: list[str] = Field(
        examples=[["last_verified"]], description="other fields that change (file: it moves)"
    )


class ImportReport(BaseModel):
    applied: bool = Field(description="false for a dry run: nothing was changed")
    revision: int = Field(
        examples=[42],
        description="the content's revision after this request; give it to the import so "
        "that it applies only what this dry run showed",
    )
    files: list[str] = Field(examples=[["women.yaml"]])
    ignored: list[str] = Field(
        examples=[["sources.yaml"]], description="files read but holding no content items"
    )
    added: int = Field(examples=[0])
    changed: int = Field(examples=[1])
    unchanged: int = Field(examples=[8])
    languages: dict[str, int] = Field(
        examples=[{"fr": 0, "ar": 0, "ary": 1, "ary-Latn": 0}],
        description="per language, how many items change their texts",
    )
    items: list[ItemChangeOut]
    kept: list[str] = Field(
        examples=[[]],
        description="live items of these files that the files lack: an import deletes "
        "nothing, they stay (delete them in the editor)",
    )


REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ImportRefusal,
        "description": "the files cannot be imported, nothing changed: every problem named "
        "(file, line, item, field; rule and language for a forbidden claim)",
    }
}
UPLOAD_REFUSALS: dict[int | str, dict[str, Any]] = {**responses(413, 415), **REFUSED}


async def _multipart(request: Request) -> None:
    """A JSON or raw body is a 415 that says what to send, not a missing-field 422."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(415, "send the file as multipart/form-data, in the field upload")


@router.get("")
async def list_files(caller: Editor, services: ServicesDep) -> list[ContentFileOut]:
    """The topic files of the live content, with editors' changes."""
    counts: dict[str, int] = {}
    for item in services.engine.content.items.values():
        counts[item.file] = counts.get(item.file, 0) + 1
    return [ContentFileOut(file=file, items=n) for file, n in sorted(counts.items())]


@router.get(
    "/export.zip",
    response_class=Response,
    responses={
        200: {
            "description": "every topic file of the live content, in one zip",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def export_all(caller: Editor, services: ServicesDep) -> Response:
    texts = await _exported(services)
    at = utcnow()
    return Response(
        files.pack(texts, at),
        media_type="application/zip",
        headers=_attachment(f"fadaa-contenus-{at:%Y-%m-%d}.zip"),
    )


@router.get(
    "/{file}",
    response_class=Response,
    responses={
        200: {
            "description": "the topic file as YAML, with editors' changes",
            "content": {YAML_TYPE: {"schema": {"type": "string"}}},
        },
        **responses(404),
    },
)
async def export_file(file: FileName, caller: Editor, services: ServicesDep) -> Response:
    text = (await _exported(services)).get(file)
    if text is None:
        raise HTTPException(404, f"no content file {file}")
    return Response(text, media_type=f"{YAML_TYPE}; charset=utf-8", headers=_attachment(file))


@router.post("/check", responses=UPLOAD_REFUSALS, dependencies=[Depends(_multipart)])
async def check_import(upload: UploadFile, caller: Editor, services: ServicesDep) -> ImportReport:
    """Dry run: what importing this YAML file (or zip of them) would change; nothing is
    written. Invalid items and forbidden claims are a 422 naming each problem."""
    return await _import(services, await _received(upload), actor=caller.name, apply=False)


@router.post(
    "/import",
    responses={**UPLOAD_REFUSALS, **responses(409)},
    dependencies=[Depends(_multipart)],
)
async def apply_import(
    upload: UploadFile,
    caller: Editor,
    services: ServicesDep,
    revision: Annotated[
        int | None,
        Query(ge=0, description="the revision the dry run answered: 409 if it moved since"),
    ] = None,
) -> ImportReport:
    """Apply the file(s) as one change: a version and an audit entry per changed item, live
    at once, exactly as `fadaa content import` does."""
    return await _import(
        services, await _received(upload), actor=caller.name, apply=True, revision=revision
    )


async def _received(upload: UploadFile) -> dict[str, bytes]:
    """The uploaded topic files by name: one YAML file, or those a zip holds."""
    data = await upload.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise HTTPException(413, f"upload larger than {MAX_BODY} bytes")
    name = PurePosixPath(upload.filename or "").name
    try:
        if data.startswith(ZIP_MAGIC) or name.endswith(".zip"):
            return files.unpack(name or "upload.zip", data)
    except files.UploadTooLarge as error:
        raise HTTPException(413, str(error)) from None
    except files.ImportRefused as refused:
        raise _refusal(refused) from None
    if name.endswith((".yaml", ".yml")):
        return {name: data}
    raise HTTPException(415, "upload: a .yaml content file or a .zip of them is expected")


async def _import(
    services: Services,
    uploaded: dict[str, bytes],
    *,
    actor: str,
    apply: bool,
    revision: int | None = None,
) -> ImportReport:
    try:
        upload = files.read_files(uploaded)
        async with services.db.transaction() as session:
            if revision is not None and await editing.revision(session) != revision:
                raise HTTPException(
                    409, "the content changed since this file was checked: check it again"
                )
            plan = await editing.import_upload(session, upload, actor=actor, apply=apply)
            now = await editing.revision(session)
    except files.ImportRefused as refused:
        raise _refusal(refused) from None
    if apply and plan.changes:
        async with services.db.transaction() as session:
            services.engine.content = await editing.load(session)
    return ImportReport(
        applied=apply,
        revision=now,
        files=list(plan.files),
        ignored=list(plan.ignored),
        added=plan.count("added"),
        changed=plan.count("changed"),
        unchanged=plan.count("unchanged"),
        languages=plan.by_language(),
        items=[ItemChangeOut.model_validate(asdict(item)) for item in plan.items],
        kept=list(plan.kept),
    )


def _refusal(refused: files.ImportRefused) -> HTTPException:
    detail: list[dict[str, Any]] = [asdict(problem) for problem in refused.problems]
    return HTTPException(422, detail)


async def _exported(services: Services) -> dict[str, str]:
    async with services.db.transaction() as session:
        return await editing.export_texts(session)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
