"""The FastAPI application: wiring only."""

from fastapi import FastAPI

from api import admin, handoffs, health, metrics, web, webhooks
from api.auth import RateLimiter
from api.limits import GuardedBodies
from api.services import lifespan_for
from api.web_guard import WebCors, WebLimits
from bot.channels.service import Connections
from bot.config import Settings, load_settings


def create_app(settings: Settings, connections: Connections = Connections()) -> FastAPI:  # noqa: B008
    app = FastAPI(title="Fadaa", lifespan=lifespan_for(settings, connections))
    app.state.rate_limiter = RateLimiter(settings.admin_requests_per_minute)
    app.state.web_limits = WebLimits(settings)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(admin.router)
    app.include_router(handoffs.router)
    app.include_router(metrics.router)
    app.include_router(web.router)
    app.add_middleware(GuardedBodies)
    app.add_middleware(WebCors, origins=settings.web_origins)
    return app


def app_from_environment() -> FastAPI:
    """For `fadaa serve --workers N` (or `uvicorn --factory api.main:app_from_environment`):
    each web process builds its own app from the same environment."""
    return create_app(load_settings())
