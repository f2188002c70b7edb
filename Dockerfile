# syntax=docker/dockerfile:1
# Fadaa: one image for `fadaa serve`, `fadaa worker` and `fadaa migrate`.
# The NLU model (bot/nlu/model.npz), the content (bot/content/) and the interface catalogs
# (locales/) are inside: nothing is downloaded at run time.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY api ./api
COPY locales ./locales
# Editable: bot/i18n.py reads locales/ next to bot/, so the code stays in /app.
RUN pip install -e .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin fadaa \
    && mkdir /data && chown fadaa:fadaa /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# PYTHONTZPATH="": zoneinfo reads the tzdata package (Morocco's 2026 rules), not the OS copy.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONTZPATH="" \
    FADAA_DATA_DIR=/data \
    FADAA_HOST=0.0.0.0 \
    FADAA_PORT=8000
WORKDIR /app
USER fadaa
VOLUME ["/data"]
EXPOSE 8000
# Liveness of the web service; workers run without HTTP (compose disables it for them).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FADAA_PORT', '8000'), timeout=4)"]
CMD ["fadaa", "serve"]
