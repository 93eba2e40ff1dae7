# Compromiso — the two commands are `make demo` and `make test`; the rest is listed by `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 found: python3.13, python3.12, pyenv's, then python3.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: help demo serve serve-production worker test test-unit test-browser lint format messages catalogs migrate bench browser-deps clean

help:
	@echo "make demo          create .venv, load the demo network, serve http://127.0.0.1:8000"
	@echo "make test          lint, migration check, deploy check and the whole test suite"
	@echo "make worker        run background tasks (e-mail, recomputations)"
	@echo "make serve-production  gunicorn + static files + task worker + scheduler (docs/operations.md)"
	@echo "make lint          ruff (lint + format check) and mypy"
	@echo "make format        ruff format and autofix"
	@echo "make messages      extract strings into locale/*/LC_MESSAGES/django.po"
	@echo "make bench         run the benchmarks under bench/"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (none found)."; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

catalogs: $(STAMP)
	@$(BIN)/compromiso compilecatalogs

migrate: catalogs
	$(BIN)/compromiso migrate --noinput

# The server's banner is silenced and the worker logs only failures: the log-ins stay in sight.
demo: migrate
	@echo "Loading the demo, then serving it on http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
	$(BIN)/compromiso demo
	@trap 'kill 0' EXIT; $(BIN)/compromiso worker & \
	  $(BIN)/compromiso serve 127.0.0.1:8000 --skip-checks >/dev/null

serve: migrate
	$(BIN)/compromiso serve 127.0.0.1:8000

# Production: gunicorn, WhiteNoise's static files, the task worker and the scheduler, stopped together.
serve-production: migrate
	$(BIN)/compromiso serve --production $${BIND:-127.0.0.1:8000}

worker: migrate
	$(BIN)/compromiso worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	cd src/compromiso && ../../$(BIN)/compromiso makemessages --no-obsolete --no-location -l es -l ca -l en \
	  --ignore "*/tests/*" && ../../$(BIN)/compromiso makemessages -d djangojs -l es -l ca -l en --no-location || true

# Debian's Chromium and ChromeDriver for the browser tests (never Playwright's own download).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium chromium-driver"; exit 1; fi; \
	fi

# The tests run in TEST_WORKERS processes (pytest-xdist; default one per CPU core); TEST_ARGS
# adds pytest options (.ci/run uses it to run a database-independent test in one pass only).
TEST_WORKERS ?= auto
TEST_ARGS ?=

test-unit: catalogs
	$(BIN)/compromiso makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=compromiso.example DATABASE_URL=sqlite:///:memory: EMAIL_HOST=smtp.example.org \
	  $(BIN)/compromiso check --deploy --fail-level WARNING
	$(BIN)/pytest -m "not browser" -p no:cacheprovider -n $(TEST_WORKERS) $(TEST_ARGS)

test-browser: catalogs browser-deps
	$(BIN)/pytest -m browser -p no:cacheprovider -n $(TEST_WORKERS) $(TEST_ARGS)

test: lint test-unit test-browser

bench: migrate
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
