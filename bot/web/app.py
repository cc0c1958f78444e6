"""aiohttp web server for the chat page in `channels/web/` and the staff review tool.

It serves the page and its assets, and the page's socket.io sessions, whose
messages it relays to Rasa (bot/web/chat_relay.py). The staff review tool
(bot/review) is mounted under /review/.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.gc_tuning import freeze_startup_objects
from bot.http_limits import bounded_bodies
from bot.log_privacy import PathOnlyAccessLogger
from bot.privacy.logs import install_log_redaction
from bot.review.app import setup_review
from bot.settings import MAX_REQUEST_BYTES, REPO_ROOT, Settings, get_settings
from bot.web.chat_relay import setup_chat_relay

WEB_ROOT = REPO_ROOT / "channels" / "web"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():  # a page may set a stricter or different policy itself
        response.headers.setdefault(name, value)
    return response


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[bounded_bodies, security_headers], client_max_size=MAX_REQUEST_BYTES)

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_ROOT / "index.html")

    async def config(_: web.Request) -> web.Response:
        return web.json_response({"defaultLanguage": settings.default_language})

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/", index)
    app.router.add_get("/config.json", config)
    app.router.add_get("/healthz", health)
    app.router.add_static("/static/", WEB_ROOT / "static", follow_symlinks=False)
    setup_review(app, settings)
    setup_chat_relay(app, settings)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the chat page.")
    settings = get_settings()
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.web_port)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    install_log_redaction()  # access log lines and errors may carry what someone typed
    # A chat page's pending long poll would hold a graceful stop for a minute; the page reconnects.
    app = create_app(settings)
    freeze_startup_objects()
    web.run_app(app, host=args.host, port=args.port, print=None, shutdown_timeout=2.0,
                access_log_class=PathOnlyAccessLogger)


if __name__ == "__main__":
    main()
