"""How the action server calls the backend: JSON over HTTP with the service token.

Connection failures, timeouts and 5xx answers all raise `BackendUnavailable`,
so an action can tell the user plainly that the service is down right now;
4xx answers come back as (status, body) for the action to explain.
"""

from __future__ import annotations

import hashlib
from typing import Any

import aiohttp

from bot.settings import Settings, backend_token, get_settings


class BackendUnavailable(Exception):
    """The backend could not be reached or failed; nothing was confirmed."""


def client_id(conversation_id: str) -> str:
    """A stable, non-reversible id for rate limits per conversation."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:32]


class BackendClient:
    def __init__(self, settings: Settings | None = None, token: str | None = None) -> None:
        settings = settings or get_settings()
        self.base_url = settings.backend_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=settings.backend_timeout)
        self.headers = {"Authorization": f"Bearer {token or backend_token()}"}
        self._session: aiohttp.ClientSession | None = None

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self.headers, timeout=self.timeout)
        return self._session

    async def request(self, method: str, path: str, json: dict[str, Any] | None = None,
                      params: dict[str, Any] | None = None, conversation_id: str | None = None,
                      ) -> tuple[int, dict[str, Any]]:
        headers = {"X-Client-Id": client_id(conversation_id)} if conversation_id else {}
        try:
            async with self._client_session().request(method, self.base_url + path, json=json,
                                                      params=params, headers=headers) as response:
                body = await response.json(content_type=None)
                if response.status >= 500:
                    raise BackendUnavailable(f"{method} {path}: {response.status}")
                return response.status, body if isinstance(body, dict) else {"items": body}
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise BackendUnavailable(f"{method} {path}: {error!r}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


_shared: BackendClient | None = None


def shared_client() -> BackendClient:
    """One client (and connection pool) per action-server process."""
    global _shared
    if _shared is None:
        _shared = BackendClient()
    return _shared
