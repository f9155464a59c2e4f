# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export FLASK_APP := wsgi

.PHONY: run serve image test bench install fonts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever the dependency list changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $@

install: $(VENV)/.installed

# A CJK TrueType font for invoice PDFs (issue 3); best effort, needs root and apt.
fonts:
	@sh scripts/ensure-font.sh

run: install fonts
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo
	$(BIN)/flask tokens bootstrap
	@echo "serving on http://127.0.0.1:$(PORT)  (OpenAPI: /openapi.json)"
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - wsgi:app

# Production: install, migrate (`settlement db upgrade`), serve with gunicorn -- no demo data, no apt-get.
# HOST (0.0.0.0), PORT (8000), WORKERS (2), DATABASE_URL; JSON log lines; see README "Operations".
# A database that cannot be reached: one line on stderr, exit code 2.
serve: install
	@$(BIN)/settlement serve

# The container image (Dockerfile); `docker compose up` builds and starts it with PostgreSQL.
image:
	docker build --build-arg GIT_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) -t contract-settlement .

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (issue 7): sizes S, M, L on SQLite and PostgreSQL; see bench/README.md.
BENCH_ARGS ?=
bench: install fonts
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1)); } || echo "warning: wrk not installed; the API benchmark is skipped"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
