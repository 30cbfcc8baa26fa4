# syntax=docker/dockerfile:1
# Build: docker build -t citytrainers-bot .   Run: docker run --env-file .env -p 8080:8080 citytrainers-bot
# Several replicas behind a proxy: docker-compose.yml and README.md ("Production: several machines").

# The base image is pinned by digest: python:3.11-slim-bookworm (Python 3.11.16) as published on
# Docker Hub on 25 Aug 2026 (the multi-platform index; source: docker-library/repo-info,
# repos/python/remote/3.11-slim-bookworm.md). Move it on deliberately, with the lock files
# (`make lock` resolves for the same Python): docker buildx imagetools inspect <tag>.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Every dependency, and the build backend, pinned with its hashes (`make lock`): pip refuses
# anything that is not in the lock file or does not match its hash.
COPY requirements.lock requirements-build.lock ./
RUN python -m venv /opt/venv \
    && python -m venv /opt/build \
    && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock \
    && /opt/build/bin/pip install --require-hashes --no-deps -r requirements-build.lock
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY domain ./domain
COPY storage ./storage
COPY simulator ./simulator
COPY tools ./tools
COPY locales ./locales
# The project itself without its dependencies (they are all in the venv already), then check
# that nothing is missing and compile the Dutch catalogs.
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /tmp/dist . \
    && /opt/venv/bin/pip install --no-deps /tmp/dist/*.whl \
    && /opt/venv/bin/pip check \
    && /opt/venv/bin/python -m tools.check_i18n --compile

FROM ${PYTHON_IMAGE}
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
