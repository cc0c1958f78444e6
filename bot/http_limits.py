"""The request body limit of our aiohttp servers (web server, backend), checked before anything reads.

aiohttp's own `client_max_size` covers only bodies read whole; python-engineio
reads the socket.io long-polling stream itself. So every request is checked
here on its headers: a body over MAX_REQUEST_BYTES gets 413 and one without a
Content-Length (chunked) 411, at once, without being read. (Rasa's servers get
the same limit from Sanic: SANIC_REQUEST_MAX_SIZE, set by bot/supervisor.py.)
"""

from __future__ import annotations

from aiohttp import web

from bot.settings import MAX_REQUEST_BYTES


@web.middleware
async def bounded_bodies(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return web.json_response({"error": "payload_too_large",
                                  "message": f"The request body is larger than {MAX_REQUEST_BYTES} bytes."},
                                 status=413)
    if request.content_length is None and request.body_exists:
        return web.json_response({"error": "length_required",
                                  "message": "Send the request body with a Content-Length."}, status=411)
    return await handler(request)
