"""Shared parts of the review tool's request handling: its context, page rendering and error pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.backend.ratelimit import RateLimiter
from bot.client_address import client_address
from bot.privacy.spans import PLACEHOLDER, STATUS
from bot.review.i18n import DEFAULT_UI_LANGUAGE, UI_LANGUAGES, translate
from bot.review.indexer import Indexer
from bot.review.queries import MARK_END, MARK_START
from bot.review.sessions import Staff
from bot.review.store import ReviewDatabase
from bot.review.tracker import TrackerEvents
from bot.settings import Settings

BASE = "/review"
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
LANGUAGE_COOKIE = "review_lang"
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own forms
                    "Referrer-Policy": "same-origin"}


@dataclass
class ReviewContext:
    settings: Settings
    database: ReviewDatabase
    tracker: TrackerEvents
    indexer: Indexer
    templates: jinja2.Environment
    intents: list[str]
    login_by_client: RateLimiter
    login_failures: RateLimiter  # keyed on username and client


CONTEXT = web.AppKey("review_context", ReviewContext)
STAFF_KEY = "review_staff"
LANGUAGE_KEY = "review_language"


def make_templates(timezone: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    zone = ZoneInfo(timezone)
    environment.filters["localtime"] = lambda ts: datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")
    environment.filters["percent"] = lambda share: f"{share * 100:.1f} %"
    environment.filters["placeholders"] = _placeholders
    environment.filters["highlight"] = lambda snippet: Markup(
        str(escape(snippet)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>").replace("\n", " · "))
    return environment


@jinja2.pass_context
def _placeholders(context: jinja2.runtime.Context, text: str) -> Markup:
    """A transcript's text with each placeholder ("[NAME]", "[STATUS]") marked, its meaning in a tooltip."""
    t = context["t"]

    def mark(found: re.Match[str]) -> str:
        title = t("redacted_status" if found.group(0) == STATUS else "redacted_data")
        return f'<span class="redacted" title="{escape(title)}">{found.group(0)}</span>'

    return Markup(PLACEHOLDER.sub(mark, str(escape(text))))


def context_of(request: web.Request) -> ReviewContext:
    return request.app[CONTEXT]


def staff_of(request: web.Request) -> Staff:
    """The signed-in staff member (the middleware lets no other request reach a protected page)."""
    return request[STAFF_KEY]


def ui_language(request: web.Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in UI_LANGUAGES else DEFAULT_UI_LANGUAGE


def client_of(request: web.Request) -> str:
    """The network client (its forwarded address only from a trusted proxy: bot/client_address.py)."""
    return client_address(request.remote, request.headers.get("X-Forwarded-For"))


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    context = context_of(request)
    language = request.get(LANGUAGE_KEY, DEFAULT_UI_LANGUAGE)
    staff = request.get(STAFF_KEY)
    html = context.templates.get_template(template).render(
        t=partial(translate, language), lang=language, languages=UI_LANGUAGES, staff=staff,
        csrf=staff.csrf_token if staff else "", base=BASE, path=request.path_qs, **values)
    return web.Response(text=html, content_type="text/html", status=status, headers=NO_STORE_HEADERS)


def error_page(request: web.Request, status: int, message_key: str, back: str = "", **values: Any) -> web.Response:
    return render(request, "error.html", status=status, message_key=message_key, message_values=values,
                  back=back or f"{BASE}/conversations")


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **NO_STORE_HEADERS})


def has_control_characters(value: str) -> bool:
    """CR, LF and the like: never part of a link (they would split a Location header)."""
    return any(ord(character) < 32 or ord(character) == 127 for character in value)


def safe_next(value: str) -> str:
    """Where to go after signing in: only a page of this tool."""
    if value.startswith(f"{BASE}/") and not value.startswith("//") and "\\" not in value and "//" not in value \
            and not has_control_characters(value):
        return value
    return f"{BASE}/conversations"
