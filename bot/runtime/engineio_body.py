"""The web server's engine.io requests with a body that is read whole (the patch
`engineio_whole_body`, bot/runtime/patches.py).

python-engineio 4.4 reads a long-polling POST with one `read(n)`, which returns
what has arrived so far: a long chat message that came in pieces was cut and
lost (seen in CI with a 100 KB message).
"""

from __future__ import annotations

import asyncio
from typing import Any


class WholeBody:
    """A request body whose `read(n)` waits for all n bytes."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    async def read(self, length: int = -1) -> bytes:
        if length is None or length < 0:
            return await self.stream.read()
        try:
            return await self.stream.readexactly(length)
        except asyncio.IncompleteReadError as error:  # the client stopped sending: what there is
            return error.partial


def with_whole_body(environ: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ engine.io made from a request, its body read whole."""
    environ["wsgi.input"] = WholeBody(environ["wsgi.input"])
    return environ
