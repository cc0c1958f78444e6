"""Verifies the signed login token (JWT) that the agency's website gives a logged-in user.

The identity comes only from a token whose signature, expiry and audience
check out with the key from configuration; an invalid, expired or missing
token means an anonymous user, never an error. The verified identity travels
with each message as server-set metadata ("verified_identity"); clients
cannot set that key (the channels drop it) and the tracker store keeps only
the fact of verification, not the subject (bot/privacy/tracker_store.py).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import jwt

logger = logging.getLogger(__name__)

IDENTITY_METADATA_KEY = "verified_identity"
ALLOWED_ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "ES256")
ROLES = ("applicant", "representative")


@dataclass(frozen=True)
class VerifiedIdentity:
    subject: str          # the customer number the website verified at login
    role: str             # applicant or legal representative
    expires_at: int       # seconds since the epoch
    method: str = "jwt"

    def is_valid(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) < self.expires_at

    def as_metadata(self) -> dict[str, Any]:
        return {"subject": self.subject, "role": self.role, "expires_at": self.expires_at, "method": self.method}


@dataclass(frozen=True)
class TokenVerifier:
    key: str
    algorithm: str = "HS256"
    audience: str = "migri-chat"

    def verify(self, token: Any) -> VerifiedIdentity | None:
        """The identity in a valid token, else None (the user stays anonymous)."""
        if not self.key or not isinstance(token, str) or not token or len(token) > 8192:
            return None
        try:
            claims = jwt.decode(
                token, self.key, algorithms=[self.algorithm], audience=self.audience,
                options={"require": ["sub", "exp", "aud"]},
            )
        except jwt.PyJWTError as error:
            logger.info("Login token refused: %s", type(error).__name__)
            return None
        subject, role = claims.get("sub"), claims.get("role", "applicant")
        if not isinstance(subject, str) or not subject.strip() or role not in ROLES:
            logger.info("Login token refused: bad subject or role")
            return None
        return VerifiedIdentity(subject=subject.strip(), role=role, expires_at=int(claims["exp"]))


def verifier_from_environment() -> TokenVerifier | None:
    """WEB_LOGIN_JWT_KEY (secret or PEM public key) turns token login on."""
    key = os.environ.get("WEB_LOGIN_JWT_KEY", "")
    if not key:
        return None
    algorithm = os.environ.get("WEB_LOGIN_JWT_ALGORITHM", "HS256")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise ValueError(f"WEB_LOGIN_JWT_ALGORITHM must be one of {ALLOWED_ALGORITHMS}")
    return TokenVerifier(key=key, algorithm=algorithm, audience=os.environ.get("WEB_LOGIN_JWT_AUDIENCE", "migri-chat"))


def without_claimed_identity(metadata: Any) -> dict[str, Any] | None:
    """Client metadata minus anything claiming an identity (only the server may set it)."""
    if not isinstance(metadata, dict):
        return None
    return {key: value for key, value in metadata.items() if key != IDENTITY_METADATA_KEY}
