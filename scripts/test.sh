#!/usr/bin/env bash
# `make test`: the suite on SQLite, then on PostgreSQL (a fresh test database each run).
# Without a reachable PostgreSQL the second part is skipped and says so; under CI (CI=true) that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${RENDEZ_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/rendez}"
PYTEST_ARGS=(-q -p no:cacheprovider --create-db "$@")

postgres_reachable() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(sys.argv[1])
try:
    psycopg.connect(urlunsplit(url._replace(path="/postgres")), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

# Asked first, so that the SQLite part's summary can say whether the PostgreSQL-only tests it leaves out run
# next or not at all (conftest.py reads RENDEZ_TEST_POSTGRES_NEXT).
if postgres_reachable; then POSTGRES_NEXT=1; else POSTGRES_NEXT=0; fi

echo "== Rendez tests on SQLite =="
env -u DATABASE_URL RENDEZ_TEST_POSTGRES_NEXT="$POSTGRES_NEXT" "$BIN/pytest" "${PYTEST_ARGS[@]}"

echo "== Rendez tests on PostgreSQL ($PG_URL) =="
if [ "$POSTGRES_NEXT" = 1 ]; then
  # The emulators touch no database: their tests ran above and would only run again.
  DATABASE_URL="$PG_URL" "$BIN/pytest" "${PYTEST_ARGS[@]}" \
    --ignore=zoom_emulator --ignore=google_emulator --ignore=microsoft_emulator
else
  echo "PostgreSQL part SKIPPED: no PostgreSQL at $PG_URL (set RENDEZ_TEST_POSTGRES_URL to run it)."
  if [ "${CI:-}" = "true" ]; then
    echo "Under CI nothing may be skipped." >&2
    exit 1
  fi
fi
