"""Secrets of the status check: keyed hashes, one-time codes, verification ids and tickets.

A plain hash of an 8-digit customer number is reversed by trying all 10^8,
so every hash here is an HMAC with a server-side key (bot.settings.cases_hash_key).
Ids and tickets are letters only, so no redaction pattern ever mistakes them
for a number.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

CODE_DIGITS = 6
LETTERS = string.ascii_letters


class Secrets:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()

    def subject_hash(self, customer_number: str) -> str:
        """Stands for a customer number in the audit log and lockouts (same number, same hash)."""
        return self._mac("subject", customer_number)

    def code_hash(self, verification_id: str, code: str) -> str:
        return self._mac("code", f"{verification_id}:{code}")

    def code_matches(self, verification_id: str, code: str, stored_hash: str | None) -> bool:
        """Constant-time comparison; a missing hash is compared too, and never matches."""
        expected = stored_hash or "0" * 64
        return hmac.compare_digest(self.code_hash(verification_id, code), expected) and stored_hash is not None

    def ticket_hash(self, ticket: str) -> str:
        return self._mac("ticket", ticket)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_id(length: int = 32) -> str:
    """A random id of letters (about 5.7 bits each: 32 letters are 182 bits)."""
    return "".join(secrets.choice(LETTERS) for _ in range(length))
