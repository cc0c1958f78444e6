#!/usr/bin/env bash
# The project's checks: data validation, lint, pytest (unit, integration over
# real HTTP, conversation tests per language). Exits non-zero on any failure,
# including pytest collecting no tests (exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore

echo "== rasa data validate"
# The domain with the FAQ answers generated from knowledge/ (written by `make train`).
.venv/bin/python -m rasa data validate --fail-on-warnings --config config.yml --domain var/generated/domain.yml --data data

echo "== ruff"
.venv/bin/ruff check bot actions tests bench channels deploy

echo "== pytest"
.venv/bin/python -m pytest "$@"
