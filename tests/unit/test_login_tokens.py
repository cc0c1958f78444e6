"""The website's login token: only a valid signature, audience and expiry give an identity."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.identity.tokens import TokenVerifier
from channels.rest import allowed_metadata

KEY = "unit-test-secret-0123456789abcdef"


def token(key=KEY, algorithm="HS256", **claims):
    payload = {"sub": "12345678", "aud": "migri-chat", "exp": int(time.time()) + 600, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm=algorithm)


@pytest.fixture
def verifier():
    return TokenVerifier(key=KEY)


def test_valid_token_gives_the_identity(verifier):
    identity = verifier.verify(token(role="representative"))
    assert identity.subject == "12345678" and identity.role == "representative"
    assert identity.is_valid()


@pytest.mark.parametrize(
    "bad",
    [
        token(key="another-secret-0123456789abcdef"),           # forged
        token(exp=int(time.time()) - 5),                        # expired
        token(aud="someone-else"),                              # wrong audience
        token(sub=None),                                        # no subject
        token(role="admin"),                                    # unknown role
        jwt.encode({"sub": "1", "aud": "migri-chat", "exp": int(time.time()) + 60}, None, algorithm="none"),
        "not-a-token", "", None, 42, "a" * 10_000,
    ],
)
def test_invalid_tokens_leave_the_user_anonymous(verifier, bad):
    assert verifier.verify(bad) is None


def test_rs256_with_a_public_key():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    verifier = TokenVerifier(key=public_pem, algorithm="RS256")
    assert verifier.verify(token(key=private, algorithm="RS256")).subject == "12345678"
    assert verifier.verify(token()) is None  # an HS256 token signed with anything is refused


def test_no_key_means_no_login():
    assert TokenVerifier(key="").verify(token()) is None


def test_clients_cannot_claim_an_identity():
    claim = {"language": "sv", "verified_identity": {"subject": "1"}, "other": "x" * 1000}
    assert allowed_metadata(claim, trusted=False) == {"language": "sv"}
    assert allowed_metadata(claim, trusted=True) == {"language": "sv", "verified_identity": {"subject": "1"}}
    assert allowed_metadata({"language": "de"}, trusted=False) is None


def test_a_token_living_longer_than_the_maximum_is_refused(verifier):
    now = int(time.time())
    assert verifier.verify(token(exp=now + 10 * 365 * 86400)) is None      # ten years
    assert verifier.verify(token(exp=now + 3700)) is None                    # just over an hour
    assert verifier.verify(token(iat=now - 7000, exp=now + 600)) is None     # issued long before
    assert verifier.verify(token(iat=now, exp=now + 3500)) is not None


def test_the_issuer_is_checked_when_configured():
    checking = TokenVerifier(key=KEY, issuer="https://login.migri.invalid")
    assert checking.verify(token(iss="https://login.migri.invalid")) is not None
    assert checking.verify(token(iss="https://evil.example")) is None
    assert checking.verify(token()) is None
