"""Conversation ids: one namespace per channel, made by the server, shown to staff only as a display id.

Every channel's Rasa input prefixes the id it routes by with its own name:
`web:` (the chat page, an id derived from a session secret the web server
issued), `sms:` (a keyed hash of the signed sender number) and
`rest:<integrator>:` (an integrating system with its own bearer token, its
own ids, stored as a keyed hash: an integrator may use a phone number or an
e-mail address as its sender id, and the tracker store must not hold it).
No channel can therefore address another channel's conversation,
and one integrator cannot address another's. Staff see `display_id`, a keyed
hash that no channel routes by.
"""

from __future__ import annotations

import hashlib
import hmac

CHANNEL_NAMESPACES = ("web", "sms", "rest")


def namespaced(channel: str, local_id: str) -> str:
    """The conversation id of `local_id` in `channel`'s namespace (`rest:acme` for an integrator)."""
    return f"{channel}:{local_id}"


def channel_of(conversation_id: str) -> str:
    """The namespace a conversation id belongs to ("web", "sms", "rest"), else "other"."""
    head = conversation_id.split(":", 1)[0]
    return head if head in CHANNEL_NAMESPACES and ":" in conversation_id else "other"


def display_id(conversation_id: str, key: str) -> str:
    """What staff see instead of the routing id: the channel and a keyed hash (cannot route a message)."""
    digest = hmac.new(key.encode(), conversation_id.encode(), hashlib.sha256).hexdigest()[:16]
    return f"{channel_of(conversation_id)}-{digest}"


def hashed_local_id(local_id: str, key: str) -> str:
    """A channel's own id of a conversation as it is stored: a keyed hash (the id may be personal data)."""
    return hmac.new(key.encode(), local_id.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:32]


def rest_conversation_id(integrator: str, local_id: str, key: str) -> str:
    """The stored id of REST integrator `integrator`'s conversation `local_id` (its keyed hash)."""
    return namespaced(namespaced("rest", integrator), hashed_local_id(local_id, key))
