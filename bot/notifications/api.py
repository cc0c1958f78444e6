"""Backend module for notifications: starts the dispatcher that sends due outbox messages."""

from __future__ import annotations

from aiohttp import web

OPENAPI_PATHS: dict = {}
OPENAPI_SCHEMAS: dict = {}


def setup(app: web.Application, context) -> None:  # type: ignore[no-untyped-def]
    """Placeholder until the dispatcher lands: messages stay in the outbox."""
