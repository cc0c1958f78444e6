"""The action server's view of the booking API (bot/booking/api.py), over HTTP.

Service points and categories change rarely, so they are cached for a few
minutes; everything else goes to the backend each time. Failures to reach it
raise `BackendUnavailable` (bot/backend/client.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.backend.client import BackendClient, shared_client

CATALOGUE_TTL_SECONDS = 300


@dataclass
class Outcome:
    """An answer from the backend: its status, body and error code (None on success)."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def error(self) -> str | None:
        return None if self.ok else str(self.body.get("error") or self.status)


class BookingClient:
    def __init__(self, client: BackendClient | None = None) -> None:
        self._client = client
        self._catalogue: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    @property
    def client(self) -> BackendClient:
        return self._client or shared_client()

    async def _cached_items(self, path: str) -> list[dict[str, Any]]:
        cached = self._catalogue.get(path)
        if cached and time.monotonic() - cached[0] < CATALOGUE_TTL_SECONDS:
            return cached[1]
        status, body = await self.client.request("GET", path)
        items = body.get("items", []) if status == 200 else []
        if items:
            self._catalogue[path] = (time.monotonic(), items)
        return items

    async def categories(self) -> list[dict[str, Any]]:
        return await self._cached_items("/booking/categories")

    async def service_points(self) -> list[dict[str, Any]]:
        return await self._cached_items("/booking/service-points")

    async def slots(self, *, service_point: str, category: str, date_from: str, date_to: str, persons: int,
                    limit: int = 5, conversation_id: str | None = None) -> Outcome:
        params = {"service_point": service_point, "category": category, "date_from": date_from,
                  "date_to": date_to, "persons": str(persons), "limit": str(limit)}
        return Outcome(*await self.client.request("GET", "/booking/slots", params=params,
                                                  conversation_id=conversation_id))

    async def book(self, booking: dict[str, Any], conversation_id: str | None = None) -> Outcome:
        return Outcome(*await self.client.request("POST", "/booking/bookings", json=booking,
                                                  conversation_id=conversation_id))

    async def lookup(self, key: str, pin: str, conversation_id: str | None = None) -> Outcome:
        return Outcome(*await self.client.request("POST", "/booking/bookings/lookup",
                                                  json={"reservation_key": key, "pin": pin},
                                                  conversation_id=conversation_id))

    async def cancel(self, key: str, pin: str, conversation_id: str | None = None) -> Outcome:
        return Outcome(*await self.client.request("POST", "/booking/bookings/cancel",
                                                  json={"reservation_key": key, "pin": pin},
                                                  conversation_id=conversation_id))

    async def change_contact(self, key: str, pin: str, contact: dict[str, str],
                             conversation_id: str | None = None) -> Outcome:
        """Replaces the booking's phone number or e-mail address (`contact` names the one to replace)."""
        return Outcome(*await self.client.request("POST", "/booking/bookings/contact",
                                                  json={"reservation_key": key, "pin": pin, **contact},
                                                  conversation_id=conversation_id))

    async def resend_keys(self, contact: dict[str, str], conversation_id: str | None = None) -> Outcome:
        """Asks the backend to send the reservation keys booked with `contact` to that contact."""
        return Outcome(*await self.client.request("POST", "/booking/bookings/resend", json=contact,
                                                  conversation_id=conversation_id))


_shared: BookingClient | None = None


def booking_client() -> BookingClient:
    global _shared
    if _shared is None:
        _shared = BookingClient()
    return _shared
