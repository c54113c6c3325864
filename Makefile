# One obvious command for each chore. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
# npm writes this file on every install: newer than package*.json means node_modules is current.
NODE_STAMP := node_modules/.package-lock.json
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-postgres test-browser source-digests lint format check screening-report screening-model bench bench-large lighthouse scale-out-check clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The Nu HTML Checker for the browser tests (package.json). Without npm the HTML-validity test
# is skipped on a developer machine (and fails in CI, which installs npm).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: skipping vnu-jar (the HTML-validity test will be skipped)"; \
	fi

install: $(STAMP) $(NODE_STAMP) ## Create the virtualenv and install everything

run: export DJANGO_SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP) ## Set up (migrate, default content, local logins), serve on http://127.0.0.1:8000 with the email worker
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(BIN)/python manage.py load_default_content
	DJANGO_DEBUG=true $(BIN)/python manage.py create_local_accounts
	@# The email worker runs beside the web server and stops with it.
	DJANGO_DEBUG=true $(BIN)/python manage.py send_notifications & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(NODE_STAMP) ## Run the whole test suite, browser tests too (SQLite unless DATABASE_URL says otherwise)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) $(NODE_STAMP) ## Run the suite against the PostgreSQL server on 127.0.0.1:5432
	DATABASE_URL=$${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/portal} $(BIN)/pytest $(PYTEST_ARGS)

test-browser: $(STAMP) $(NODE_STAMP) ## Run only the browser tests (Chromium: journeys, CSP, axe, reflow, HTML validity)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

source-digests: $(STAMP) ## Digest the source articles (../shared/seeds) for the copy check in the tests
	DJANGO_DEBUG=true $(BIN)/python manage.py shell -c "from education.content_checks import write_source_digests; write_source_digests('../shared/seeds', 'tests/education/source_article_runs.txt')"

lint: $(STAMP) ## ruff (lint and format check) and the import layers (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP) ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP) ## Django's system checks and the missing-migrations check
	DJANGO_DEBUG=true $(BIN)/python manage.py check
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

screening-report: $(STAMP) ## Safety screening on the labelled sets: recall per class, false notices, misses, p95 time
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DJANGO_DEBUG=true $(BIN)/python manage.py screening_report --phrases contact/screening_data/default_phrases.txt

screening-model: $(STAMP) ## Retrain the screening word model on the training sets (writes contact/screening_data/model.json)
	DJANGO_DEBUG=true $(BIN)/python manage.py train_screening_model --with-test-set

bench: $(STAMP) ## Benchmark the pages against a bare Django view (writes docs/benchmarks.md)
	command -v wrk >/dev/null || (command -v apt-get >/dev/null && apt-get install -y wrk)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

bench-large: $(STAMP) ## Time pages, admin lists and the CSV export with 10,000 pages and 1,000,000 inquiries
	$(BIN)/python benchmarks/large_data.py $(BENCH_ARGS)

lighthouse: $(STAMP) ## Lighthouse (mobile) scores and first-view weight of the home and an education page
	cd benchmarks/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python benchmarks/lighthouse.py

scale-out-check: $(STAMP) ## Two gunicorn instances on one PostgreSQL and Redis: edits through one show on the other
	DATABASE_URL=$${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python benchmarks/scale_out.py

clean: ## Remove the virtualenv, node_modules, the local database, static files and test artifacts
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* staticfiles .pytest_cache test-artifacts
