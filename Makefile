# Two commands for a newcomer: `make run` and `make test`. Both need only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Development values; production sets its own environment (see the README).
DEV_ENV := DEBUG=1 PYTHONDONTWRITEBYTECODE=1

.PHONY: run test lint pytest format clean serve-prod bench loadtest faults screenshots

run: $(VENV)/.installed
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "Holdfast is at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev lint pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive portal exercises patients --exclude "*/migrations/*"
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV_ENV) $(BIN)/python manage.py check

# DATABASE_URL, when set, points the suite at PostgreSQL instead of SQLite.
pytest: $(VENV)/.installed-dev
	$(DEV_ENV) $(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit("Holdfast needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# Production settings on this machine's PostgreSQL and Redis, served by gunicorn with the
# task worker beside it, for trying the real thing (plain HTTP on loopback, so the
# HTTPS-only switches are off; no proxy in front, which production needs: deploy/nginx).
PROD_ENV := DEBUG=0 SECRET_KEY=local-production-trial-key-not-for-real-use-0123456789abcdef \
	ALLOWED_HOSTS=127.0.0.1,localhost \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/holdfast} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	PORTAL_SSL_REDIRECT=0 PORTAL_SECURE_COOKIES=0 PORTAL_HSTS_SECONDS=0 \
	PORTAL_STAFF_2FA=$${PORTAL_STAFF_2FA:-0}

serve-prod: $(VENV)/.installed
	psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'holdfast'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres holdfast
	$(PROD_ENV) $(BIN)/python manage.py migrate --noinput
	$(PROD_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@# The task worker (e-mail) beside gunicorn; Ctrl-C stops both.
	$(PROD_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PROD_ENV) $(BIN)/gunicorn portal.wsgi

# The benchmark: two synthetic clinics of 2,000 patients on this machine's PostgreSQL and
# Redis, with 30 and with 90 days of history, each vacuumed (as autovacuum would have done
# in a clinic's) and timed with production settings, the two in turn BENCH_ROUNDS times so
# that a machine whose speed drifts weighs on both alike; then how each request's time
# grows with history, from the medians of the runs. Figures land in .bench/.
BENCH_ENV := DEBUG=0 SECRET_KEY=bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=testserver REDIS_URL=redis://127.0.0.1:6379/1 PORTAL_SSL_REDIRECT=0
BENCH_PATIENTS ?= 2000
BENCH_ROUNDS ?= 3
BENCH_DB_NAME = holdfast_bench_$$days
BENCH_DB = postgres://postgres@127.0.0.1:5432/$(BENCH_DB_NAME)

bench: $(VENV)/.installed-dev
	mkdir -p .bench
	rm -f .bench/bench-30.json .bench/bench-90.json
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	for days in 30 90; do \
		dropdb -h 127.0.0.1 -U postgres --if-exists $(BENCH_DB_NAME) \
			&& createdb -h 127.0.0.1 -U postgres $(BENCH_DB_NAME) || exit 1; \
		export DATABASE_URL=$(BENCH_DB); \
		$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0 || exit 1; \
		$(BENCH_ENV) $(BIN)/python manage.py seed_bulk --not-a-clinic \
			--patients $(BENCH_PATIENTS) --days $$days --clinicians 10 || exit 1; \
		vacuumdb -h 127.0.0.1 -U postgres --quiet $(BENCH_DB_NAME) || exit 1; \
	done
	for round in $$(seq $(BENCH_ROUNDS)); do \
		for days in 30 90; do \
			echo "--- $$days days of history, run $$round of $(BENCH_ROUNDS)"; \
			DATABASE_URL=$(BENCH_DB) $(BENCH_ENV) $(BIN)/python manage.py bench \
				--json .bench/bench-$$days.json || exit 1; \
		done; \
	done
	$(BENCH_ENV) $(BIN)/python manage.py bench --compare .bench/bench-30.json .bench/bench-90.json

# The production trial (loadtest/run): gunicorn with DEBUG off on this machine's
# PostgreSQL and Redis, on 127.0.0.1:8031 only; a smoke test, then LOAD_USERS simulated
# people (40) for LOAD_SECONDS (40) with locust, headless, then a check that every
# acknowledged hold is stored exactly once. Any failed request fails it. CI runs it too.
loadtest: $(VENV)/.installed-dev
	loadtest/run

# The fault trial (loadtest/faults): the same stack on a PostgreSQL cluster and a Redis of
# its own, which it stops, pauses and makes read-only under load, FAULT_SECONDS (8) each,
# and 50 clients sending headers slowly; then it checks every answer and the holds. CI
# runs it too.
faults: $(VENV)/.installed-dev
	loadtest/faults

# The README's screenshots (phone width), taken by a browser test.
screenshots: $(VENV)/.installed-dev
	HOLDFAST_SCREENSHOTS_DIR=docs/screenshots $(DEV_ENV) $(BIN)/pytest tests/e2e/test_screenshots.py -q

# Tidy the code the way `make test` checks it (also run after makemigrations).
format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
