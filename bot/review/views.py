"""The review tool's pages: conversation list, transcript, tags, comments, training examples,
exports, dashboard, deletion and the audit log."""

from __future__ import annotations

import time
from datetime import datetime

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.privacy.redaction import default_redactor
from bot.review import charts
from bot.review.audit import recent, record
from bot.review.exports import csv_header, csv_rows, json_chunk, json_conversation, nlu_yaml, shown_id
from bot.review.i18n import translate
from bot.review.queries import (
    Filters,
    choices,
    dashboard,
    list_conversations,
    matching_ids,
    normalise_tag,
    snippets,
    tags_of,
)
from bot.review.rendering import (
    BASE,
    LANGUAGE_KEY,
    NO_STORE_HEADERS,
    client_of,
    context_of,
    error_page,
    redirect,
    render,
    staff_of,
)
from bot.review.retention import delete_conversation
from bot.review.store import Comment, Conversation, Tag, TrainingExample
from bot.review.summary import detected_language, intent_of, transcript

EXPORT_LIMIT = 10_000          # conversations in one CSV or JSON export
EXPORT_CHUNK = 200
REQUEST_REFRESH_BATCHES = 4    # a page waits for at most this many index batches; the background does the rest
MAX_COMMENT = 2000
AUDIT_PAGE = 100


async def refresh_index(request: web.Request) -> None:
    context = context_of(request)
    await context.database.call(lambda: context.indexer.refresh(max_batches=REQUEST_REFRESH_BATCHES, wait=5.0))


def _conversation_id(request: web.Request) -> int:
    return int(request.match_info["conversation_id"])


async def index(request: web.Request) -> web.Response:
    return redirect(f"{BASE}/conversations")


async def conversations(request: web.Request) -> web.Response:
    context = context_of(request)
    filters, errors = Filters.parse(request.query)
    await refresh_index(request)
    settings, is_sqlite = context.settings, context.database.is_sqlite

    def load(session: Session):  # type: ignore[no-untyped-def]
        page = list_conversations(session, filters, settings.timezone, is_sqlite)
        ids = [c.id for c in page.conversations]
        return page, tags_of(session, ids), choices(session), snippets(session, filters, ids, is_sqlite)

    page, tags, options, found = await context.database.run(load)
    intents = sorted(set(options["intents"]) | set(context.intents))
    return render(request, "conversations.html", status=400 if errors else 200, filters=filters, errors=errors,
                  page=page, tags=tags, options=options, intents=intents, export_limit=EXPORT_LIMIT, snippets=found,
                  notice=request.query.get("deleted", "") if request.query.get("deleted", "").isdigit() else "")


