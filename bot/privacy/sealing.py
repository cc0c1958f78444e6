"""Sealed slot values: personal data a form needs on a later turn, kept encrypted in the tracker.

The tracker store keeps every slot; a booking form needs the name and contact
details until the user confirms, and the reservation key and PIN until a
cancellation is confirmed. Those values are sealed (Fernet: AES-128-CBC with
HMAC) with a key only the action servers hold, and expire after a while, so
the conversation store never sees them in clear.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.settings import persisted_secret

SEAL_PREFIX = "sealed:"
DEFAULT_TTL_SECONDS = 30 * 60


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEAL_PREFIX)


class Sealer:
    def __init__(self, secret: str) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(("slot-sealing:" + secret).encode()).digest())
        self._fernet = Fernet(key)

    def seal(self, value: Any) -> str:
        return SEAL_PREFIX + self._fernet.encrypt(json.dumps(value).encode()).decode()

    def unseal(self, sealed: Any, ttl: int = DEFAULT_TTL_SECONDS) -> Any:
        """The original value, or None when it is missing, tampered with or expired."""
        if not is_sealed(sealed):
            return None
        try:
            return json.loads(self._fernet.decrypt(sealed[len(SEAL_PREFIX):].encode(), ttl=ttl))
        except (InvalidToken, ValueError):
            return None


@lru_cache(maxsize=1)
def default_sealer() -> Sealer:
    """SLOT_SEALING_KEY, or a key kept in var/secrets shared by every action server."""
    return Sealer(persisted_secret("slot_sealing_key", "SLOT_SEALING_KEY"))
