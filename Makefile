# BGT: `make run` serves the site locally, `make test` runs everything CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Two workers on the machine's two cores (pytest-xdist); each MongoDB-leg worker has a
# SecantusDB server of its own.
PYTEST_ARGS ?= -n 2 --dist worksteal
SECANTUS_SERVERS ?= 2

.PHONY: help run demo serve test test-sqlite test-mongodb lint format bench loadtest lighthouse clean vendor-plotly messages compile-messages

help:
	@echo "make run      serve on http://127.0.0.1:8000 (SQLite; DEMO=1 seeds demo data)"
	@echo "make demo     make run with the demo patient, physician and administrator"
	@echo "make serve    production settings with gunicorn on http://localhost:8000"
	@echo "make test     lint, migration checks, the test suite on SQLite and on MongoDB"
	@echo "make bench    performance benchmarks (medians against DESIGN.md section 8)"
	@echo "make loadtest concurrent clients against gunicorn on SQLite and MongoDB"
	@echo "make lighthouse  Lighthouse mobile scores of the landing, login, dashboard, readings pages"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit("BGT needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

# The first `make run` installs ~60 packages: pip shows each one as it goes (no --quiet),
# so a first run is not a silent minute.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	@echo "Installing BGT's dependencies into $(VENV) (first run only; about a minute)..."
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

# The translations (.po, committed) are compiled to .mo on every run; only changed ones.
compile-messages: $(VENV)/.runtime-installed
	@$(PY) bin/compile-messages

# Extract every marked string into the catalogs of the project (locale/) and of each app
# (<app>/locale/), for each language of settings.LANGUAGES. Needs GNU gettext.
MESSAGE_LANGUAGES := de fr es it nl
messages: $(VENV)/.dev-installed
	@bin/ensure-gettext
	$(PY) manage.py makemessages --no-obsolete --no-location --ignore .venv --ignore var \
		$(addprefix -l ,$(MESSAGE_LANGUAGES))
	$(PY) manage.py makemessages -d djangojs --no-obsolete --no-location --ignore .venv \
		--ignore var --ignore 'static/vendor/*' --ignore staticfiles $(addprefix -l ,$(MESSAGE_LANGUAGES))
	@$(PY) bin/compile-messages

run: compile-messages
	$(PY) manage.py migrate --noinput
ifdef DEMO
	$(PY) manage.py seed_demo
endif
	$(PY) manage.py runserver 127.0.0.1:8000

demo:
	@$(MAKE) --no-print-directory run DEMO=1

# Production settings on this machine: DEBUG off, collected and compressed static files,
# gunicorn workers. Plain HTTP on localhost (no TLS redirect); a random secret key is kept
# in var/secret-key. Mail goes to the console.
SERVE_ENV = DJANGO_DEBUG=False DJANGO_SECRET_KEY="$$(cat var/secret-key)" \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=False \
	EMAIL_URL=$${EMAIL_URL:-consolemail://}

serve: compile-messages
	@mkdir -p var && test -s var/secret-key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > var/secret-key
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(BIN)/gunicorn -c gunicorn.conf.py bgt.wsgi

# Style, then the architecture: an import that climbs a layer or crosses to a sibling
# (.importlinter) fails the build.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Both legs always run; the target fails if either does.
test: $(VENV)/.dev-installed
	@$(MAKE) --no-print-directory lint
	@bin/ensure-chromium
	@bin/ensure-gettext
	@bin/ensure-report-libs
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-mongodb || status=1; \
	exit $$status

test-sqlite: $(VENV)/.dev-installed compile-messages
	@echo "=== SQLite leg"
	@start=$$(date +%s); \
	$(PY) manage.py makemigrations --check --dry-run && \
	$(PY) manage.py check --database default --fail-level WARNING && \
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	echo "=== SQLite leg: $$(( $$(date +%s) - start )) s, exit $$status"; exit $$status

test-mongodb: $(VENV)/.dev-installed compile-messages
	@echo "=== MongoDB leg (SecantusDB, in memory)"
	@start=$$(date +%s); \
	$(PY) bin/with-secantusdb --servers $(SECANTUS_SERVERS) sh -c '\
		$(PY) manage.py makemigrations --check --dry-run && \
		$(PY) manage.py check --database default --fail-level WARNING && \
		$(PY) -m pytest $(PYTEST_ARGS)'; status=$$?; \
	echo "=== MongoDB leg: $$(( $$(date +%s) - start )) s, exit $$status"; exit $$status

# SQLite, then the workloads Nightscout also serves (bench/bench_nightscout.py) on SecantusDB,
# then issue 21's last row: 20 uploaders for 30 s on each leg (make loadtest). BENCH=name
# runs that module on SQLite only.
bench: $(VENV)/.dev-installed
	@bin/ensure-report-libs
	@status=0; \
	$(PY) bench/run.py $(BENCH) || status=1; \
	if [ -z "$(BENCH)" ]; then \
		$(PY) bin/with-secantusdb $(PY) bench/run.py nightscout || status=1; \
		$(PY) bench/load_test.py || status=1; \
		$(PY) bin/with-secantusdb $(PY) bench/load_test.py || status=1; \
	fi; \
	exit $$status

# Lighthouse (mobile preset) on the landing, login, dashboard and readings pages under
# production settings; Lighthouse 12.2.3 in var/tools (13.x needs Node 22), never global.
LIGHTHOUSE_BIN = var/tools/node_modules/.bin/lighthouse
$(LIGHTHOUSE_BIN):
	mkdir -p var/tools
	cd var/tools && npm install --save-exact --no-audit --no-fund lighthouse@12.2.3

lighthouse: $(VENV)/.dev-installed $(LIGHTHOUSE_BIN)
	$(PY) bench/lighthouse.py $(PAGES)

# 20 clients for 30 s against gunicorn on SQLite, then on MongoDB (SecantusDB).
loadtest: $(VENV)/.dev-installed
	$(PY) bench/load_test.py
	$(PY) bin/with-secantusdb $(PY) bench/load_test.py

# The browser's plotly.js: the basic partial bundle from npm (static/vendor/README.md says
# why). Keep PLOTLY_JS_VERSION equal to the plotly.js inside the pinned plotly PyPI package.
PLOTLY_JS_VERSION ?= 4.1.1
vendor-plotly:
	rm -rf var/npm-plotly && mkdir -p var/npm-plotly
	cd var/npm-plotly && npm pack --silent plotly.js-basic-dist-min@$(PLOTLY_JS_VERSION) >/dev/null \
		&& tar xzf plotly.js-basic-dist-min-$(PLOTLY_JS_VERSION).tgz
	cp var/npm-plotly/package/plotly-basic.min.js static/vendor/plotly-basic.min.js
	cp var/npm-plotly/package/LICENSE static/vendor/plotly-basic.LICENSE
	@sha256sum static/vendor/plotly-basic.min.js
	@echo "Put the version and sha256 above in static/vendor/README.md."

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
