"""What the routes need: the running services, shared through app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Request

from bot.channels.service import Connections, Services, running_services
from bot.config import Settings


def services_of(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services_of)]


def lifespan_for(
    settings: Settings, connections: Connections
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings, connections, deliver=settings.web_sends) as services:
            app.state.services = services
            yield

    return lifespan


Channel = TypeVar("Channel")


def channel_or_404(channel: Channel | None, name: str) -> Channel:
    if channel is None:
        raise HTTPException(status_code=404, detail=f"the {name} channel is not enabled")
    return channel
