"""A fake Telegram Bot API: `POST /bot<token>/<method>`, form-encoded as PTB sends it (files
as multipart uploads, kept as {"filename", "content_type", "content"}), `getFile` and the
file downloads at `/file/bot<token>/<file_path>`.

It records every call and can answer the next calls with a 429 to test retries. Forum
topics are kept like Telegram does: a deleted topic refuses messages ("message thread not
found"), and a group can be made unreachable (502, as a gateway failure).
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Fadaa", "username": "fadaa_bot"}


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rate_limited_calls = 0
        self.forbidden_chats: set[str] = set()
        self.unreachable_chats: set[str] = set()
        self.topics: dict[int, str] = {}
        self.deleted_topics: set[int] = set()
        self.closed_topics: set[int] = set()
        self.bots_write_in_closed_topics = True  # as an admin with can_manage_topics does
        self.files: dict[str, bytes] = {}  # file_id → content, as users' files are kept
        self._ids = itertools.count(100)
        self.app = FastAPI()
        self.app.post("/bot{token}/{method}")(self._method)
        self.app.get("/file/bot{token}/{file_path:path}")(self._download)

    def sent(self, method: str = "sendMessage", chat_id: int | str | None = None) -> list[dict]:
        return [
            params
            for name, params in self.calls
            if name == method and (chat_id is None or str(params.get("chat_id")) == str(chat_id))
        ]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [params["text"] for params in self.sent("sendMessage", chat_id)]

    def in_topic(self, thread_id: int) -> list[tuple[str, dict[str, Any]]]:
        """Every call that posted into a topic, in order."""
        return [
            (name, params)
            for name, params in self.calls
            if str(params.get("message_thread_id")) == str(thread_id)
        ]

    def topic_texts(self, thread_id: int) -> list[str]:
        return [
            params.get("text") or params.get("caption") or ""
            for _name, params in self.in_topic(thread_id)
        ]

    async def _method(self, token: str, method: str, request: Request) -> JSONResponse:
        form = await request.form()
        params = {key: await _decoded(value) for key, value in form.items()}
        if method == "getFile" and params.get("file_id") not in self.files:
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                status_code=400,
            )
        if self.rate_limited_calls and method != "getMe":
            self.rate_limited_calls -= 1
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status_code=429,
            )
        if str(params.get("chat_id")) in self.forbidden_chats:
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
                status_code=403,
            )
        if str(params.get("chat_id")) in self.unreachable_chats:
            return JSONResponse(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status_code=502
            )
        if int(params.get("message_thread_id") or 0) in self.deleted_topics:
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message thread not found",
                },
                status_code=400,
            )
        if (
            not self.bots_write_in_closed_topics
            and method.startswith(("send", "copy"))
            and int(params.get("message_thread_id") or 0) in self.closed_topics
        ):
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": "Bad Request: TOPIC_CLOSED"},
                status_code=400,
            )
        self.calls.append((method, params))
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "createForumTopic":
            thread = next(self._ids)
            self.topics[thread] = params["name"]
            return {"message_thread_id": thread, "name": params["name"], "icon_color": 7322096}
        if method in ("closeForumTopic", "reopenForumTopic"):
            thread = int(params["message_thread_id"])
            (self.closed_topics.add if method == "closeForumTopic" else self.closed_topics.discard)(
                thread
            )
            return True
        if method == "deleteForumTopic":
            self.deleted_topics.add(int(params["message_thread_id"]))
            return True
        if method == "getFile":
            file_id = params["file_id"]
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"files/{file_id}",
            }
        if method == "copyMessage":
            return {"message_id": next(self._ids)}
        if method in ("sendVoice", "sendAudio", "sendPhoto", "sendDocument"):
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "supergroup"},
            }
        if method in ("sendMessage", "sendVideo"):
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
            }
            if method == "sendVideo":
                message["video"] = {
                    "file_id": f"BAAC{next(self._ids)}",
                    "file_unique_id": "u",
                    "width": 640,
                    "height": 360,
                    "duration": 30,
                }
            return message | ({"text": params["text"]} if "text" in params else {})
        return True

    async def _download(self, token: str, file_path: str) -> Response:
        file_id = file_path.removeprefix("files/")
        if file_id not in self.files:
            return Response(status_code=404)
        return Response(self.files[file_id], media_type="application/octet-stream")


async def _decoded(value: Any) -> Any:
    if isinstance(value, UploadFile):
        content = await value.read()
        return {"filename": value.filename, "content_type": value.content_type, "content": content}
    if not isinstance(value, str):
        return value
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def text_update(update_id: int, chat_id: int, text: str, first_name: str = "Amina") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": "ar",
            },
        },
    }


def button_update(update_id: int, chat_id: int, payload: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Amina"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": user,
            "chat_instance": "1",
            "data": payload,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
        },
    }


def photo_update(update_id: int, chat_id: int, file_id: str, caption: str = "") -> dict:
    """A user's photo, in the sizes Telegram makes of it (the largest last)."""
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "p", "width": 1280, "height": 960},
    ]
    if caption:
        update["message"]["caption"] = caption
    return update


def voice_update(update_id: int, chat_id: int) -> dict:
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["voice"] = {
        "file_id": "AwAC",
        "file_unique_id": "v",
        "duration": 7,
        "mime_type": "audio/ogg",
    }
    return update


def group_update(
    update_id: int,
    group_id: int,
    thread_id: int | None,
    sender_id: int,
    text: str,
    first_name: str = "Karima",
) -> dict:
    """A message written in a topic of the advisors' forum group."""
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "text": text,
        "chat": {
            "id": group_id,
            "type": "supergroup",
            "title": "Conseillers ODCO",
            "is_forum": True,
        },
        "from": {"id": sender_id, "is_bot": False, "first_name": first_name},
    }
    if thread_id is not None:
        message |= {"message_thread_id": thread_id, "is_topic_message": True}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}
