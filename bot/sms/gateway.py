"""The SMS gateway's wire format (Twilio's): request signatures and sending messages.

Inbound webhooks carry `X-Twilio-Signature`: base64(HMAC-SHA1(auth token,
URL + every form field's name and value, sorted by name)). Outbound messages
are POSTed as forms to `{gateway}/2010-04-01/Accounts/{account}/Messages.json`
with HTTP basic auth.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

import aiohttp

from bot.conversation_ids import namespaced

SIGNATURE_HEADER = "X-Twilio-Signature"


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(auth_token: str, url: str, params: Mapping[str, str], given: str | None) -> bool:
    if not given or not auth_token:
        return False
    return hmac.compare_digest(signature(auth_token, url, params), given)


def conversation_id(hash_key: str, phone_number: str) -> str:
    """The conversation's id: a keyed hash of the number, so the number itself is not stored."""
    normalised = "".join(c for c in phone_number if c.isdigit() or c == "+")
    return namespaced("sms", hmac.new(hash_key.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:32])


class GatewayError(RuntimeError):
    """The gateway refused or did not answer."""


class GatewayClient:
    """Sends SMS through the gateway's HTTP API."""

    def __init__(self, base_url: str, account_sid: str, auth_token: str, sender: str) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.sender = sender

    async def send(self, to: str, body: str, session: aiohttp.ClientSession) -> str:
        """Sends one message; returns the gateway's message id."""
        form = {"From": self.sender, "To": to, "Body": body}
        try:
            async with session.post(self.url, data=form, auth=self.auth,
                                    timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status >= 300:
                    raise GatewayError(f"gateway answered {response.status}")
                return (await response.json()).get("sid", "")
        except aiohttp.ClientError as error:
            raise GatewayError(str(error)) from error
