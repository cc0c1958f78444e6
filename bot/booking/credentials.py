"""Reservation keys and PINs: made with `secrets`, PINs kept only as salted scrypt hashes.

A key is 12 characters of Crockford's base32 (60 random bits), shown as
XXXX-XXXX-XXXX. Input may be lowercase, with hyphens or spaces, and with the
letters Crockford reads as digits (O -> 0, I and L -> 1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
KEY_LENGTH = 12
PIN_LENGTH = 6
# What the API description says a typed key is (the same rule as normalise_key, at most 40 characters).
KEY_INPUT_PATTERN = r"^[ \-]*(?:[0-9A-TV-Za-tv-z][ \-]*){12}$"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -")

# scrypt cost: about 10 ms here. The lockout after a few wrong PINs is what
# stops online guessing; the hash keeps a copied database from giving the
# PINs away for free.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**13, 8, 1


def new_reservation_key() -> str:
    """A fresh key in its stored form (12 characters, no hyphens)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def normalise_key(text: str) -> str | None:
    """The stored form of a key as typed by a person, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40 or not text.isascii():
        return None
    key = text.translate(_SEPARATORS).upper().translate(_READ_AS)
    if len(key) != KEY_LENGTH or any(character not in ALPHABET for character in key):
        return None
    return key


def display_key(key: str) -> str:
    """XXXX-XXXX-XXXX."""
    return "-".join(key[index:index + 4] for index in range(0, len(key), 4))


def is_pin_shaped(text: object) -> bool:
    return isinstance(text, str) and len(text) == PIN_LENGTH and text.isascii() and text.isdigit()


def hash_pin(pin: str, salt: bytes | None = None) -> tuple[str, str]:
    """(hash, salt) as stored: the hash names its parameters so they can change later."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${digest.hex()}", salt.hex()


def pin_matches(pin: str, stored_hash: str, salt_hex: str) -> bool:
    try:
        scheme, n, r, p, expected = stored_hash.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(digest.hex(), expected)


def spend_pin_check_time(pin: str) -> None:
    """The work of one PIN check, for keys that do not exist, so timing reveals nothing."""
    hashlib.scrypt(pin.encode(), salt=b"\0" * 16, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
