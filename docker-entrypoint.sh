#!/bin/sh
# Migrations first, then the bot (or any other citytrainers-bot command). `run` migrates at
# start-up itself, after waiting for the database (DB_CONNECT_TIMEOUT_SECONDS).
set -e
if [ "${1:-}" != "run" ]; then
  citytrainers-bot db upgrade
fi
exec citytrainers-bot "$@"
