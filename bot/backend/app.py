"""The backend service: shared middleware, the token check, and each module's routes.

Modules (`MODULES`) each provide `setup(app, context)` to add their routes and
background tasks, and `OPENAPI_PATHS` / `OPENAPI_SCHEMAS` for the API
description served at /openapi.json.
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import logging
import os
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.backend.db import Database
from bot.backend.errors import error_response, json_errors
from bot.gc_tuning import freeze_startup_objects
from bot.http_limits import bounded_bodies
from bot.privacy.logs import install_log_redaction
from bot.settings import MAX_REQUEST_BYTES, Settings, backend_token, get_settings, is_loopback

MODULES = ("bot.notifications.api", "bot.booking.api", "bot.cases.api", "bot.backend.retention")
PUBLIC_PATHS = frozenset({"/healthz", "/openapi.json"})
CONTEXT = web.AppKey("context", object)


@dataclass
class BackendContext:
    """What every module's handlers need."""

    settings: Settings
    db: Database
    token: str


def client_key(request: web.Request) -> str:
    """Whom rate limits count against: the caller's forwarded client id, else its address."""
    return request.headers.get("X-Client-Id", "")[:128] or (request.remote or "unknown")


def token_check(token: str):  # type: ignore[no-untyped-def]
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def require_token(request: web.Request, handler):  # type: ignore[no-untyped-def]
        if request.path not in PUBLIC_PATHS:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return error_response(401, "unauthorized", "A valid bearer token is required.")
        return await handler(request)

    return require_token


def openapi_document(modules: list[Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/healthz": {"get": {"summary": "Liveness", "security": [],
                             "responses": {"200": {"description": "The service is up"}}}},
    }
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["error", "message"],
                  "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
    }
    for module in modules:
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Migri assistant backend", "version": "1.0.0",
                 "description": "Appointment booking and the application case register."},
        "servers": [{"url": "/"}],
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def create_app(settings: Settings, db: Database | None = None, token: str | None = None) -> web.Application:
    token = token or backend_token()
    database = db or Database(settings.backend_db_url)
    app = web.Application(middlewares=[bounded_bodies, json_errors, token_check(token)],
                          client_max_size=MAX_REQUEST_BYTES)
    context = BackendContext(settings, database, token)
    app[CONTEXT] = context
    modules = [importlib.import_module(name) for name in MODULES]

    async def create_schema(_: web.Application) -> None:
        database.create_schema()

    app.on_startup.append(create_schema)
    for module in modules:
        module.setup(app, context)
    document = openapi_document(modules)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/healthz", health)
    app.router.add_get("/openapi.json", openapi)
    if db is None:
        async def close_database(_: web.Application) -> None:
            database.close()

        app.on_cleanup.append(close_database)
    return app


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Serve the booking and case-register backend.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.backend_port)
    args = parser.parse_args()
    if not is_loopback(args.host) and not os.environ.get("BACKEND_TOKEN"):
        parser.error("serving beyond loopback needs BACKEND_TOKEN set by the operator (docs/security.md)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    install_log_redaction()  # access log lines and errors may carry what someone typed
    app = create_app(settings)
    freeze_startup_objects()
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
