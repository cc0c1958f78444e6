"""The blueprint every webhook channel serves: GET / (health) and POST /webhook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.gc_tuning import freeze_startup_objects


def webhook_blueprint(name: str, receive: Callable[[Request], Awaitable[HTTPResponse]]) -> Blueprint:
    blueprint = Blueprint(name, __name__)

    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    blueprint.add_route(health, "/", methods=["GET"])
    blueprint.add_route(receive, "/webhook", methods=["POST"])
    # Rasa loads the model before its server starts; then the worker's objects are frozen (once).
    blueprint.listener("after_server_start")(freeze_startup_objects)
    return blueprint
