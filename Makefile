# mireads: `make run` to use it, `make test` to check it. Both set everything up on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run serve test lint bench clean

$(PY):
	@py=$$(bin/find-python) && echo "Using $$py" && "$$py" -m venv $(VENV)

# Reinstall only when the declared or pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	PIP_CONSTRAINT=constraints.txt $(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: export MIREADS_DEBUG ?= true
run: export MIREADS_SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	@bin/port-free $(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_catalogue
	@echo "mireads is at http://127.0.0.1:$(PORT)  (stop with Ctrl-C)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production mode for local use: debug off, gunicorn, compressed static files, plain http.
serve: export MIREADS_DEBUG := false
serve: export MIREADS_HTTPS ?= false
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export MIREADS_SITE_URL ?= http://127.0.0.1:$(PORT)
# `make serve REDIS_PORT=6380` starts a Redis of its own there (no persistence, 256 MB, least
# recently used keys evicted: what the README asks of production) and caches in it.
serve: install
	@bin/port-free $(PORT)
	@if [ -n "$(REDIS_PORT)" ]; then \
	  redis-server --bind 127.0.0.1 --port $(REDIS_PORT) --save '' --maxmemory 256mb \
	    --maxmemory-policy allkeys-lru --daemonize yes --pidfile /tmp/mireads-redis-$(REDIS_PORT).pid \
	  && for _ in $$(seq 1 30); do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.2; done; fi
	@if [ -z "$${SECRET_KEY:-}" ] && [ ! -s .secret_key ]; then \
	  $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > .secret_key; \
	  echo "Created a random SECRET_KEY in .secret_key (git-ignored) for local use."; fi
	export SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}"; \
	if [ -n "$(REDIS_PORT)" ]; then export CACHE_URL=redis://127.0.0.1:$(REDIS_PORT)/0; fi; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py load_catalogue && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	echo "mireads (production mode) is at http://127.0.0.1:$(PORT)" && \
	exec $(VENV)/bin/gunicorn mireads.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - \
	  --limit-request-line 4094 --limit-request-fields 50 --limit-request-field_size 8190 \
	  --timeout 30 --graceful-timeout 20 --keep-alive 5

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: export MIREADS_DEBUG ?= true
test: install lint
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	@# pytest exits 5 when it collected no test: that must fail the build, loudly.
	@rc=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no test; failing." >&2; fi; \
	  exit $$rc

bench: install
	$(PY) -m bench run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
