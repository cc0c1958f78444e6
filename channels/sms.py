"""Two-way SMS channel for Rasa, in the Twilio wire format.

Inbound: POST /webhooks/sms/webhook with form fields From, To, Body and
MessageSid, signed with X-Twilio-Signature (checked here, unlike Rasa's own
Twilio channel). Outbound: the gateway's HTTP API (bot/sms/gateway.py).
SMS-native behaviour: buttons become a numbered list and "2" picks the second;
replies are fitted to at most three GSM-7 segments; HELP/APU/HJÄLP and
STOP/LOPETA/SLUTA work in the language they are written in. A phone may send
SMS_MESSAGES_PER_MINUTE messages (channels/limits.py). The conversation
id is a keyed hash of the phone number; the number itself lives only in the
output channel of the request that needs it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.parse
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.runtime.notice import agent_of, answer_limit, handle_or_apologise
from bot.runtime.webhook import webhook_blueprint
from bot.settings import get_settings
from bot.sms.gateway import SIGNATURE_HEADER, GatewayClient, GatewayError, conversation_id, signature_is_valid
from bot.sms.text import format_sms
from channels.limits import ClientLimit

logger = logging.getLogger(__name__)

MAX_INBOUND_CHARACTERS = 1600  # the longest concatenated SMS a phone sends
KEYWORDS = {
    "help": ("help", "en"), "apu": ("help", "fi"), "hjälp": ("help", "sv"), "hjalp": ("help", "sv"),
    "stop": ("goodbye", "en"), "lopeta": ("goodbye", "fi"), "sluta": ("goodbye", "sv"),
}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def keyword_payload(body: str) -> str | None:
    """'APU' -> '/help{"language": "fi"}': a keyword answered in its own language."""
    word = re.sub(r"[^\wäöå]", "", body.strip().lower())
    if word in KEYWORDS:
        intent, language = KEYWORDS[word]
        return f'/{intent}{json.dumps({"language": language})}'
    return None


class SmsOutput(OutputChannel):
    """Sends each bot message as one SMS (at most three segments) to one phone."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    def __init__(self, gateway: GatewayClient, phone_number: str, session: aiohttp.ClientSession) -> None:
        self.gateway = gateway
        self.phone_number = phone_number
        self.session = session
        self.failed = False
        self.sent = 0

    async def _send(self, text: str, button_titles: list[str]) -> None:
        body = format_sms(text, button_titles)
        if not body:
            return
        self.sent += 1
        try:
            await self.gateway.send(self.phone_number, body, self.session)
        except GatewayError as error:
            self.failed = True
            logger.error("SMS reply could not be sent: %s", error)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(text, [button.get("title", "") for button in buttons])

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(image, [])

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._send(attachment, [])


