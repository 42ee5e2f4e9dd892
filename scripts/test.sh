#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: lint, then pytest on SQLite, then on PostgreSQL.
# Installs and starts what the tests need: Debian's chromium (browser tests), fonts (PDF), PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
command -v pg_ctlcluster >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PG_HOST=127.0.0.1
PG_PORT=5432
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
  echo "== starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  pg_isready -h "$PG_HOST" -p "$PG_PORT"
fi

echo "== ruff"
$BIN/ruff check .

echo "== pytest on SQLite"
$BIN/python -m pytest -p no:cacheprovider "$@"

echo "== pytest on PostgreSQL"
DATABASE_URL="postgres://postgres@${PG_HOST}:${PG_PORT}/treatywatch" \
  $BIN/python -m pytest -p no:cacheprovider "$@"
