# Quick start: `make run` (demo on SQLite at http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
UV := .tools/bin/uv
PY := .venv/bin/python
GJ := .venv/bin/gongjian
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run setup assets test test-sqlite test-postgres bench lint fmt clean

# The demo's accounts sign in with a password alone; a deployment keeps the second factor on.
run: setup
	$(GJ) migrate
	$(GJ) demo --if-empty
	GONGJIAN_OTP_ENFORCE=$${GONGJIAN_OTP_ENFORCE:-0} $(GJ) serve --host $(HOST) --port $(PORT)

setup: .venv/.synced assets

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

assets: src/gongjian/static/vendor/.built

src/gongjian/static/vendor/.built: package.json package-lock.json scripts/copy_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	python3 scripts/copy_assets.py
	touch $@

test: setup
	bash scripts/test.sh

bench: setup
	$(PY) bench/run.py

lint: setup
	.venv/bin/ruff check .

clean:
	rm -rf .venv .tools node_modules src/gongjian/static/vendor
