"""A fake Telegram Bot API: `POST /bot<token>/<method>`, form-encoded as PTB sends it.

It records every call and can answer the next calls with a 429 to test retries.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Fadaa", "username": "fadaa_bot"}


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rate_limited_calls = 0
        self.forbidden_chats: set[str] = set()
        self._ids = itertools.count(100)
        self.app = FastAPI()
        self.app.post("/bot{token}/{method}")(self._method)

    def sent(self, method: str = "sendMessage", chat_id: int | str | None = None) -> list[dict]:
        return [params for name, params in self.calls if name == method
                and (chat_id is None or str(params.get("chat_id")) == str(chat_id))]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [params["text"] for params in self.sent("sendMessage", chat_id)]

    async def _method(self, token: str, method: str, request: Request) -> JSONResponse:
        form = await request.form()
        params = {key: _decoded(value) for key, value in form.items()}
        if self.rate_limited_calls and method != "getMe":
            self.rate_limited_calls -= 1
            return JSONResponse({"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}, status_code=429)
        if str(params.get("chat_id")) in self.forbidden_chats:
            return JSONResponse({"ok": False, "error_code": 403,
                                 "description": "Forbidden: bot was blocked by the user"},
                                status_code=403)
        self.calls.append((method, params))
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "sendVideo"):
            message = {"message_id": next(self._ids), "date": int(time.time()),
                       "chat": {"id": int(params["chat_id"]), "type": "private"}}
            if method == "sendVideo":
                message["video"] = {"file_id": f"BAAC{next(self._ids)}", "file_unique_id": "u",
                                    "width": 640, "height": 360, "duration": 30}
            return message | ({"text": params["text"]} if "text" in params else {})
        return True


def _decoded(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def text_update(update_id: int, chat_id: int, text: str, first_name: str = "Amina") -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": first_name},
        "from": {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "ar"},
    }}


def button_update(update_id: int, chat_id: int, payload: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Amina"}
    return {"update_id": update_id, "callback_query": {
        "id": f"cq{update_id}", "from": user, "chat_instance": "1", "data": payload,
        "message": {"message_id": 1, "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"}, "text": "…"},
    }}


def voice_update(update_id: int, chat_id: int) -> dict:
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["voice"] = {"file_id": "AwAC", "file_unique_id": "v", "duration": 7,
                                  "mime_type": "audio/ogg"}
    return update
