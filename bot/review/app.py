"""The staff review tool, set up by bot/web/app.py in its aiohttp application under /review/.

(Routes are added with the prefix rather than as a sub-application: aiohttp
3.9's sub-application lookup breaks with the installed yarl.)

This module holds what guards every page: sign-in and sign-out, the session
cookie, CSRF checks on every POST, login rate limits and the UI language;
and the background job that keeps the index fresh and deletes conversations
past the retention period. The pages themselves are in bot/review/views.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml
from aiohttp import web
from sqlalchemy.orm import Session

from bot.backend.ratelimit import RateLimiter
from bot.review import sessions
from bot.review.accounts import check_login
from bot.review.audit import record
from bot.review.i18n import UI_LANGUAGES
from bot.review.indexer import Indexer
from bot.review.rendering import (
    BASE,
    CONTEXT,
    LANGUAGE_COOKIE,
    LANGUAGE_KEY,
    STAFF_KEY,
    STATIC,
    ReviewContext,
    client_of,
    context_of,
    error_page,
    has_control_characters,
    make_templates,
    redirect,
    render,
    safe_next,
    ui_language,
)
from bot.review.retention import delete_expired
from bot.review.store import ReviewDatabase
from bot.review.tracker import TrackerEvents
from bot.review.views import add_routes
from bot.settings import REPO_ROOT, Settings

logger = logging.getLogger(__name__)

LOGIN_CSRF_COOKIE = "review_login_csrf"
PUBLIC_PATHS = frozenset({f"{BASE}/login", f"{BASE}/language"})
LOGIN_ATTEMPTS_PER_CLIENT = 20     # per 15 minutes, whatever the username
LOGIN_FAILURES_PER_USERNAME = 5    # per username and client, per 15 minutes
LOGIN_WINDOW = 15 * 60
RETENTION_INTERVAL = 3600.0


def domain_intents(root: Path = REPO_ROOT) -> list[str]:
    """The intents a reviewer can assign: those of domain.yml and any domain/ files."""
    files = [root / "domain.yml", *sorted((root / "domain").glob("**/*.yml"))]
    intents: set[str] = set()
    for path in files:
        if path.exists():
            for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
                intents.add(next(iter(item)) if isinstance(item, dict) else str(item))
    return sorted(intents)


def _origin_allowed(request: web.Request) -> bool:
    """A browser's Origin, when sent, must be this server (a second line behind the CSRF token)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@web.middleware
async def guard(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.path != BASE and not request.path.startswith(f"{BASE}/"):
        return await handler(request)
    context = context_of(request)
    request[LANGUAGE_KEY] = ui_language(request)
    token = request.cookies.get(sessions.COOKIE, "")
    staff = await context.database.run(lambda s: sessions.resume(s, token)) if token else None
    request[STAFF_KEY] = staff
    public = request.path in PUBLIC_PATHS or request.path.startswith(f"{BASE}/static/")
    if staff is None and not public:
        if request.method == "GET":
            return redirect(f"{BASE}/login?next={quote(request.path_qs, safe='')}")
        return error_page(request, 401, "login_required", back=f"{BASE}/login")
    if has_control_characters(request.query.get("next", "")):
        return error_page(request, 400, "bad_request")
    if request.method == "POST":
        try:
            form = await request.post()
        except (ValueError, web.HTTPRequestEntityTooLarge) as error:
            # A body that is not a form (invalid UTF-8, a broken multipart) or too large. Part of it
            # may be unread, so the connection closes, and says so: a client would otherwise send
            # its next request on a connection the server is closing.
            status = 413 if isinstance(error, web.HTTPRequestEntityTooLarge) else 400
            response = error_page(request, status, "bad_request")
            response.force_close()
            return response
        given = form.get("csrf_token", "")
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "") if request.path == f"{BASE}/login" \
            else (staff.csrf_token if staff else "")
        if not _origin_allowed(request) or not expected or not isinstance(given, str) \
                or not hmac.compare_digest(given.encode(), expected.encode()):
            return error_page(request, 403, "csrf_failed")
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_page(request, 404, "not_found")
    except web.HTTPMethodNotAllowed:
        return error_page(request, 405, "bad_request")


def _set_cookie(response: web.StreamResponse, settings: Settings, name: str, value: str, path: str = f"{BASE}/",
                max_age: int | None = None) -> None:
    response.set_cookie(name, value, path=path, max_age=max_age, httponly=True, samesite="Strict",
                        secure=settings.review_secure_cookies)


async def login_page(request: web.Request) -> web.Response:
    if request.get(STAFF_KEY) is not None:
        return redirect(safe_next(request.query.get("next", "")))
    return _login_form(request, 200)


def _login_form(request: web.Request, status: int, error: str = "", minutes: int = 0, username: str = "") \
        -> web.Response:
    context = context_of(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, error=error, minutes=minutes,
                      username=username, next=safe_next(request.query.get("next", "")),
                      notice="logged_out" if request.query.get("logged_out") else "")
    _set_cookie(response, context.settings, LOGIN_CSRF_COOKIE, token, path=f"{BASE}/login")
    return response


