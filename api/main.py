"""The FastAPI application: wiring only."""

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import (
    admin,
    audit,
    campaigns,
    console,
    content_files,
    errors,
    handoff_files,
    handoffs,
    health,
    metrics,
    training,
    web,
    webhooks,
)
from api.auth import RateLimiter
from api.limits import GuardedBodies
from api.services import lifespan_for
from api.web_guard import WebCors, WebLimits
from bot.channels.service import Connections
from bot.config import Settings, load_settings

DESCRIPTION = """Fadaa's webhooks and its admin API for ODCO's staff.

Admin routes take a bearer token (`fadaa admin create-token NAME ROLE`; press "Authorize").
Roles: **admin** (everything), **editor** (content, capsules, ready answers, insights,
training phrases), **advisor** (the handoff queue). Refusals answer `{"detail": "..."}`.
"""


def create_app(settings: Settings, connections: Connections = Connections()) -> FastAPI:  # noqa: B008
    # /docs and its Swagger UI files are served by the service itself (no CDN); no ReDoc
    app = FastAPIOffline(
        title="Fadaa",
        description=DESCRIPTION,
        lifespan=lifespan_for(settings, connections),
        redoc_url=None,
        static_url="/docs/assets",
        swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
    )
    app.state.rate_limiter = RateLimiter(settings.admin_requests_per_minute)
    app.state.web_limits = WebLimits(settings)
    app.state.login_limiter = RateLimiter(settings.console_logins_per_minute)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(admin.router)
    app.include_router(content_files.router)
    app.include_router(campaigns.router)
    app.include_router(audit.router)
    app.include_router(training.router)
    app.include_router(handoffs.router)
    app.include_router(handoff_files.router)
    app.include_router(metrics.router)
    app.include_router(console.router)
    app.mount("/console/static", console.static, name="console-static")
    app.include_router(web.router)
    app.add_middleware(GuardedBodies)
    app.add_middleware(WebCors, origins=settings.web_origins)
    errors.install(app)
    return app


def app_from_environment() -> FastAPI:
    """For `fadaa serve --workers N` (or `uvicorn --factory api.main:app_from_environment`):
    each web process builds its own app from the same environment."""
    return create_app(load_settings())
