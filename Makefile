# Citytrainers bot. `make run` starts it (local mode without a token); `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck i18n i18n-update catalogs hadolint pytest bench fmt system-deps clean lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the bot with its development tools

catalogs: $(STAMP) ## compile the Dutch catalogs (.po -> .mo)
	$(BIN)/python -m tools.check_i18n --compile

run: $(STAMP) catalogs ## run the bot (no TELEGRAM_BOT_TOKEN: local emulator + web chat)
	$(BIN)/citytrainers-bot run

system-deps: ## Dutch Hunspell dictionary for the spell check of the catalogs
	@if [ -f /usr/share/hunspell/nl_NL.dic ] && command -v hunspell >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hunspell hunspell-nl >/dev/null; \
	else echo "install hunspell and hunspell-nl (Debian/Ubuntu: apt-get install hunspell hunspell-nl)"; fi

lint: $(STAMP) ## ruff lint and format check; import contracts (layers, no cycles)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy --strict on the whole tree
	$(BIN)/mypy --strict domain bot storage simulator tools

i18n: $(STAMP) system-deps ## every msgid translated, no fuzzy or obsolete entries, Dutch spelling
	$(BIN)/python -m tools.check_i18n

i18n-update: $(STAMP) ## add new msgids from the code to locales/nl/LC_MESSAGES/messages.po
	$(BIN)/python -m tools.check_i18n --update

hadolint: $(STAMP) ## lint the Dockerfile
	$(BIN)/hadolint Dockerfile

pytest: $(STAMP) catalogs ## unit, storage (SQLite + PostgreSQL) and end-to-end tests
	$(BIN)/pytest --cov=bot --cov=domain --cov=storage --cov=simulator --cov-report=term:skip-covered

test: lint typecheck i18n hadolint pytest ## everything CI runs

bench: $(STAMP) ## benchmarks under bench/ (time and memory)
	@for script in bench/bench_*.py; do [ -e "$$script" ] && $(BIN)/python "$$script"; done; true

fmt: $(STAMP) ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The lock files pin every dependency with its hashes (runtime, dev, and the build backend that
# builds the project's wheel) for Python 3.11 on Linux, like the Docker image's base. uv runs in
# a throwaway virtual environment and reads PyPI only; pins already in the lock files are kept
# unless pyproject.toml needs others (delete a line, or a whole file, to take newer versions).
UV_VERSION := 0.13.9
LOCK_FLAGS := --quiet --no-config --generate-hashes --index-url https://pypi.org/simple \
	--python-version 3.11.16 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock"
export BUILD_REQUIRES := import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")

lock: ## regenerate requirements*.lock (pinned, with hashes) from pyproject.toml
	@set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp"; \
	"$$tmp/bin/pip" install --quiet "uv==$(UV_VERSION)"; \
	"$$tmp/bin/uv" pip compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml; \
	"$$tmp/bin/uv" pip compile $(LOCK_FLAGS) --extra dev -c requirements.lock \
		-o requirements-dev.lock pyproject.toml; \
	"$$tmp/bin/python" -c "$$BUILD_REQUIRES" | "$$tmp/bin/uv" pip compile $(LOCK_FLAGS) \
		-c requirements.lock -o requirements-build.lock -; \
	echo "requirements.lock, requirements-dev.lock and requirements-build.lock are up to date"

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage htmlcov