def _load_conversation(session: Session, conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    tags = list(session.execute(select(Tag.tag).where(Tag.conversation_id == conversation_id)
                                .order_by(Tag.tag)).scalars())
    comments = list(session.execute(select(Comment).where(Comment.conversation_id == conversation_id)
                                    .order_by(Comment.id)).scalars())
    examples = {e.event_id: e.intent for e in session.execute(
        select(TrainingExample).where(TrainingExample.conversation_id == conversation_id)).scalars()}
    return conversation, tags, comments, examples


async def conversation_page(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    conversation_id = _conversation_id(request)
    loaded = await context.database.run(lambda s: _load_conversation(s, conversation_id))
    if loaded is None:
        return error_page(request, 404, "not_found")
    conversation, tags, comments, examples = loaded
    events = await context.database.call(lambda: context.tracker.of(conversation.sender_id))
    await context.database.run(lambda s: record(s, staff.username, "view", conversation_id, client=client_of(request)))
    return render(request, "conversation.html", conversation=conversation, tags=tags, comments=comments,
                  examples=examples, turns=transcript(events), intents=context.intents,
                  sender=shown_id(conversation.sender_id),
                  error_key=request.query.get("error", "") if request.query.get("error") in (
                      "invalid_tag", "invalid_comment", "invalid_intent", "invalid_message") else "")


def _back(conversation_id: int, anchor: str = "", error: str = "") -> web.Response:
    query = f"?error={error}" if error else ""
    return redirect(f"{BASE}/conversations/{conversation_id}{query}{'#' + anchor if anchor else ''}")


async def _form_text(request: web.Request, name: str) -> str:
    value = (await request.post()).get(name, "")
    return value if isinstance(value, str) else ""


async def add_tag(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    conversation_id = _conversation_id(request)
    tag = normalise_tag(await _form_text(request, "tag"))
    if not tag:
        return _back(conversation_id, "tags", "invalid_tag")

    def add(session: Session) -> bool:
        if session.get(Conversation, conversation_id) is None:
            return False
        if session.get(Tag, (conversation_id, tag)) is None:
            session.add(Tag(conversation_id=conversation_id, tag=tag, created_by=staff.username,
                            created_at=time.time()))
            record(session, staff.username, "tag", conversation_id, detail=tag, client=client_of(request))
        return True

    if not await context.database.run(add):
        return error_page(request, 404, "not_found")
    return _back(conversation_id, "tags")


async def remove_tag(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    conversation_id = _conversation_id(request)
    tag = normalise_tag(await _form_text(request, "tag")) or ""

    def remove(session: Session) -> None:
        if session.execute(delete(Tag).where(Tag.conversation_id == conversation_id, Tag.tag == tag)).rowcount:
            record(session, staff.username, "untag", conversation_id, detail=tag, client=client_of(request))

    await context.database.run(remove)
    return _back(conversation_id, "tags")


async def add_comment(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    conversation_id = _conversation_id(request)
    body = (await _form_text(request, "body")).strip()
    if not body or len(body) > MAX_COMMENT:
        return _back(conversation_id, "comments", "invalid_comment")

    def add(session: Session) -> bool:
        if session.get(Conversation, conversation_id) is None:
            return False
        session.add(Comment(conversation_id=conversation_id, author=staff.username, created_at=time.time(),
                            body=default_redactor().redact(body)))
        record(session, staff.username, "comment", conversation_id, client=client_of(request))
        return True

    if not await context.database.run(add):
        return error_page(request, 404, "not_found")
    return _back(conversation_id, "comments")


async def mark_training(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    conversation_id = _conversation_id(request)
    form = await request.post()
    intent, raw_event = form.get("intent", ""), form.get("event_id", "")
    if not isinstance(raw_event, str) or not raw_event.isdigit() or len(raw_event) > 18:
        return _back(conversation_id, "", "invalid_message")
    if intent not in context.intents:
        return _back(conversation_id, f"message-{raw_event}", "invalid_intent")
    conversation = await context.database.run(lambda s: s.get(Conversation, conversation_id))
    if conversation is None:
        return error_page(request, 404, "not_found")
    event_id = int(raw_event)
    events = await context.database.call(lambda: context.tracker.of(conversation.sender_id))
    message = next((e for e in events if e.id == event_id and e.type_name == "user"), None)
    if message is None:
        return _back(conversation_id, "", "invalid_message")
    text = default_redactor().redact(message.data.get("text") or "")
    predicted, _ = intent_of(message.data)

    def save(session: Session) -> None:
        example = session.execute(select(TrainingExample).where(TrainingExample.event_id == event_id)) \
            .scalar_one_or_none()
        if example is None:
            session.add(TrainingExample(
                conversation_id=conversation_id, event_id=event_id, text=text, intent=intent,
                predicted_intent=predicted,
                language=detected_language(message.data) or conversation.language, created_by=staff.username,
                created_at=time.time()))
        else:
            example.intent, example.created_by, example.created_at = intent, staff.username, time.time()
        record(session, staff.username, "training_add", conversation_id, detail=f"{intent} (event {event_id})",
               client=client_of(request))

    await context.database.run(save)
    return _back(conversation_id, f"message-{event_id}")


async def delete_page(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    if not staff.is_admin:
        return error_page(request, 403, "forbidden")
    conversation_id = _conversation_id(request)
    conversation = await context.database.run(lambda s: s.get(Conversation, conversation_id))
    if conversation is None:
        return error_page(request, 404, "not_found")
    if request.method == "GET":
        return render(request, "delete.html", conversation=conversation)
    await context.database.call(lambda: delete_conversation(
        context.database, context.indexer, conversation_id, staff.username, client_of(request)))
    return redirect(f"{BASE}/conversations?deleted={conversation_id}")


async def export_conversations(request: web.Request) -> web.StreamResponse:
    context, staff = context_of(request), staff_of(request)
    kind = request.match_info["kind"]
    filters, errors = Filters.parse(request.query)
    if errors:
        return error_page(request, 400, "bad_request")
    await refresh_index(request)
    settings, database = context.settings, context.database
    ids = await database.run(lambda s: matching_ids(s, filters, settings.timezone, database.is_sqlite, EXPORT_LIMIT))
    await database.run(lambda s: record(s, staff.username, "export", detail=(
        f"{kind}, {len(ids)} conversations, filters: {filters.query_string() or '-'}"), client=client_of(request)))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    response = web.StreamResponse(headers={
        **NO_STORE_HEADERS,
        "Content-Type": "text/csv; charset=utf-8" if kind == "csv" else "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="conversations-{stamp}.{kind}"'})
    await response.prepare(request)
    await response.write(("\ufeff" + csv_header() if kind == "csv" else "").encode())

    def build(chunk: list[int], first: bool) -> str:
        rows = database.transaction(lambda s: (
            list(s.execute(select(Conversation).where(Conversation.id.in_(chunk))).scalars()), tags_of(s, chunk)))
        found, tags = rows
        order = {conversation_id: n for n, conversation_id in enumerate(chunk)}
        found.sort(key=lambda c: order[c.id])
        events = context.tracker.of_many(c.sender_id for c in found)
        if kind == "csv":
            return csv_rows(found, events, settings.timezone)
        return json_chunk([json_conversation(c, events.get(c.sender_id, []), tags.get(c.id, []), settings.timezone)
                           for c in found], first)

    wrote = False
    for start in range(0, len(ids), EXPORT_CHUNK):
        part = await database.call(lambda start=start, first=not wrote: build(ids[start:start + EXPORT_CHUNK], first))
        wrote = wrote or bool(part)
        await response.write(part.encode())
    if kind == "json":
        await response.write(b"\n]\n" if wrote else b"[]\n")
    await response.write_eof()
    return response


async def dashboard_page(request: web.Request) -> web.Response:
    context = context_of(request)
    filters, errors = Filters.parse(request.query)
    await refresh_index(request)
    settings, is_sqlite = context.settings, context.database.is_sqlite

    def load(session: Session):  # type: ignore[no-untyped-def]
        return dashboard(session, filters, settings.timezone, is_sqlite), choices(session)

    figures, options = await context.database.run(load)
    language = request[LANGUAGE_KEY]
    unknown = translate(language, "unknown")
    language_names = [(translate(language, f"lang_{code}") if code in ("fi", "sv", "en") else (code or unknown), n)
                      for code, n in figures.languages]
    channels = [(code or unknown, n) for code, n in figures.channels]
    return render(
        request, "dashboard.html", status=400 if errors else 200, filters=filters, errors=errors, figures=figures,
        options=options, language_names=language_names, channels=channels,
        per_day_chart=charts.columns("chart-per-day", translate(language, "per_day"), figures.per_day),
        language_chart=charts.horizontal_bars("chart-languages", translate(language, "language_mix"),
                                              language_names),
        channel_chart=charts.horizontal_bars("chart-channels", translate(language, "channel_mix"), channels),
        intent_chart=charts.horizontal_bars("chart-intents", translate(language, "top_intents"), figures.top_intents),
        rate_chart=charts.horizontal_bars(
            "chart-rates", translate(language, "key_figures"),
            [(translate(language, "fallback_rate"), figures.fallback_rate * 100),
             (translate(language, "fallback_conversations"), figures.conversation_fallback_rate * 100),
             (translate(language, "containment"), figures.containment * 100)],
            value_text=lambda v: f"{v:.1f} %", label_width=340, maximum=100),
    )


def _training_language(request: web.Request) -> str:
    language = request.query.get("language", "")
    return language if language in ("fi", "sv", "en") else ""


async def training_page(request: web.Request) -> web.Response:
    context = context_of(request)
    language = _training_language(request)

    def load(session: Session) -> list[TrainingExample]:
        statement = select(TrainingExample).order_by(TrainingExample.intent, TrainingExample.id)
        if language:
            statement = statement.where(TrainingExample.language == language)
        return list(session.execute(statement).scalars())

    examples = await context.database.run(load)
    return render(request, "training.html", examples=examples, language=language)


async def remove_training(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    example_id = int(request.match_info["example_id"])

    def remove(session: Session) -> None:
        example = session.get(TrainingExample, example_id)
        if example is not None:
            record(session, staff.username, "training_remove", example.conversation_id, detail=example.intent,
                   client=client_of(request))
            session.delete(example)

    await context.database.run(remove)
    return redirect(f"{BASE}/training")


async def export_training(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    language = _training_language(request)

    def load(session: Session) -> list[TrainingExample]:
        statement = select(TrainingExample).order_by(TrainingExample.intent, TrainingExample.id)
        if language:
            statement = statement.where(TrainingExample.language == language)
        examples = list(session.execute(statement).scalars())
        record(session, staff.username, "export", detail=f"nlu yaml, {len(examples)} examples, {language or 'all'}",
               client=client_of(request))
        return examples

    examples = await context.database.run(load)
    note = f"Training examples labelled in the staff review tool ({language or 'all languages'})."
    return web.Response(text=nlu_yaml(examples, note), content_type="application/x-yaml", headers={
        **NO_STORE_HEADERS,
        "Content-Disposition": f'attachment; filename="review-training-{language or "all"}.yml"'})


async def audit_page(request: web.Request) -> web.Response:
    context, staff = context_of(request), staff_of(request)
    if not staff.is_admin:
        return error_page(request, 403, "forbidden")
    raw_page = request.query.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1_000_000 else 1
    entries, total = await context.database.run(lambda s: recent(s, AUDIT_PAGE, (page - 1) * AUDIT_PAGE))
    pages = max(1, (total + AUDIT_PAGE - 1) // AUDIT_PAGE)
    return render(request, "audit.html", entries=entries, page=min(page, pages), pages=pages)


def add_routes(app: web.Application) -> None:
    conversation = BASE + r"/conversations/{conversation_id:\d{1,18}}"
    router = app.router
    router.add_get(BASE, index)
    router.add_get(f"{BASE}/", index)
    router.add_get(f"{BASE}/conversations", conversations)
    router.add_get(conversation, conversation_page)
    router.add_post(conversation + "/tags", add_tag)
    router.add_post(conversation + "/tags/remove", remove_tag)
    router.add_post(conversation + "/comments", add_comment)
    router.add_post(conversation + "/training", mark_training)
    router.add_get(conversation + "/delete", delete_page)
    router.add_post(conversation + "/delete", delete_page)
    router.add_get(BASE + r"/export.{kind:csv|json}", export_conversations)
    router.add_get(f"{BASE}/dashboard", dashboard_page)
    router.add_get(f"{BASE}/training", training_page)
    router.add_post(BASE + r"/training/{example_id:\d{1,18}}/remove", remove_training)
    router.add_get(f"{BASE}/training/export.yml", export_training)
    router.add_get(f"{BASE}/audit", audit_page)
