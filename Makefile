# Splitclone: `make run` serves the app with demo data, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint format fix-format migrate superuser clean check-deploy lock check-locks \
	audit load-test messages translation-coverage

help:
	@echo "make run    - install, migrate, load demo data and serve on http://$(HOST):$(PORT),"
	@echo "             with the background worker beside it"
	@echo "make test   - install dev tools, lint (ruff, import layers), run the whole test suite with coverage"
	@echo "make format - reformat the code with ruff"
	@echo "make check-deploy - check the locks, audit them, check the Dockerfile, Prometheus, Grafana,"
	@echo "                    Terraform and workflows"
	@echo "make load-test - Locust against gunicorn on a throwaway PostgreSQL database, on loopback"
	@echo "                 (INSTANCES=1|2|4 DURATION=60s USERS=60 SCENARIO=everyday|busy; docs/capacity.md)"
	@echo "make messages - after marking or changing text: regenerate every translation catalog"
	@echo "                (de fr es pt) and compile it (needs gettext; docs/translations.md)"
	@echo "make translation-coverage - translated and total messages per language, for the release note"
	@echo "make lock   - after editing a requirements*.in, rewrite the locks (requirements*.txt);"
	@echo "              LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves what the inputs leave open"

$(BIN)/python:
	@python=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

# The background worker (recurring expenses, periodic jobs) runs beside the web server and stops
# with it: Ctrl-C ends runserver, and the trap ends the worker.
run: $(VENV)/.installed-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ (the background worker runs beside it)"
	@$(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two pytest-xdist workers: about a quarter less wall time on two cores, because the browser
# and gunicorn tests spend much of theirs waiting. PYTEST_ARGS="-n 0" runs in one process.
test: lint
	$(BIN)/python -m pytest -n 2 --cov --cov-report=term $(PYTEST_ARGS)

# The locks pin every package with its hashes: pip installs exactly what they name, or fails.
lock:
	scripts/lock $(LOCK_ARGS)

check-locks:
	scripts/lock --check

audit:
	scripts/ops-venv
	.venv-ops/bin/python deploy/audit.py

# Their tools live in .venv-ops and .venv-infra, apart from the app's virtualenv.
check-deploy: check-locks audit
	bash deploy/check-image.sh
	bash deploy/check-infra.sh

# Figures in docs/capacity.md. Locust lives in .venv-ops; the app runs from .venv.
load-test: $(VENV)/.installed-runtime
	PYTHON=$(BIN)/python scripts/load-test

# Translations (docs/translations.md). Each app keeps its catalogs in <app>/locale/, the project
# keeps those of templates/ and of the static JavaScript in locale/. makemessages puts a file's
# messages in the nearest locale/ folder, so each app's are gathered from inside the app.
# The compiled .mo files are committed: running the app, the tests and the image need no gettext.
LOCALES := de fr es pt
APPS := $(patsubst %/apps.py,%,$(wildcard */apps.py))
# File names, not line numbers: otherwise every edit of a template would change every catalog.
MAKEMESSAGES := makemessages $(addprefix --locale=,$(LOCALES)) --add-location=file --no-obsolete
NOT_PROJECT_SOURCES := $(addprefix --ignore=,$(APPS) docs deploy benchmarks scripts test-artifacts \
	staticfiles media var node_modules)

messages: $(VENV)/.installed-dev
	@for app in $(APPS); do \
	  mkdir -p $$app/locale; \
	  (cd $$app && ../$(BIN)/python ../manage.py $(MAKEMESSAGES) --ignore=tests) || exit 1; \
	done
	mkdir -p locale
	$(BIN)/python manage.py $(MAKEMESSAGES) $(NOT_PROJECT_SOURCES)
	$(BIN)/python manage.py $(MAKEMESSAGES) --domain=djangojs $(NOT_PROJECT_SOURCES)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore='.venv-*' \
	  --ignore=node_modules --ignore=test-artifacts

translation-coverage: $(VENV)/.installed-dev
	$(BIN)/python manage.py translation_coverage

superuser: $(VENV)/.installed-runtime
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) .coverage htmlcov .pytest_cache .ruff_cache staticfiles
