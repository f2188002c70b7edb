"""The anchor: a bare python-telegram-bot echo bot behind FastAPI, nothing stored.

    uvicorn bench.echo_app:app_from_environment --factory    (ECHO_API_BASE=http://…)

The webhook answers after the reply was sent (PTB's process_update), as the simplest
bot does.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from telegram import Update
from telegram.ext import Application, MessageHandler, filters
from telegram.request import BaseRequest, HTTPXRequest

TOKEN = "1:ECHO"


def echo_app(api_base: str, request: BaseRequest | None = None) -> FastAPI:
    request = request or HTTPXRequest(connection_pool_size=32)
    # concurrent_updates: PTB otherwise handles one update at a time, and the anchor would
    # be a bot waiting on each reply's round trip rather than the best a bare bot does
    bot = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api_base}/bot")
        .request(request)
        .get_updates_request(HTTPXRequest())
        .updater(None)
        .concurrent_updates(True)
        .build()
    )

    async def echo(update: Update, _context: object) -> None:
        await update.message.reply_text(update.message.text)

    bot.add_handler(MessageHandler(filters.TEXT, echo))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with bot:
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/telegram/webhook")
    async def webhook(request: Request) -> Response:
        await bot.process_update(Update.de_json(await request.json(), bot.bot))
        return Response(status_code=200)

    return app


def app_from_environment() -> FastAPI:
    return echo_app(os.environ["ECHO_API_BASE"])
