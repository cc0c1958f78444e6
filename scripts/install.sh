#!/usr/bin/env bash
# Installs what the assistant needs: Debian packages (Voikko for Finnish lemmas)
# and the Python virtual environment from requirements.lock. With
# --with-test-tools it also installs Debian's Chromium for the browser tests, and
# PostgreSQL, Redis and nginx for the scale-out test (throwaway instances).
# Safe to re-run: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libvoikko1 voikko-fi)
if [ "${1:-}" = "--with-test-tools" ]; then
  APT_PACKAGES+=(chromium postgresql redis-server nginx)
fi
PYTHON=${PYTHON:-python3}

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is required (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv"
  "$PYTHON" -m venv .venv
fi

# uv installs the same pinned packages as pip, in parallel: about 20 s on a new machine
# instead of two minutes. Where uv cannot be fetched or fails, pip does the same install.
UV_REQUIREMENT=uv==0.13.9
stamp=.venv/.requirements.lock
if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
  echo "Installing Python packages from requirements.lock"
  if .venv/bin/python -m pip install --quiet --disable-pip-version-check "$UV_REQUIREMENT" \
      && .venv/bin/uv pip install --python .venv/bin/python --no-deps -r requirements.lock; then
    :
  else
    echo "uv was not available; installing with pip (a few minutes the first time)"
    .venv/bin/python -m pip install --progress-bar on --disable-pip-version-check --no-deps --ignore-requires-python -r requirements.lock
  fi
  cp requirements.lock "$stamp"
fi
