#!/bin/sh
# Migrations first, then the bot (or any other citytrainers-bot command).
set -e
citytrainers-bot db upgrade
exec citytrainers-bot "$@"
