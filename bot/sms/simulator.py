"""A local SMS gateway for development and tests, speaking the gateway's wire format.

- POST /2010-04-01/Accounts/{account}/Messages.json: what the bot sends; recorded.
- GET /messages[?to=...]: the recorded messages, with their segment counts.
Unauthenticated by design, so it runs only in a local demo (LOCAL_DEMO, `make
demo`) and on a loopback address only.

- POST /inbound {"from": "+358...", "body": "...", "message_sid": optional}:
  delivers a text to the bot's webhook, signed as the gateway would, and
  returns the replies the bot sent to that number meanwhile.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import secrets
from typing import Any

import aiohttp
from aiohttp import web

from bot.settings import get_settings, is_loopback
from bot.sms.gateway import SIGNATURE_HEADER, signature
from bot.sms.text import segment_count


def create_app(auth_token: str, account_sid: str, webhook_url: str) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    sent: list[dict[str, Any]] = []
    counter = itertools.count(1)

    async def receive_outbound(request: web.Request) -> web.Response:
        expected = aiohttp.BasicAuth(account_sid, auth_token).encode()
        if request.match_info["account"] != account_sid or request.headers.get("Authorization") != expected:
            return web.json_response({"message": "Authentication failed"}, status=401)
        form = await request.post()
        if not form.get("To") or form.get("Body") is None:
            return web.json_response({"message": "To and Body are required"}, status=400)
        body = str(form["Body"])
        message = {
            "sid": f"SM{next(counter):032d}", "to": str(form["To"]), "from": str(form.get("From", "")),
            "body": body, "segments": segment_count(body),
        }
        sent.append(message)
        return web.json_response(message, status=201)

    async def list_messages(request: web.Request) -> web.Response:
        to = request.query.get("to")
        return web.json_response([m for m in sent if to is None or m["to"] == to])

    async def clear_messages(_: web.Request) -> web.Response:
        sent.clear()
        return web.json_response({"cleared": True})

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def deliver_inbound(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            phone, body = str(data["from"]), str(data["body"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"message": 'expected JSON {"from": ..., "body": ...}'}, status=400)
        params = {
            "From": phone, "To": get_settings().sms_sender, "Body": body,
            "MessageSid": str(data.get("message_sid") or f"SM{secrets.token_hex(16)}"),
        }
        already = len(sent)
        headers = {SIGNATURE_HEADER: signature(auth_token, webhook_url, params)}
        async with aiohttp.ClientSession() as session:
            async with session.post(webhook_url, data=params, headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=60)) as answer:
                status = answer.status
        replies = [m for m in sent[already:] if m["to"] == phone]
        return web.json_response({"webhook_status": status, "replies": replies})

    app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", receive_outbound)
    app.router.add_get("/messages", list_messages)
    app.router.add_delete("/messages", clear_messages)
    app.router.add_post("/inbound", deliver_inbound)
    app.router.add_get("/healthz", health)
    return app


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Run the local SMS gateway simulator.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.sms_gateway_port)
    args = parser.parse_args()
    if not is_loopback(args.host):  # it lists one-time codes and speaks for any number: never off the machine
        parser.error("the SMS gateway simulator serves on a loopback address only (e.g. 127.0.0.1)")
    logging.basicConfig(level=logging.WARNING)
    app = create_app(
        auth_token=os.environ["SMS_AUTH_TOKEN"],
        account_sid=os.environ.get("SMS_ACCOUNT_SID", "AC-local"),
        webhook_url=settings.sms_webhook_url,
    )
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)  # its URLs hold numbers


if __name__ == "__main__":
    main()
