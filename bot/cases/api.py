from aiohttp import web

OPENAPI_PATHS: dict = {}
OPENAPI_SCHEMAS: dict = {}


def setup(app: web.Application, context) -> None:  # type: ignore[no-untyped-def]
    """Placeholder."""
