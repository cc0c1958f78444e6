"""The action server: rasa_sdk's app behind a bearer token, refusing to listen beyond loopback without one.

`python -m bot.action_server --actions actions --port 5055` takes rasa_sdk's own arguments. Rasa
calls /webhook with `Authorization: Bearer <ACTION_SERVER_TOKEN>` (the launcher adds the header to
the action endpoint, bot/runtime/endpoints.py); with a token set, every call but /health without
it gets 401. A failing action's 500 carries no part of the request (rasa_sdk's would echo the
tracker). Without ACTION_SERVER_TOKEN the server binds loopback only (SANIC_HOST, else
127.0.0.1): anything else is refused at start. docs/security.md.
"""

from __future__ import annotations

import hmac
import logging
import os

from sanic import response
from sanic.request import Request

from bot.settings import is_loopback

PUBLIC_PATHS = frozenset({"/health"})
logger = logging.getLogger(__name__)


def require_token(token: str):  # type: ignore[no-untyped-def]
    """A Sanic request middleware answering 401 unless the Authorization header shows `token`."""
    expected = f"Bearer {token}".encode()

    async def check(request: Request):  # type: ignore[no-untyped-def]
        if request.path in PUBLIC_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "the action server needs its bearer token"}, status=401)
        return None

    return check


async def opaque_error(request: Request, exception: Exception):  # type: ignore[no-untyped-def]
    """An action that failed: 500 without the request. rasa_sdk's own handler answers with the whole
    request body (the conversation's tracker) and logs it; this one names only the exception's type."""
    logger.error("action server: %s while handling %s", type(exception).__name__, request.path)
    return response.json({"error": "the action failed"}, status=500)


def main() -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_app, create_argument_parser

    parser = create_argument_parser()
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST") or "127.0.0.1")
    args = parser.parse_args()
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if not token and not is_loopback(args.host):
        parser.error("serving beyond loopback needs ACTION_SERVER_TOKEN (docs/security.md)")
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel,
                                 args.logging_config_file)
    utils.update_sanic_log_level()
    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    app.exception(Exception)(opaque_error)  # registered after rasa_sdk's, so it is the one used
    if token:
        app.register_middleware(require_token(token), "request")
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
