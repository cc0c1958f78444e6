"""Verifies the signed login token (JWT) that the agency's website gives a logged-in user.

The identity comes only from a token whose signature, expiry, audience (and
issuer, when WEB_LOGIN_JWT_ISSUER is set) check out with the key from
configuration, and that lives at most WEB_LOGIN_JWT_MAX_SECONDS (default one
hour: a login's identity cannot outlive the website session by more); an invalid, expired or missing
token means an anonymous user, never an error. The verified identity travels
with each message as server-set metadata ("verified_identity"); clients
cannot set that key (the channels drop it) and the tracker store keeps only
the fact of verification, not the subject (bot/privacy/tracker_store.py).
The channel seals the identity it attaches (an HMAC with a key the servers
share), so the case register (bot/cases) accepts only identities that a
channel verified, whatever a client manages to put into metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import jwt

from bot.settings import identity_seal_key

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
        fields = {"subject": self.subject, "role": self.role, "expires_at": self.expires_at, "method": self.method}
        return {**fields, "seal": identity_seal(fields, identity_seal_key())}


def identity_seal(fields: dict[str, Any], key: str) -> str:
    message = "\n".join(str(fields.get(name)) for name in ("subject", "role", "expires_at", "method"))
    return hmac.new(key.encode(), message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def unseal_identity(metadata: Any, key: str, now: float | None = None) -> VerifiedIdentity | None:
    """The identity a channel attached and sealed, if the seal holds and it has not expired."""
    if not isinstance(metadata, dict) or not isinstance(metadata.get("seal"), str):
        return None
    if not hmac.compare_digest(metadata["seal"].encode("utf-8", "surrogatepass"),
                               identity_seal(metadata, key).encode()):
        return None
    subject, role, expires_at = metadata.get("subject"), metadata.get("role"), metadata.get("expires_at")
    if not isinstance(subject, str) or role not in ROLES or not isinstance(expires_at, int):
        return None
    identity = VerifiedIdentity(subject=subject, role=role, expires_at=expires_at,
                                method=str(metadata.get("method") or "jwt"))
    return identity if identity.is_valid(now) else None


DEFAULT_MAX_LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class TokenVerifier:
    key: str
    algorithm: str = "HS256"
    audience: str = "migri-chat"
    issuer: str | None = None
    max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS

    def verify(self, token: Any) -> VerifiedIdentity | None:
        """The identity in a valid token, else None (the user stays anonymous)."""
        if not self.key or not isinstance(token, str) or not token or len(token) > 8192:
            return None
        try:
            claims = jwt.decode(
                token, self.key, algorithms=[self.algorithm], audience=self.audience, issuer=self.issuer,
                options={"require": ["sub", "exp", "aud", *(["iss"] if self.issuer else [])]},
            )
        except jwt.PyJWTError as error:
            logger.info("Login token refused: %s", type(error).__name__)
            return None
        now, expires = time.time(), claims["exp"]
        issued = claims.get("iat") if isinstance(claims.get("iat"), (int, float)) else now
        if not isinstance(expires, (int, float)) or expires - min(issued, now) > self.max_lifetime_seconds:
            logger.info("Login token refused: it lives longer than %s s", self.max_lifetime_seconds)
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
    max_seconds = int(os.environ.get("WEB_LOGIN_JWT_MAX_SECONDS") or DEFAULT_MAX_LIFETIME_SECONDS)
    return TokenVerifier(key=key, algorithm=algorithm, audience=os.environ.get("WEB_LOGIN_JWT_AUDIENCE", "migri-chat"),
                         issuer=os.environ.get("WEB_LOGIN_JWT_ISSUER") or None, max_lifetime_seconds=max_seconds)

