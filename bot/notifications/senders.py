"""Ways a message leaves the backend, one per channel, chosen by settings:

- SMS: "local" (recorded as sent, nothing leaves; the default) or "gateway"
  (the SMS gateway's HTTP API, e.g. the local simulator in bot/sms/simulator.py);
- e-mail: "local" (the default) or "smtp" (smtplib in a worker thread).

A sender raises `SendError` on failure; the dispatcher retries later.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiohttp

from bot.settings import Settings
from bot.sms.gateway import GatewayClient, GatewayError

log = logging.getLogger(__name__)


class SendError(RuntimeError):
    """The message could not be sent this time."""


@dataclass(frozen=True)
class Outgoing:
    """One message as a sender sees it."""

    id: int
    channel: str
    recipient: str
    kind: str
    subject: str | None
    body: str


class Sender(Protocol):
    async def send(self, message: Outgoing) -> None: ...

    async def close(self) -> None: ...


class LocalSender:
    """Records the message as sent without sending it (development and tests)."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> None:
        self.sent.append(message)
        del self.sent[:-1000]  # keep memory bounded in long runs
        log.info("local %s sender: message %d (%s) recorded, not sent", message.channel, message.id, message.kind)

    async def close(self) -> None:
        pass


class GatewaySmsSender:
    """Sends SMS through the gateway's HTTP API (Twilio's format)."""

    def __init__(self, client: GatewayClient) -> None:
        self.client = client
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: Outgoing) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            await self.client.send(message.recipient, message.body, self._session)
        except GatewayError as error:
            raise SendError(f"SMS gateway: {error}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class SmtpEmailSender:
    """Sends e-mail through an SMTP server (STARTTLS and login when configured)."""

    def __init__(self, host: str, port: int, sender: str, user: str = "", password: str = "",
                 starttls: bool = True, timeout: float = 20.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def _send_blocking(self, message: Outgoing) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or ""
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(email)

    async def send(self, message: Outgoing) -> None:
        try:
            await asyncio.to_thread(self._send_blocking, message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"SMTP: {type(error).__name__}") from error

    async def close(self) -> None:
        pass


def senders_from_settings(settings: Settings) -> dict[str, Sender]:
    """The sender of each channel as NOTIFY_SMS_SENDER and NOTIFY_EMAIL_SENDER say."""
    sms: Sender = LocalSender()
    if settings.notify_sms_sender == "gateway":
        if not settings.sms_auth_token:
            raise ValueError("NOTIFY_SMS_SENDER=gateway needs SMS_AUTH_TOKEN (and SMS_GATEWAY_URL, SMS_ACCOUNT_SID)")
        sms = GatewaySmsSender(GatewayClient(settings.sms_gateway_url, settings.sms_account_sid,
                                             settings.sms_auth_token, settings.sms_sender))
    email: Sender = LocalSender()
    if settings.notify_email_sender == "smtp":
        email = SmtpEmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_user,
                                settings.smtp_password, settings.smtp_starttls)
    return {"sms": sms, "email": email}
