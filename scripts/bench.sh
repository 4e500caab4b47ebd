#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures as JSON lines. The PostgreSQL ones need a server at
# RENDEZ_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/...); they create their own databases.
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${RENDEZ_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
.venv/bin/python bench/availability.py
.venv/bin/python bench/availability.py --database-url "$PG/rendez_bench_availability"
.venv/bin/python bench/booking.py --database-url "$PG/rendez_bench"
if [ -f bench/jobs.py ]; then .venv/bin/python bench/jobs.py; fi
.venv/bin/python bench/meetings.py --database-url "$PG/rendez_bench_meetings"
.venv/bin/python bench/series_bench.py --database-url "$PG/rendez_bench_series"
.venv/bin/python bench/observability.py
.venv/bin/python bench/observability.py --database-url "$PG/rendez_bench_observability"
.venv/bin/python bench/panel.py --database-url "$PG/rendez_panel_bench"
