#!/usr/bin/env bash
# The whole suite, on the embedded SQLite database and on PostgreSQL when it is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
# One pytest worker per core (pytest-xdist). Its default load distribution keeps the tests of
# the shared demo (tests/conftest.py, `demo`) on one worker, so the demo is built once.
PYTEST=(.venv/bin/pytest -q -p no:cacheprovider -n "${TEST_WORKERS:-auto}" "$@")
PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

.venv/bin/ruff check --quiet .
# Types of the service layer (every rule and write) and the kit it builds on.
GONGJIAN_VAR="${GONGJIAN_VAR:-var}" .venv/bin/mypy --no-error-summary \
  src/gongjian/core/workflow.py src/gongjian/core/notifications.py \
  src/gongjian/*/services.py

echo "== SQLite =="
env -u DATABASE_URL "${PYTEST[@]}"

if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
PY
then
  echo "== PostgreSQL =="
  DATABASE_URL="$PG_URL" "${PYTEST[@]}"
else
  echo "PostgreSQL at $PG_URL is not reachable: skipped the PostgreSQL run." >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
