# Two commands do everything: `make run` and `make test`. The rest are helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
PORT ?= 5000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test e2e install lint migrate courses demo bench clean loadtest messages translations check-translations

# The interface's translations: lms/translations/<code>/LC_MESSAGES/messages.po, compiled here, never committed.
CATALOGUES := $(wildcard lms/translations/*/LC_MESSAGES/messages.po)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.12 for example")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --domain messages --input-file $< --output-file $@

translations: $(CATALOGUES:.po=.mo)

# After changing interface text: extract lms/translations/messages.pot from the code and merge it into every catalogue
# (tools/check_translations.py holds the extraction's options; `make lint` checks that both are up to date).
messages: install
	$(BIN)/python tools/check_translations.py --extract lms/translations/messages.pot
	$(BIN)/pybabel update --domain messages --input-file lms/translations/messages.pot \
		--output-dir lms/translations --ignore-obsolete

# Every catalogue complete: no untranslated or fuzzy entry (counts per language). `make lint` runs it too.
check-translations: install
	$(BIN)/python tools/check_translations.py --complete

migrate: install translations
	$(FLASK) db upgrade

courses: migrate
	@if $(FLASK) lms --help | grep -q ' import-all'; then $(FLASK) lms import-all; fi

demo: courses
	$(FLASK) lms demo

# The web server and, in the background, one worker (mail and scheduled jobs); Ctrl+C stops both.
run: courses demo
	@echo "Serving on http://127.0.0.1:$(PORT) with a worker for mail and scheduled jobs (Ctrl+C stops both)"
	@$(FLASK) lms worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install translations
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(BIN)/python -m coverage report

# The browser tests (tests/e2e): Debian's Chromium at /usr/bin/chromium and axe-core from npm; see docs/development.md.
e2e: install translations
	@test -d node_modules/axe-core || npm ci
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python tools/check_translations.py --complete

bench: migrate
	@for script in bench/bench_*.py; do [ "$$script" = bench/bench_instances.py ] || $(BIN)/python $$script; done; true

# Two gunicorn instances on one PostgreSQL and Redis, 200 simulated learners (needs both running; see docs/benchmarks.md).
loadtest: install translations
	$(BIN)/python bench/bench_instances.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) .coverage .pytest_cache .ruff_cache