async def login(request: web.Request) -> web.Response:
    context = context_of(request)
    form = await request.post()
    username = str(form.get("username", ""))[:64].strip().lower()
    password = str(form.get("password", ""))[:1024]
    client = client_of(request)
    # Failures count per username *and* client: nobody can lock a colleague out by failing in their name,
    # and behind a load balancer (TRUSTED_PROXIES) each member of staff is their own client.
    failures_key = f"{username}\n{client}"
    wait = max(context.login_by_client.retry_after(client), context.login_failures.retry_after(failures_key))
    if wait > 0 or not context.login_by_client.allow(client):
        await context.database.run(lambda s: record(s, username or "-", "login_blocked", client=client))
        wait = max(wait, context.login_by_client.retry_after(client))
        return _login_form(request, 429, "login_blocked", max(1, math.ceil(wait / 60)), username)

    def attempt(session: Session) -> str | None:
        account = check_login(session, username, password) if username and password else None
        if account is None:
            record(session, username or "-", "login_failed", client=client)
            return None
        record(session, account.username, "login", client=client)
        return sessions.start(session, account)

    token = await context.database.run(attempt)
    if token is None:
        context.login_failures.allow(failures_key)
        return _login_form(request, 401, "login_failed", username=username)
    response = redirect(safe_next(str(form.get("next", ""))))
    _set_cookie(response, context.settings, sessions.COOKIE, token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path=f"{BASE}/login")
    return response


async def logout(request: web.Request) -> web.Response:
    context = context_of(request)
    staff = request[STAFF_KEY]
    token = request.cookies.get(sessions.COOKIE, "")

    def end(session: Session) -> None:
        sessions.end(session, token)
        record(session, staff.username, "logout", client=client_of(request))

    await context.database.run(end)
    response = redirect(f"{BASE}/login?logged_out=1")
    response.del_cookie(sessions.COOKIE, path=f"{BASE}/")
    return response


async def choose_language(request: web.Request) -> web.Response:
    language = request.query.get("lang", "")
    response = redirect(safe_next(request.query.get("next", "")))
    if language in UI_LANGUAGES:
        _set_cookie(response, context_of(request).settings, LANGUAGE_COOKIE, language, max_age=365 * 86400)
    return response


async def _maintain(app: web.Application) -> None:
    """Refreshes the index every REVIEW_INDEX_SECONDS and deletes expired conversations hourly."""
    context = app[CONTEXT]
    settings = context.settings
    last_retention = -math.inf
    while True:
        try:
            await context.database.call(context.indexer.refresh)
            if time.monotonic() - last_retention >= RETENTION_INTERVAL:
                last_retention = time.monotonic()
                deleted = await context.database.call(lambda: delete_expired(
                    context.database, context.indexer, settings.review_retention_days))
                if deleted:
                    logger.info("retention: deleted %d conversations", deleted)
                await context.database.run(sessions.prune)
                await context.database.call(context.database.analyse)
                context.login_by_client.prune()
                context.login_failures.prune()
        except Exception:  # the next round tries again; the web server keeps serving
            logger.exception("review index or retention job failed")
        await asyncio.sleep(settings.review_index_seconds)


async def _start(app: web.Application) -> None:
    context = app[CONTEXT]
    await context.database.call(context.database.create_schema)
    app[MAINTENANCE] = asyncio.create_task(_maintain(app))


async def _stop(app: web.Application) -> None:
    task = app.get(MAINTENANCE)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    context = app[CONTEXT]
    await asyncio.get_running_loop().run_in_executor(None, context.database.close)
    context.tracker.close()


MAINTENANCE = web.AppKey("review_maintenance", asyncio.Task)


def setup_review(app: web.Application, settings: Settings) -> None:
    """Adds the review tool's routes, guard, background job and context to the web server's `app`."""
    database = ReviewDatabase(settings.review_url)
    tracker = TrackerEvents(settings.tracker_url)
    app[CONTEXT] = ReviewContext(
        settings=settings, database=database, tracker=tracker,
        indexer=Indexer(database, tracker, settings.timezone), templates=make_templates(settings.timezone),
        intents=domain_intents(), login_by_client=RateLimiter(LOGIN_ATTEMPTS_PER_CLIENT, LOGIN_WINDOW),
        login_failures=RateLimiter(LOGIN_FAILURES_PER_USERNAME, LOGIN_WINDOW))
    app.middlewares.append(guard)
    app.router.add_get(f"{BASE}/login", login_page)
    app.router.add_post(f"{BASE}/login", login)
    app.router.add_post(f"{BASE}/logout", logout)
    app.router.add_get(f"{BASE}/language", choose_language)
    add_routes(app)
    app.router.add_static(f"{BASE}/static/", STATIC, follow_symlinks=False)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