class SmsInput(InputChannel):
    """The gateway's inbound webhook."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}

        def value(key: str, variable: str, default: str = "") -> str:
            return str(credentials.get(key) or os.environ.get(variable) or default)

        return cls(
            auth_token=value("auth_token", "SMS_AUTH_TOKEN"),
            account_sid=value("account_sid", "SMS_ACCOUNT_SID", "AC-local"),
            gateway_url=value("gateway_url", "SMS_GATEWAY_URL", "http://127.0.0.1:8025"),
            sender=value("sender", "SMS_SENDER", "18135"),
            hash_key=value("hash_key", "SMS_HASH_KEY"),
            webhook_url=value("webhook_url", "SMS_PUBLIC_URL", "http://127.0.0.1:5005/webhooks/sms/webhook"),
        )

    def __init__(
        self, auth_token: str, account_sid: str, gateway_url: str, sender: str, hash_key: str, webhook_url: str
    ) -> None:
        if not auth_token or not hash_key:
            raise ValueError("The SMS channel needs SMS_AUTH_TOKEN and SMS_HASH_KEY.")
        self.auth_token = auth_token
        self.hash_key = hash_key
        self.webhook_url = webhook_url
        self.gateway = GatewayClient(gateway_url, account_sid, auth_token, sender)
        self._seen: OrderedDict[str, None] = OrderedDict()  # recent gateway message ids
        self.limit = ClientLimit(get_settings().sms_messages_per_minute)

    def _first_delivery(self, message_sid: str) -> bool:
        if not message_sid:
            return True
        if message_sid in self._seen:
            return False
        self._seen[message_sid] = None
        if len(self._seen) > 50_000:
            self._seen.popitem(last=False)
        return True

    @staticmethod
    async def _events(request: Request, sender_id: str) -> list[Event]:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return []
        tracker = await agent.tracker_store.retrieve(sender_id)
        return list(tracker.events) if tracker else []

    async def _interpret(self, request: Request, sender_id: str, body: str) -> str:
        """Keywords and numbered choices become payloads; anything else stays as typed."""
        keyword = keyword_payload(body)
        if keyword:
            return keyword
        choice = body.strip().rstrip(".)")
        if choice.isdigit() and len(choice) <= 2:
            for event in reversed(await self._events(request, sender_id)):
                if isinstance(event, BotUttered):
                    buttons = (event.data or {}).get("buttons") or []
                    if 1 <= int(choice) <= len(buttons):
                        return buttons[int(choice) - 1]["payload"]
                    break
        return body.strip()[:MAX_INBOUND_CHARACTERS] or "/help"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def receive(request: Request) -> HTTPResponse:
            content_type = (request.content_type or "").split(";")[0].strip()
            if content_type != "application/x-www-form-urlencoded":
                return response.json({"error": "expected a form (application/x-www-form-urlencoded)"}, 400)
            try:
                # Parsed here, not with request.form: Sanic drops blank fields, and an
                # empty SMS body would then fail the signature check.
                form = urllib.parse.parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
                params = {key: values[0] for key, values in form.items()}
            except (UnicodeDecodeError, ValueError):
                return response.json({"error": "the form could not be read"}, 400)
            if not signature_is_valid(self.auth_token, self.webhook_url, params,
                                      request.headers.get(SIGNATURE_HEADER)):
                return response.json({"error": "invalid signature"}, 403)
            phone_number, body = params.get("From", "").strip(), params.get("Body")
            if not phone_number or body is None:
                return response.json({"error": "the fields From and Body are required"}, 400)
            message_sid = params.get("MessageSid", "")
            sender_id = conversation_id(self.hash_key, phone_number)
            if not self._first_delivery(message_sid):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            if not self.limit.allow(phone_number):
                await self._tell_to_wait(request, phone_number, sender_id)
                return response.text(EMPTY_TWIML, content_type="text/xml")
            text = await self._interpret(request, sender_id, body)
            redelivered = False

            async def handle_once(message: UserMessage) -> None:
                nonlocal redelivered
                redelivered = await self._handle_unless_redelivered(request, on_new_message, message, message_sid)

            async with aiohttp.ClientSession() as session:
                output = SmsOutput(self.gateway, phone_number, session)
                user_message = UserMessage(
                    text, output, sender_id, input_channel=self.name(),
                    metadata={"message_sid": message_sid} if message_sid else None,
                )
                # A redelivery gets no reply, and no service notice either.
                await handle_or_apologise(agent_of(request), handle_once, user_message,
                                          lambda: output.sent + redelivered)
            if output.failed:
                return response.json({"error": "the reply could not be sent through the gateway"}, 502)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook_blueprint("sms_webhook", receive)

    async def _tell_to_wait(self, request: Request, phone_number: str, sender_id: str) -> None:
        """Over its limit, a phone is asked (once a minute: each reply costs) to wait; nothing reaches Rasa."""
        if not self.limit.notify(phone_number):
            return
        async with aiohttp.ClientSession() as session:
            output = SmsOutput(self.gateway, phone_number, session)
            await answer_limit(agent_of(request), UserMessage("", output, sender_id, input_channel=self.name()),
                               "too_many_messages")

    async def _handle_unless_redelivered(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
        message_sid: str,
    ) -> bool:
        """Lets Rasa handle the message unless the conversation already holds it; True if it did.

        The check and the handling share the conversation's lock (the one Rasa's own
        handling takes), so two deliveries of one message reaching two workers at
        once cannot both pass the check before either is stored."""
        agent = agent_of(request)
        if not message_sid or agent is None or not agent.is_ready():
            await on_new_message(message)
            return False
        async with agent.lock_store.lock(message.sender_id):
            if await self._already_handled(request, message.sender_id, message_sid):
                return True
            await agent.processor.handle_message(message)
        return False

    async def _already_handled(self, request: Request, sender_id: str, message_sid: str) -> bool:
        """A redelivery (after a restart, or to another worker): the tracker already holds this gateway message."""
        if not message_sid:
            return False
        return any(
            isinstance(event, UserUttered) and (event.metadata or {}).get("message_sid") == message_sid
            for event in await self._events(request, sender_id)
        )
