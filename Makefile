# SmartBot: `make demo` runs the app on embedded defaults, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo fakes test venv runtime lock lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Two hash-locked sets (make lock writes them): the runtime one for `make demo` and the image, the
# development one (runtime + tests and tools) for `make test`. pip refuses any file whose hash differs.
$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.requirements: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

runtime: $(VENV)/.runtime

venv: $(VENV)/.requirements

# Re-resolve the locks after changing requirements.in or requirements-dev.in (needs the package index).
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-header --no-emit-index-url --no-emit-find-links
lock: venv
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements.txt requirements.in
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements-dev.txt requirements-dev.in

demo: export SITE_URL ?= http://$(HOST):$(PORT)
# `make demo FAKES=1`: hh.ru, Telegram and Avito are the fake servers `make fakes` runs (docs/integrations.md).
ifeq ($(FAKES),1)
demo: export HH_CLIENT_ID ?= smartbot-demo-client
demo: export HH_CLIENT_SECRET ?= smartbot-demo-secret
demo: export HH_API_URL ?= http://127.0.0.1:8701
demo: export HH_OAUTH_URL ?= http://127.0.0.1:8701
demo: export TELEGRAM_API_URL ?= http://127.0.0.1:8702
demo: export AVITO_CLIENT_ID ?= smartbot-avito-demo-client
demo: export AVITO_CLIENT_SECRET ?= smartbot-avito-demo-secret
demo: export AVITO_API_URL ?= http://127.0.0.1:8703
demo: export AVITO_OAUTH_URL ?= http://127.0.0.1:8703
endif
demo: runtime
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "Serving SmartBot at http://$(HOST):$(PORT)/ (Ctrl-C stops the server, the worker and beat)"
	DEBUG=1 $(BIN)/celery -A smartbot worker --loglevel=INFO --pool=solo & worker=$$!; \
	DEBUG=1 $(BIN)/celery -A smartbot beat --loglevel=INFO --schedule=var/celerybeat-schedule & beat=$$!; \
	trap 'kill $$worker $$beat 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/daphne -b $(HOST) -p $(PORT) smartbot.asgi:application

# Fake hh.ru (8701), Telegram (8702) and Avito (8703) on loopback for `make demo FAKES=1`; Ctrl-C stops them.
fakes: runtime
	$(BIN)/python -m fakes --site-url http://$(HOST):$(PORT)

test: venv
	$(BIN)/pytest -n auto

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: venv
	DEBUG=1 $(BIN)/python manage.py makemessages -l ru --no-location --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs -l ru --no-location --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
