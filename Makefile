# Two commands do all set-up: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PYTEST := $(PY) -m pytest
CHROMIUM ?= /usr/bin/chromium
export MENTORBY_ENV ?= development
#: `make run PORT=5050` when 5000 is taken (on macOS the AirPlay receiver holds it).
PORT ?= 5000

.PHONY: install translations run worker test lint test-databases test-sqlite-and-browser test-sqlite test-postgres test-browser browser bench clean

$(VENV)/.installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations

run: install
	$(FLASK) db upgrade
	PORT=$(PORT) $(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

worker: install
	$(VENV)/bin/huey_consumer mentorby.tenants.tasks.huey --workers 2

lint: install
	$(VENV)/bin/ruff check .

test: install lint browser
	$(MAKE) -j2 --output-sync=target test-postgres test-sqlite-and-browser

# On two cores the PostgreSQL run waits on its server as much as it computes, so the SQLite run and then the browser
# tests (their own SQLite database behind a live server) go beside it: the PostgreSQL run is the longest alone. Each
# side prints its output when it ends (--output-sync).
test-sqlite-and-browser: install browser
	$(MAKE) test-sqlite
	$(MAKE) test-browser

# Both databases' suites at once, without the browser.
test-databases: install
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: install
	MENTORBY_ENV=testing TEST_DATABASE=sqlite $(PYTEST) -q -m "not browser"

test-postgres: install
	@if pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 || $(PY) -c "import psycopg; psycopg.connect('host=127.0.0.1 user=postgres dbname=postgres').close()" 2>/dev/null; then \
		MENTORBY_ENV=testing TEST_DATABASE=postgresql $(PYTEST) -q -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required under CI but no server answers on 127.0.0.1:5432." >&2; exit 1; \
	else \
		echo "Skipping the PostgreSQL run: no server on 127.0.0.1:5432 (start one, or run under CI=true to make it required)."; \
	fi

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's Chromium for the browser tests..."; \
			(apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
		else \
			echo "The browser tests need Debian's Chromium at $(CHROMIUM): sudo apt-get install chromium" >&2; exit 1; \
		fi; \
	fi

test-browser: install browser
	MENTORBY_ENV=testing CHROMIUM=$(CHROMIUM) $(PYTEST) -q -m browser tests/browser

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) instance/*.sqlite translations/*/LC_MESSAGES/*.mo
