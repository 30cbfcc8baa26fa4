# syntax=docker/dockerfile:1
# Build: docker build -t citytrainers-bot .   Run: docker run --env-file .env -p 8080:8080 citytrainers-bot

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY storage ./storage
COPY simulator ./simulator
COPY tools ./tools
COPY locales ./locales
COPY babel.cfg ./
RUN /opt/venv/bin/pip install --no-cache-dir . \
    && /opt/venv/bin/python -m tools.check_i18n --compile

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 citytrainers
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/locales ./locales
COPY --from=build /src/bot ./bot
COPY --from=build /src/domain ./domain
COPY --from=build /src/storage ./storage
COPY --from=build /src/simulator ./simulator
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN mkdir -p /app/data && chown 10001 /app/data
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/citytrainers.db
USER 10001
# Port 8080 serves /healthz (generic, open for the health check), /metrics and the webhook.
# /metrics is open unless METRICS_TOKEN is set: run with -e METRICS_TOKEN=<long random string>
# and let Prometheus send "Authorization: Bearer <token>". The certificate font ships in bot/.
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["run"]
