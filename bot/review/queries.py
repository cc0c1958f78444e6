"""Filters, full-text search, the conversation list and dashboard figures over the review index.

Every value a user gives is validated here and reaches SQL only as a bound
parameter; full-text queries are rebuilt from their words, so no search
syntax (FTS5 or LIKE wildcards) passes through.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, bindparam, case, column, func, not_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.review.store import SEARCH_TABLE, Conversation, ConversationIntent, ConversationText, Tag

PAGE_SIZE = 50
MAX_PAGE = 100_000
MAX_SEARCH_WORDS = 8
FLAG_VALUES = ("", "yes", "no")
_NAME = re.compile(r"[\w.:-]{1,255}")


@dataclass(frozen=True)
class Filters:
    """The list's filters, as given in the query string (all optional)."""

    date_from: str = ""
    date_to: str = ""
    language: str = ""
    channel: str = ""
    intent: str = ""
    fallback: str = ""
    booking: str = ""
    verification: str = ""
    tag: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> tuple[Filters, list[str]]:
        """Valid filters and the names of the fields that were not (those are left out)."""
        errors: list[str] = []
        values: dict[str, Any] = {}
        for name in ("date_from", "date_to"):
            raw = (query.get(name) or "").strip()
            if raw:
                try:
                    date.fromisoformat(raw)
                    values[name] = raw
                except ValueError:
                    errors.append(name)
        for name in ("language", "channel", "intent"):
            raw = (query.get(name) or "").strip()
            if raw:
                if _NAME.fullmatch(raw):
                    values[name] = raw
                else:
                    errors.append(name)
        for name in ("fallback", "booking", "verification"):
            raw = (query.get(name) or "").strip()
            if raw in FLAG_VALUES:
                values[name] = raw
            else:
                errors.append(name)
        tag = normalise_tag(query.get("tag") or "")
        if tag is None:
            errors.append("tag")
        else:
            values["tag"] = tag
        search = (query.get("q") or "").strip()
        if len(search) > 200:
            errors.append("q")
        else:
            values["q"] = search
        raw_page = (query.get("page") or "1").strip()
        if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            values["page"] = int(raw_page)
        else:
            errors.append("page")
        if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
            errors.append("date_to")
            values.pop("date_to")
        return cls(**values), errors

    def query_string(self, **changes: Any) -> str:
        """These filters (with `changes`) as a query string, empty values left out."""
        current = replace(self, **changes)
        pairs = [(f.name, getattr(current, f.name)) for f in fields(current)]
        return urlencode([(k, v) for k, v in pairs if v not in ("", None) and not (k == "page" and v == 1)])

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "page")


def normalise_tag(raw: str) -> str | None:
    """A tag in lower case with single spaces; None when it is not a valid tag ('' when empty)."""
    tag = " ".join(raw.strip().lower().split())
    if not tag:
        return ""
    if len(tag) > 40 or not re.fullmatch(r"[\w][\w -]*", tag):
        return None
    return tag


def search_words(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())[:MAX_SEARCH_WORDS]


def _day_start(day: str, timezone: str) -> float:
    return datetime.combine(date.fromisoformat(day), time(0), ZoneInfo(timezone)).timestamp()


