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


def _refused(status: int, error: str, message: str) -> web.Response:
    """A refusal of an unread body: the connection closes with it, so the client cannot reuse a
    connection whose unread bytes the server has dropped (it would be reset under the next request)."""
    response = web.json_response({"error": error, "message": message}, status=status,
                                 headers={"Connection": "close"})
    response.force_close()
    return response


@web.middleware
async def bounded_bodies(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return _refused(413, "payload_too_large", f"The request body is larger than {MAX_REQUEST_BYTES} bytes.")
    if request.content_length is None and request.body_exists:
        return _refused(411, "length_required", "Send the request body with a Content-Length.")
    return await handler(request)
