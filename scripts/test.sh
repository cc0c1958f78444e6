#!/usr/bin/env bash
# The project's checks: data validation, lint (ruff, hadolint), pytest (unit, contract, integration
# over real HTTP, conversation tests per language), then the conversation tests and two integration
# files again with every patch of library internals switched off. Exits non-zero on any failure,
# including pytest collecting no tests (exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore

echo "== rasa data validate"
# The domain with the FAQ answers generated from knowledge/ (written by `make train`).
.venv/bin/python -m rasa data validate --fail-on-warnings --config config.yml --domain var/generated/domain.yml --data data

echo "== ruff"
.venv/bin/ruff check bot actions tests bench channels deploy

echo "== hadolint"
.venv/bin/hadolint Dockerfile

echo "== pytest"
.venv/bin/python -m pytest "$@"

# The same answers with every patch of library internals switched off (bot/runtime/patches.py),
# run against stock Rasa code: the REST conversations, booking in the chat, and the conversation
# tests (tests/conversations) replayed over REST (about 5 s more than the first two files alone).
# `rasa test core` is not repeated: it never runs the launcher, so it is always stock.
if [ $# -eq 0 ]; then
  echo "== pytest, every patch switched off (RASA_PATCHES_DISABLED=all)"
  RASA_PATCHES_DISABLED=all .venv/bin/python -m pytest -q \
    tests/integration/test_rest_conversations.py tests/integration/test_booking_chat.py \
    tests/integration/test_conversation_stories.py::test_stories_over_rest \
    tests/integration/test_booking_contact.py::test_the_conversation_stories_change_what_they_say_and_nothing_else
fi