def filtered(statement: Select, filters: Filters, timezone: str, is_sqlite: bool) -> Select:
    """`statement` (over Conversation) narrowed by the filters."""
    conditions = []
    if filters.date_from:
        conditions.append(Conversation.last_at >= _day_start(filters.date_from, timezone))
    if filters.date_to:
        end = (date.fromisoformat(filters.date_to) + timedelta(days=1)).isoformat()
        conditions.append(Conversation.first_at < _day_start(end, timezone))
    if filters.language:
        conditions.append(Conversation.language == filters.language)
    if filters.channel:
        conditions.append(Conversation.channel == filters.channel)
    for name in ("fallback", "booking", "verification"):
        value = getattr(filters, name)
        if value:
            flag = getattr(Conversation, name)
            conditions.append(flag.is_(True) if value == "yes" else flag.is_(False))
    if filters.intent:
        conditions.append(Conversation.id.in_(
            select(ConversationIntent.conversation_id).where(ConversationIntent.intent == filters.intent)))
    if filters.tag:
        conditions.append(Conversation.id.in_(select(Tag.conversation_id).where(Tag.tag == filters.tag)))
    words = search_words(filters.q)
    if words:
        if is_sqlite:
            # Each word as a quoted prefix term ("asiakasnum"*), all required.
            match = " ".join(f'"{word}"*' for word in words)
            found = text(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match") \
                .bindparams(match=match).columns(column("rowid", Integer)).subquery()
            conditions.append(Conversation.id.in_(select(found.c.rowid)))
        else:
            conditions.extend(Conversation.id.in_(select(ConversationText.conversation_id).where(
                ConversationText.search_text.ilike(f"%{word}%"))) for word in words)
    return statement.where(and_(*conditions)) if conditions else statement


@dataclass
class Page:
    conversations: list[Conversation]
    total: int
    page: int
    pages: int


def list_conversations(session: Session, filters: Filters, timezone: str, is_sqlite: bool) -> Page:
    total = session.execute(filtered(select(func.count()).select_from(Conversation), filters, timezone,
                                     is_sqlite)).scalar_one()
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(filters.page, pages)
    rows = session.execute(
        filtered(select(Conversation), filters, timezone, is_sqlite)
        .order_by(Conversation.last_at.desc(), Conversation.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars().all()
    return Page(list(rows), total, page, pages)


MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet; the page turns them into <mark>


def snippets(session: Session, filters: Filters, conversation_ids: list[int], is_sqlite: bool) -> dict[int, str]:
    """For a search, the part of each listed conversation's text where the words were found."""
    words = search_words(filters.q)
    if not words or not conversation_ids:
        return {}
    if is_sqlite:
        match = " ".join(f'"{word}"*' for word in words)
        statement = text(f"SELECT rowid, snippet({SEARCH_TABLE}, 0, :start, :end, '…', 16) FROM {SEARCH_TABLE} "
                         f"WHERE {SEARCH_TABLE} MATCH :match AND rowid IN :ids").bindparams(
            bindparam("ids", expanding=True), match=match, start=MARK_START, end=MARK_END, ids=conversation_ids)
        return {int(rowid): snippet for rowid, snippet in session.execute(statement)}
    found = {}
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    for conversation_id, search_text in session.execute(select(
            ConversationText.conversation_id, ConversationText.search_text)
            .where(ConversationText.conversation_id.in_(conversation_ids))):
        first = pattern.search(search_text)
        start = max(0, first.start() - 60) if first else 0
        part = search_text[start:start + 160]
        marked = pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, part)
        found[conversation_id] = ("…" if start else "") + marked
    return found


def matching_ids(session: Session, filters: Filters, timezone: str, is_sqlite: bool, limit: int) -> list[int]:
    """Ids of the conversations the filters select, newest first (for exports)."""
    statement = filtered(select(Conversation.id), filters, timezone, is_sqlite)
    return list(session.execute(statement.order_by(Conversation.last_at.desc()).limit(limit)).scalars())


def tags_of(session: Session, conversation_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if conversation_ids:
        for conversation_id, tag in session.execute(
                select(Tag.conversation_id, Tag.tag).where(Tag.conversation_id.in_(conversation_ids))
                .order_by(Tag.tag)):
            found.setdefault(conversation_id, []).append(tag)
    return found


def choices(session: Session) -> dict[str, list[str]]:
    """Values the filters offer: channels, tags and intents seen in the index."""
    return {
        "channels": [c for c in session.execute(select(Conversation.channel).distinct().order_by(
            Conversation.channel)).scalars() if c],
        "tags": list(session.execute(select(Tag.tag).distinct().order_by(Tag.tag)).scalars()),
        "intents": list(session.execute(select(ConversationIntent.intent).distinct().order_by(
            ConversationIntent.intent)).scalars()),
    }


@dataclass
class Dashboard:
    conversations: int
    per_day: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    top_intents: list[tuple[str, int]]
    fallback_conversations: int
    user_messages: int
    fallback_messages: int
    contained: int

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    @property
    def conversation_fallback_rate(self) -> float:
        return self.fallback_conversations / self.conversations if self.conversations else 0.0

    @property
    def containment(self) -> float:
        return self.contained / self.conversations if self.conversations else 0.0


def dashboard(session: Session, filters: Filters, timezone: str, is_sqlite: bool) -> Dashboard:
    """Figures over the filtered conversations: one pass grouped by day, language and channel, one for intents."""
    contained = case((and_(Conversation.user_messages > 0, not_(Conversation.handoff),
                           not_(Conversation.last_turn_fallback)), 1), else_=0)
    keys = (Conversation.first_day, Conversation.language, Conversation.channel)
    statement = filtered(select(
        *keys, func.count(), func.sum(case((Conversation.fallback.is_(True), 1), else_=0)),
        func.sum(Conversation.user_messages), func.sum(Conversation.fallback_messages), func.sum(contained)),
        filters, timezone, is_sqlite).group_by(*keys)
    per_day: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    totals = [0, 0, 0, 0, 0]
    for day, language, channel, *figures in session.execute(statement):
        per_day[day] += figures[0]
        languages[language or ""] += figures[0]
        channels[channel or ""] += figures[0]
        totals = [total + int(value or 0) for total, value in zip(totals, figures, strict=True)]
    count = func.count().label("n")
    by_intent = select(ConversationIntent.intent, count)
    if filters.active:  # without filters the intent index alone answers
        by_intent = filtered(by_intent.join(Conversation, Conversation.id == ConversationIntent.conversation_id),
                             filters, timezone, is_sqlite)
    top_intents = [(intent, int(n)) for intent, n in session.execute(
        by_intent.group_by(ConversationIntent.intent)
        .order_by(count.desc(), ConversationIntent.intent).limit(10))]

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:10]

    return Dashboard(
        conversations=totals[0], per_day=sorted(per_day.items())[-62:], languages=ranked(languages),
        channels=ranked(channels), top_intents=top_intents, fallback_conversations=totals[1],
        user_messages=totals[2], fallback_messages=totals[3], contained=totals[4],
    )
