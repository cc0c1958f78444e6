"""Booking messages leave the backend for real: SMS through the gateway simulator process, e-mail
through an SMTP server on loopback, each in the booking's language and without the PIN."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from email import message_from_string
from email.policy import default

import pytest

from bot.settings import REPO_ROOT
from bot.supervisor import free_port
from tests.backend.conftest import sms_opening, start_backend, stop_backend
from tests.backend.test_booking_api import book, slots

AUTH_TOKEN = "simulator-token-0123456789"
ACCOUNT = "AC-test"


def wait_for(probe, seconds=60.0):
    """Polls `probe` until it returns something truthy (a generous deadline, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.2)
    return probe()


class SmtpSink:
    """A minimal SMTP server (no TLS, no auth) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.server: asyncio.base_events.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        await reply("220 sink ESMTP")
        envelope: dict[str, str] = {}
        while line := (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                await reply("250 sink")
            elif verb == "MAIL":
                envelope = {"from": line}
                await reply("250 OK")
            elif verb == "RCPT":
                envelope["to"] = line.split(":", 1)[1].strip(" <>")
                await reply("250 OK")
            elif verb == "DATA":
                await reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := (await reader.readline()).decode("utf-8", "replace")) not in (".\r\n", ""):
                    lines.append(data)
                envelope["data"] = "".join(lines)
                self.messages.append(envelope)
                await reply("250 OK queued")
            elif verb == "QUIT":
                await reply("221 bye")
                break
            else:
                await reply("250 OK")
        writer.close()


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("simulator") / "simulator.log", "ab")
    env = {**os.environ, "SMS_AUTH_TOKEN": AUTH_TOKEN, "SMS_ACCOUNT_SID": ACCOUNT, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bot.sms.simulator", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return True
        except OSError:
            return False

    assert wait_for(healthy, 30), "simulator did not start"
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture()
async def smtp_sink():
    sink = SmtpSink()
    sink.server = await asyncio.start_server(sink.handle, "127.0.0.1", 0)
    sink.port = sink.server.sockets[0].getsockname()[1]
    yield sink
    sink.server.close()


def sent_sms(simulator_url, to):
    with urllib.request.urlopen(f"{simulator_url}/messages?{urllib.parse.urlencode({'to': to})}",
                                timeout=10) as response:
        return json.loads(response.read())


async def test_booking_sms_reach_the_gateway_simulator(simulator, smtp_sink, tmp_path):
    environment = {"NOTIFY_SMS_SENDER": "gateway", "SMS_GATEWAY_URL": simulator, "SMS_AUTH_TOKEN": AUTH_TOKEN,
                   "SMS_ACCOUNT_SID": ACCOUNT, "SMS_SENDER": "18135", "NOTIFY_POLL_SECONDS": "0.2",
                   "NOTIFY_EMAIL_SENDER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port),
                   "SMTP_STARTTLS": "false", "SMTP_FROM": "ajanvaraus@migri.invalid"}
    backend = await asyncio.to_thread(start_backend, f"sqlite:///{tmp_path / 'backend.db'}",
                                      tmp_path / "backend.log", environment)
    try:
        phone = f"+35840{uuid.uuid4().int % 10**7:07d}"
        slot = (await asyncio.to_thread(slots, backend, "vaasa"))[3]
        created = await asyncio.to_thread(book, backend, slot, phone=phone, email="maria@example.com",
                                          language="sv")
        messages = await asyncio.to_thread(wait_for, lambda: sent_sms(simulator, phone))
        assert len(messages) == 1 and messages[0]["from"] == "18135"
        body = messages[0]["body"]
        assert body.startswith(sms_opening("booking_confirmation", "sv")) and created["reservation_key"] in body
        assert "Pitkäkatu 49" in body  # the Vaasa service point's address
        assert created["pin"] not in body

        for _ in range(300):
            if smtp_sink.messages:
                break
            await asyncio.sleep(0.2)
        [email] = smtp_sink.messages
        assert email["to"] == "maria@example.com"
        parsed = message_from_string(email["data"], policy=default)
        assert parsed["Subject"] == "Din tid är bokad" and parsed["From"] == "ajanvaraus@migri.invalid"
        text = parsed.get_content()
        assert text.startswith("Hej,") and created["reservation_key"] in text and created["pin"] not in text
    finally:
        await asyncio.to_thread(stop_backend, backend)
