"""`GET /metrics` for Prometheus. With FADAA_METRICS_TOKEN set, a scraper sends it as a
bearer token; without it, only the same host may read (a default scrape on localhost)."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.services import Services, ServicesDep
from bot import metrics
from bot.clock import utcnow

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
async def read_metrics(request: Request, services: ServicesDep) -> Response:
    _allow(request, services)
    async with services.db.transaction() as session:
        figures = await metrics.queue_figures(
            session, now=utcnow(), fallback_below=services.settings.clarify_threshold
        )
    return Response(metrics.render(figures), media_type=CONTENT_TYPE_LATEST)


def _allow(request: Request, services: Services) -> None:
    token = services.settings.metrics_token
    if token is None:
        if not _is_loopback(request.client.host if request.client else ""):
            raise HTTPException(
                403,
                "metrics are served to this host only; set "
                "FADAA_METRICS_TOKEN to scrape from elsewhere",
            )
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.encode(), token.get_secret_value().encode()
    ):
        raise HTTPException(
            401,
            "metrics need the bearer token FADAA_METRICS_TOKEN",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
