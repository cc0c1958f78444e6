"""Messages per client and minute on the REST and SMS channels, counted in each Rasa process.

The REST channel counts per integrator (its bearer token, REST_MESSAGES_PER_MINUTE), the SMS
channel per phone number the gateway signed (SMS_MESSAGES_PER_MINUTE); the chat page's limit
per network client lives in its relay (bot/web/chat_relay.py). A message over the limit does not
reach Rasa: its sender is told in the conversation's language to wait (knowledge/answers/limits.yml).
An SMS sender is told once a minute at most, so a flood of texts costs us no flood of replies.
Each Rasa worker counts for itself: with N workers a client gets up to N times the limit.
"""

from __future__ import annotations

from bot.backend.ratelimit import RateLimiter


class ClientLimit:
    """At most `per_minute` messages a minute for each client, and one notice a minute about it."""

    def __init__(self, per_minute: int) -> None:
        self.messages = RateLimiter(per_minute, 60.0)
        self.notices = RateLimiter(1, 60.0)

    def allow(self, client: str) -> bool:
        """Counts one message of `client`; False when it is over its limit."""
        return self.messages.allow(client)

    def notify(self, client: str) -> bool:
        """True if `client` should be told it is over the limit (once a minute)."""
        return self.notices.allow(client)

    def retry_after(self, client: str) -> int:
        return int(self.messages.retry_after(client)) + 1
