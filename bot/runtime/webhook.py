"""The blueprint every webhook channel serves: GET / (health) and POST /webhook, with the
listeners each Rasa worker runs as it starts and stops (connection balancing, shared
sessions, the ready line the supervisor counts)."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.gc_tuning import freeze_startup_objects
from bot.log_privacy import install_structlog_filter
from bot.runtime import connection_balance
from bot.runtime.speedups import close_shared_sessions
from bot.settings import RASA_WORKER_READY

_announced = False


async def announce_ready(app: Any, _loop: Any) -> None:
    """Tells the supervisor this worker serves (once per process, whatever the log level)."""
    global _announced
    agent = getattr(app.ctx, "agent", None)
    if _announced or agent is None or not agent.is_ready():
        return
    _announced = True
    print(f"{RASA_WORKER_READY} (pid {os.getpid()})", file=sys.stderr, flush=True)


def webhook_blueprint(name: str, receive: Callable[[Request], Awaitable[HTTPResponse]]) -> Blueprint:
    blueprint = Blueprint(name, __name__)

    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    blueprint.add_route(health, "/", methods=["GET"])
    blueprint.add_route(receive, "/webhook", methods=["POST"])
    install_structlog_filter()  # Rasa has configured its logging by now; no typed text reaches the log
    blueprint.listener("after_server_start")(lambda _app, _loop: install_structlog_filter())
    # Rasa loads the model before its server starts; then the worker's objects are frozen (once).
    blueprint.listener("after_server_start")(freeze_startup_objects)
    blueprint.listener("after_server_start")(connection_balance.start_serving)
    blueprint.listener("after_server_start")(announce_ready)
    blueprint.listener("before_server_stop")(connection_balance.stop_serving)
    blueprint.listener("after_server_stop")(close_shared_sessions)
    return blueprint
