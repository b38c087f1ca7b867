# The README's commands. `make setup` is idempotent: it does nothing when the lock is unchanged.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.9.30
STAMP := $(VENV)/.installed-from-lock
PYTEST_ARGS ?=

.PHONY: setup run test lint format messages check-messages demo-code clean backup restore assets loadtest

setup: $(STAMP)

# Python 3.11 is all a fresh machine needs: the venv gets uv, uv installs the lock exactly.
$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

# The product on the embedded defaults (SQLite in var/, Celery broker on local disk).
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	bin/run-local

# The demo officials' two-step sign-in codes (official, chengkou, city; demo databases only).
demo-code: setup
	@$(BIN)/python manage.py demo_code

# The whole suite: on PostgreSQL when DATABASE_URL is set, else SQLite.
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the Chinese catalogue after changing user-facing strings, then translate and compile.
messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --add-location file --ignore=.venv
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# Fails when a string is not in the catalogue, not translated, or the .mo is stale.
check-messages: setup
	$(BIN)/python scripts/check_messages.py

# A dated, compressed backup of the database into BACKUP_DIR (default var/backups/).
backup: setup
	$(BIN)/python manage.py backup

# Restores FILE into the empty database DATABASE_URL names (refuses one holding records).
restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/lbc-….dump (or .sqlite3.gz)" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

# Many users at once (docs/PERFORMANCE.md, "Many users at once"): gunicorn in production mode on
# the database DATABASE_URL names (a generated register: scripts/bench_reports.py; set REDIS_URL
# as production does, else the cache is files on disk), locust
# headless at each of USERS for DURATION, CSV stats in var/loadtest/, then the check that no
# visit or check-in was stored twice. It adds load-* users and their sessions to that database.
USERS ?= 10 50 100
DURATION ?= 3m
WORKERS ?= 4
WORKER_CLASS ?= sync
THREADS ?= 4
loadtest: setup
	@test -n "$(DATABASE_URL)" || { echo "usage: make loadtest DATABASE_URL=postgres://… [USERS='10 50 100'] [WORKERS=4] [WORKER_CLASS=sync|gthread]" >&2; exit 2; }
	$(BIN)/python scripts/loadtest.py run --users "$(USERS)" --duration $(DURATION) \
	  --workers $(WORKERS) --worker-class $(WORKER_CLASS) --threads $(THREADS) \
	  --label $(WORKER_CLASS)$(WORKERS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

# The trimmed Bootstrap CSS and the inline icons, from the npm packages pinned in assets/
# (package-lock.json); the output is committed, so only a template or icon change needs this.
assets: setup
	cd assets && npm ci --no-audit --no-fund
	node assets/build.mjs
