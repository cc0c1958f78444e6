"""Sealed slot values: personal data a form needs on a later turn, kept encrypted in the tracker.

The tracker store keeps every slot; a booking form needs the name and contact
details until the user confirms, and the reservation key and PIN until a
cancellation is confirmed. Those values are sealed (Fernet: AES-128-CBC with
HMAC) with a key only the action servers hold, and expire after a while, so
the conversation store never sees them in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.settings import persisted_secret

SEAL_PREFIX = "sealed:"
DEFAULT_TTL_SECONDS = 30 * 60


FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_-]+={0,2}")  # base64url of a token: version 0x80 first
FERNET_VERSION = 0x80
FERNET_OVERHEAD = 1 + 8 + 16 + 32   # version, timestamp, IV, HMAC around the AES blocks


def is_sealed(value: Any) -> bool:
    """A value a Sealer made: the prefix *and* a well-formed Fernet token after it. Anyone can type
    "sealed:" before their text; that text is then not taken for sealed and is redacted like any other.
    (Checked by its form, without the key: the Rasa process, which stores it, has no key to hold.)"""
    if not isinstance(value, str) or not value.startswith(SEAL_PREFIX):
        return False
    token = value[len(SEAL_PREFIX):]
    if len(token) % 4 or not FERNET_TOKEN.fullmatch(token):
        return False
    try:
        raw = base64.urlsafe_b64decode(token)
    except (ValueError, binascii.Error):
        return False
    ciphertext = len(raw) - FERNET_OVERHEAD
    return raw[0] == FERNET_VERSION and ciphertext >= 16 and ciphertext % 16 == 0


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
