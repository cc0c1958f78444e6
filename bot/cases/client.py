"""How the action server calls the case register (over bot.backend.client).

Every call carries the conversation id, which the backend client turns into
the hashed X-Client-Id that rate limits and tickets are bound to. A refused
step comes back as an `Answer` with its error code; an unreachable or failing
backend raises `BackendUnavailable`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.backend.client import BackendClient, BackendUnavailable, shared_client

__all__ = ["Answer", "BackendUnavailable", "CaseClient", "channel_name"]

CHANNELS = ("socketio", "rest", "sms")


def channel_name(input_channel: str | None) -> str:
    return input_channel if input_channel in CHANNELS else "other"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def error(self) -> str | None:
        return None if self.ok else str(self.body.get("error") or "error")


class CaseClient:
    def __init__(self, backend: BackendClient | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> BackendClient:
        return self._backend or shared_client()

    async def _post(self, path: str, conversation_id: str, payload: dict[str, Any]) -> Answer:
        status, body = await self.backend.request("POST", path, json=payload, conversation_id=conversation_id)
        return Answer(status, body)

    async def start(self, conversation_id: str, customer_number: str, language: str, channel: str) -> Answer:
        return await self._post("/cases/verification/start", conversation_id,
                                {"customer_number": customer_number, "language": language, "channel": channel})

    async def give_birth_date(self, conversation_id: str, verification_id: str, birth_date: dt.date,
                              channel: str) -> Answer:
        return await self._post("/cases/verification/birth-date", conversation_id,
                                {"verification_id": verification_id, "date_of_birth": birth_date.isoformat(),
                                 "channel": channel})

    async def confirm(self, conversation_id: str, verification_id: str, code: str, channel: str) -> Answer:
        return await self._post("/cases/verification/confirm", conversation_id,
                                {"verification_id": verification_id, "code": code, "channel": channel})

    async def status(self, conversation_id: str, channel: str, ticket: str | None = None,
                     identity: dict[str, Any] | None = None) -> Answer:
        payload: dict[str, Any] = {"channel": channel}
        if identity is not None:
            payload["identity"] = identity
        else:
            payload["ticket"] = ticket or ""
        return await self._post("/cases/status", conversation_id, payload)

    async def end(self, conversation_id: str, ticket: str, channel: str) -> Answer:
        return await self._post("/cases/session/end", conversation_id, {"ticket": ticket, "channel": channel})
