"""Chat page sessions: the web server issues each one a secret and routes by an id derived from it.

The page keeps the secret (`<nonce>.<mac>`, in sessionStorage) and shows it
back in `session_request` to continue its conversation after a reload. The
relay accepts only secrets whose MAC it made (anything else gets a new
session), and routes messages by `routing_id`, a keyed hash of the nonce:
that id is what Rasa stores (as `web:<id>`) and staff may see, and it cannot
be turned back into the secret, so knowing it gives no way into the
conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.settings import persisted_secret

MAX_SECRET_CHARACTERS = 128


def chat_session_key() -> str:
    """CHAT_SESSION_KEY, or a key kept in var/secrets (sessions then survive a restart of the web server)."""
    return persisted_secret("chat_session_key", "CHAT_SESSION_KEY")


class ChatSessions:
    """Issues session secrets and checks them (no state: any web server with the key can)."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("chat sessions need a key")
        self._key = key.encode()

    def _mac(self, purpose: str, nonce: str) -> str:
        return hmac.new(self._key, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._mac('session', nonce)}"

    def routing_id(self, secret: object) -> str | None:
        """The conversation's routing id for a secret this server issued, else None."""
        if not isinstance(secret, str) or len(secret) > MAX_SECRET_CHARACTERS:
            return None
        nonce, _, mac = secret.partition(".")
        if not nonce or not hmac.compare_digest(mac.encode(), self._mac("session", nonce).encode()):
            return None
        return self._mac("route", nonce)
