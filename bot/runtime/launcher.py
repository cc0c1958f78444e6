"""The one way this project starts a Rasa server: local (bot/supervisor.py), scale-out
(deploy/scale.py) and the container image (Dockerfile) all run

    python -m bot.runtime --model models/x.tar.gz --endpoints endpoints.yml ...

with `rasa run`'s own options (a leading `run` is allowed, as Rasa's Helm chart
passes it). Before Rasa starts, in the process whose
workers Sanic forks, the launcher

1. checks that the installed Rasa, rasa-sdk, Sanic and python-engineio are the
   versions requirements.lock pins; if not, it installs no patch, says why in
   the log and runs stock Rasa;
2. installs the Rasa server's patches from the registry (bot/runtime/patches.py),
   except those RASA_PATCHES_DISABLED switches off, and logs each;
3. gives Rasa the endpoints it was given, plus a shared lock store when
   SANIC_WORKERS > 1 and they name none (bot/runtime/endpoints.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.runtime.endpoints import effective_endpoints
from bot.runtime.patches import install_patches, log_to_stderr, logger
from bot.settings import action_server_token, get_settings


def _workers() -> int:
    try:
        return int(os.environ.get("SANIC_WORKERS") or 1)
    except ValueError:
        return 1


def prepare(arguments: list[str]) -> list[str]:
    """Checks versions, installs the patches, writes the endpoints; returns `rasa run`'s arguments."""
    log_to_stderr()
    if arguments[:1] == ["run"]:  # as Rasa's Helm chart passes them (`rasa run ...`)
        arguments = arguments[1:]
    settings = get_settings()
    # The endpoints send the action server's token as ${ACTION_SERVER_TOKEN}: Rasa must find it set.
    os.environ.setdefault("ACTION_SERVER_TOKEN", action_server_token())
    install_patches("rasa", settings.rasa_patches_disabled)
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--endpoints", default="endpoints.yml")
    known, rest = parser.parse_known_args(arguments)
    source = Path(known.endpoints)
    lock_db = Path(os.environ.get("RASA_LOCK_DB") or settings.tracker_db.parent / "locks.db")
    endpoints = effective_endpoints(source, _workers(), lock_db, lock_db.parent / "endpoints-workers.yml")
    if endpoints != source:
        logger.info("Endpoints %s with a shared lock store for %d workers: %s", source, _workers(), endpoints)
    return ["run", *rest, "--endpoints", str(endpoints)]


def main(arguments: list[str] | None = None) -> None:
    rasa_arguments = prepare(sys.argv[1:] if arguments is None else arguments)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_arguments]
    rasa_main()
