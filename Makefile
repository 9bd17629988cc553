# Recrutement PVD — the commands a newcomer needs (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
INSTALLED := $(VENV)/.installed

.PHONY: install run test test-fast fuzz quality fix migration bench smoke soak screenshots clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

## Serve the platform on http://127.0.0.1:5000 with demo data, the worker and a mail catcher.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(PY) scripts/run_dev.py

## Every test: on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set; spread
## over the machine's cores (pytest-xdist: each worker has its own database, mail
## server and browser; an idle worker takes tests queued for a busy one).
PARALLEL := -n auto --dist worksteal
test: install
	env -u TEST_DATABASE_URL $(PY) -m pytest $(PARALLEL)
	if [ -n "$$TEST_DATABASE_URL" ]; then $(PY) -m pytest $(PARALLEL); fi

## The suite without the browser tests, on SQLite only.
test-fast: install
	env -u TEST_DATABASE_URL $(PY) -m pytest -m "not e2e" $(PARALLEL)

## The fuzzing harness with every hostile value on every field (the suite runs a seeded
## sample): SQLite, then PostgreSQL when TEST_DATABASE_URL is set. FUZZ_SEED=N to vary.
fuzz: install
	env -u TEST_DATABASE_URL FUZZ_CASES=all $(PY) -m pytest tests/fuzz
	if [ -n "$$TEST_DATABASE_URL" ]; then FUZZ_CASES=all $(PY) -m pytest tests/fuzz; fi

## Format, lint, types (mypy, configured in pyproject.toml), migration drift and the
## dependency audit (skipped, saying so, when no advisory service answers).
quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) scripts/check_migrations.py
	$(PY) scripts/audit_dependencies.py

fix: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Every performance figure in one run: search latency at 1,000, 10,000 and 50,000
## offers (Whoosh against SQL LIKE; SQL statements and CPU per /offres request), pages
## and the dashboard under gunicorn as ratios to /robots.txt (wrk when installed), the
## index rebuild (time, CPU, peak memory), publish latency and index lag. One table and
## the issue's goals; a JSON report under instance/bench/ (compare two with
## `$(PY) -m scripts.bench --compare OLD.json NEW.json`). `make bench QUICK=1`: short run.
bench: install
	$(PY) -m scripts.bench $(if $(QUICK),--quick)

## The platform started the production way and checked end to end over HTTPS:
## APP_ENV=production, a PostgreSQL database of its own (dropped after), gunicorn with
## deploy/gunicorn.conf.py, the worker, nginx with deploy/nginx/recrutement.conf and a
## local SMTP server. Needs nginx, openssl and PostgreSQL (SMOKE_DATABASE_SERVER,
## default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
smoke: install
	$(PY) scripts/smoke.py

## The soak drill for 5 minutes (the suite runs it for 45 s): the demo on two gunicorn
## processes (deploy/gunicorn.conf.py, APP_ENV=production) and two workers, one database,
## a local SMTP server; candidates search and apply, employers move applications and
## publish offers, préfectures decide cofunding requests. Fails on any 5xx, a mail not
## received exactly once or an index lag p95 over 5 s; prints the figures. On
## PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise; SOAK_SECONDS=N to vary.
soak: install
	SOAK_SECONDS=$${SOAK_SECONDS:-300} $(PY) -m pytest tests/drills/test_soak.py -s

## Each role's main pages at 1280 and 360 px, and the decision PDF (its first page as
## PNG with pdftoppm), from a throw-away demo instance, into instance/screenshots/.
screenshots: install
	$(PY) scripts/screenshots.py

## Generate a migration after a model change: make migration m="what changed"
migration: install
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
