# The two README commands are `make run` and `make test`; everything else is what they build on.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the links in e-mails start with, and that `make run` prints: the port served (make run PORT=8101).
SITE_URL ?= http://$(HOST):$(PORT)
export PYTHAINLP_READ_ONLY := 1
# Python may keep the compiled project modules (__pycache__/, ignored by git), whatever the shell says: with
# PYTHONDONTWRITEBYTECODE set (this project's machines set it), every test worker, every server and every
# manage.py compiled the project and rewrote the tests' asserts again: ~5 s more for each worker to start.
export PYTHONDONTWRITEBYTECODE :=

# Debian packages: the app's PDF engine (Pango comes with the base image; harfbuzz-subset makes
# font subsetting fast), gettext for compilemessages; the tests also need pdftotext, Chromium and a
# Redis server of their own (the shared-cache tests start one).
DEBS_RUN := gettext libharfbuzz-subset0
DEBS_TEST := $(DEBS_RUN) poppler-utils chromium fonts-dejavu-core redis-server
# The PDF benchmark compares with LibreOffice converting an equivalent DOCX; the load benchmark drives
# gunicorn with wrk, on PostgreSQL with Redis as the shared cache; the DOCX fonts check needs pdffonts and DejaVu.
DEBS_BENCH := $(DEBS_RUN) libreoffice-writer-nogui poppler-utils fonts-dejavu-core wrk redis-server postgresql-client

.PHONY: run test setup setup-test messages serve-setup bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

messages:
	cd . && $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(VENV)/.installed-run
	scripts/ensure-debs.sh $(DEBS_RUN)
	DEBUG=true $(MAKE) --no-print-directory messages

setup-test: $(VENV)/.installed-test
	scripts/ensure-debs.sh $(DEBS_TEST)
	DEBUG=true $(MAKE) --no-print-directory messages

serve-setup: setup
	DEBUG=true $(BIN)/python manage.py migrate --noinput -v 0
	DEBUG=true $(BIN)/python manage.py load_ita_catalogue
	DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo

# A worker (`db_worker`: published PDFs, e-mails) runs beside the server and stops with it.
run: serve-setup
	@echo "Serving on $(SITE_URL)/ with a background worker (Ctrl-C stops both)"
	DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py db_worker --no-reload --interval 1 -v 0 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The layers of the apps (.importlinter, docs/ARCHITECTURE.md): an upward or sideways import fails the build.
# The suite runs in parallel (pytest-xdist): one worker per core, each with its own test database, a test
# file stays on one worker (its module fixtures are built once). `make test PYTEST_ARGS=-n0` runs it in
# one process; PYTEST_ARGS also takes test paths and options (-k, --durations=20, ...).
TEST_WORKERS ?= auto
test: setup-test
	scripts/audit.sh
	$(BIN)/lint-imports --no-cache
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Known vulnerabilities in the pinned requirements; AUDIT_REQUIRED=1 fails when no data can be fetched.
audit: $(VENV)/.installed-test
	scripts/audit.sh

# PDF render time, pages and memory for 10/15/50/200 measures, against LibreOffice (bench/pdf_bench.py);
# then the national data set (seed_scale) served by gunicorn under wrk, against static files of the same
# sizes (bench/load_bench.py; PostgreSQL at 127.0.0.1:5432, database ita_scale). In between, LibreOffice
# without Sarabun (fontconfig sees only DejaVu) must draw the DOCX export in its embedded Sarabun
# (bench/docx_fonts_check.py). The OIT link checker over 10,000 links of local servers (bench/linkcheck_bench.py).
bench: $(VENV)/.installed-test
	scripts/ensure-debs.sh $(DEBS_BENCH)
	DEBUG=true $(MAKE) --no-print-directory messages
	$(BIN)/python bench/pdf_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/docx_fonts_check.py
	$(BIN)/python bench/linkcheck_bench.py
	$(BIN)/python bench/load_bench.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
