"""Rasa's SQL tracker store, redacting every event before it is written (and keeping
recent conversations in memory between turns, bot/runtime/tracker_cache.py).

SQLite by default (var/tracker.db); the other SQLTrackerStore settings
(dialect, host, port, username, password) select PostgreSQL. Slots listed as
sensitive are stored as "[REDACTED]" unless their value is sealed (encrypted
by the action server, bot/privacy/sealing.py); every other string in
an event (user text, parse data, entities, metadata, slot values, bot text)
goes through bot/privacy/redaction.py, and a sensitive slot's value is also
removed from the messages saved with it, however the user spaced it. A status
answer of the bot (marked by the action that gave it) is stored as "[STATUS]".

One pass, before anything leaves the process: a turn's new events are redacted
once, in a worker thread (the name finder's dictionary look-ups stay off the
event loop), and the same redacted events go to the event broker, when one is
configured, and to the database. Log lines are redacted by bot/privacy/logs.py,
installed here for the Rasa server.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.identity.tokens import IDENTITY_METADATA_KEY
from bot.privacy.logs import install_log_redaction
from bot.privacy.redaction import Redactor, default_redactor, value_pattern
from bot.privacy.sealing import is_sealed
from bot.privacy.spans import STATUS, STATUS_ANSWER_KEY
from bot.runtime.tracker_cache import TrackerCache, current_session_start
from bot.sqlite import on_connect

# Slots whose values are personal by definition (the verification and booking
# forms add theirs here); extend with REDACTED_SLOTS="a,b".
SENSITIVE_SLOTS = frozenset({
    "customer_number", "date_of_birth", "one_time_code", "pin", "reservation_key",
    "phone_number", "email", "name", "identity_code",
    "booking_name", "booking_contact", "booking_key", "booking_pin", "booking_resend_contact",
    "status_ticket",
})
REDACTED = "[REDACTED]"
# An SMS gateway's message id (two letters, 32 hex digits) is no personal data, and the SMS
# channel recognises a redelivered message by it: it is stored as sent, where redaction would
# turn its digit runs into [NUMBER] and the like.
GATEWAY_MESSAGE_ID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
# Redaction runs here, one turn at a time, in the order the turns are saved.
_REDACTION_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redaction")
logger = logging.getLogger(__name__)


def sensitive_slots() -> frozenset[str]:
    extra = {name.strip() for name in os.environ.get("REDACTED_SLOTS", "").split(",") if name.strip()}
    return SENSITIVE_SLOTS | extra


def _replace_values(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_replace_values(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _replace_values(item, pattern) for key, item in value.items()}
    return value


def _without_subject(metadata: Any) -> Any:
    """A verified identity is stored as the fact of verification, without who it was."""
    if isinstance(metadata, dict) and isinstance(metadata.get(IDENTITY_METADATA_KEY), dict):
        identity = metadata[IDENTITY_METADATA_KEY]
        metadata = {**metadata, IDENTITY_METADATA_KEY: {
            "verified": True, "method": identity.get("method"), "role": identity.get("role")}}
    return metadata


def redact_event(
    event: Event, redactor: Redactor, slots: Iterable[str], values: re.Pattern[str] | None = None
) -> Event:
    """`values` (from `value_pattern`) finds sensitive slot values wherever they were typed."""
    data: dict[str, Any] = event.as_dict()
    if values is not None and not isinstance(event, SlotSet):
        data = _replace_values(data, values)
    if isinstance(event, SlotSet) and event.key in slots and event.value is not None and not is_sealed(event.value):
        data["value"] = REDACTED
    if "metadata" in data:
        data["metadata"] = _without_subject(data["metadata"])
    if isinstance(event, SlotSet):  # session_started_metadata copies the first message's metadata
        data["value"] = _without_subject(data["value"])
    if isinstance(event, BotUttered) and (event.metadata or {}).get(STATUS_ANSWER_KEY):
        data["text"], data["data"] = STATUS, {}  # that a status was given, not what it was
    redacted = redactor.redact_value(data)
    message_id = (data.get("metadata") or {}).get("message_sid") if isinstance(data.get("metadata"), dict) else None
    if isinstance(message_id, str) and GATEWAY_MESSAGE_ID.fullmatch(message_id):
        redacted["metadata"]["message_sid"] = message_id
    # The event's own class rebuilds it: Event.from_parameters searched all event classes each time.
    return type(event)._from_parameters(redacted)


@contextmanager
def _creating_tables_alone(settings: dict[str, Any]) -> Iterator[None]:
    """Rasa creates the tables as each worker starts; on SQLite the workers take turns
    (a file lock on the database), instead of all but one logging "Could not create tables"."""
    if settings.get("dialect", "sqlite") != "sqlite" or not settings.get("db"):
        yield
        return
    with open(settings["db"], "ab") as database:  # an empty file is a new SQLite database
        fcntl.flock(database, fcntl.LOCK_EX)  # independent of SQLite's own (fcntl) locks
        try:
            yield
        finally:
            fcntl.flock(database, fcntl.LOCK_UN)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose new events are redacted on their way to the database."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        with _creating_tables_alone(kwargs):
            super().__init__(domain, **kwargs)
            self._index_sessions()
        if self.engine.dialect.name == "sqlite":
            self._reuse_one_sqlite_connection()
        self.redactor = default_redactor()
        self.redactor.warm_up()
        self.slots = sensitive_slots()
        install_log_redaction()  # logging is configured by the time Rasa creates its tracker store
        self.cache = TrackerCache(self.SQLEvent.__table__)
        self._insert_events = self.SQLEvent.__table__.insert()  # built once, compiled once

    def _index_sessions(self) -> None:
        """Indexes that find a conversation's latest session start, and its rows from there, without
        reading the rest of the conversation (Rasa's table indexes the conversation id alone; on SQLite
        that index holds the row id too). Plain DDL: an `sa.Index` would join Rasa's shared table
        definition and be created again with every store's tables."""
        import sqlalchemy as sa

        table = self.SQLEvent.__tablename__
        indexes = {"ix_events_type_sender_id": "type_name, sender_id, id"}
        if self.engine.dialect.name != "sqlite":
            indexes["ix_events_sender_id_id"] = "sender_id, id"
        for name, columns in indexes.items():
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"))
            except sa.exc.DBAPIError:  # another server created it meanwhile
                logger.debug("Index %s exists already", name)

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's query of a conversation's events, with the current session's rows found from the
        latest SessionStarted row's id through the indexes above. Rasa compared every row's timestamp
        with the latest session start's (and found that by scanning the conversation): a read grew
        with the whole conversation, not the session. Rows are in id order either way."""
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            query = query.filter(self.SQLEvent.id >= current_session_start(self.SQLEvent.__table__, sender_id))
        return query.order_by(self.SQLEvent.id)

    def _reuse_one_sqlite_connection(self) -> None:
        """One SQLite connection for the server's single event-loop thread, in write-ahead-log
        mode with normal syncing. Rasa opened and closed a connection for every read and
        write and waited for several fsyncs per commit: together about a fifth of the
        server's time under load. A crash of the process loses nothing; a power cut may
        lose the last turns, never the file. Readers (the staff review tool) no longer
        block the writer."""
        import sqlalchemy as sa
        from sqlalchemy.orm import sessionmaker

        engine = sa.create_engine(self.engine.url, poolclass=sa.pool.StaticPool,
                                  connect_args={"check_same_thread": False, "timeout": 10})
        on_connect(engine, "journal_mode=WAL", "synchronous=NORMAL")

        self.engine.dispose()
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        # A new model's domain may define slots differently: trackers are rebuilt with it.
        self._domain = domain or Domain.empty()
        if hasattr(self, "cache"):
            self.cache.clear()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            # Read before the events: a write in between only makes the marker stale (a reload next time).
            marker = self.cache.marker(session, sender_id)
        cached = self.cache.get(sender_id, marker)
        if cached is not None:
            return cached
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self.cache.remember(tracker, marker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the tracker's new events, redacted (Rasa's save, with Core inserts and the cache); the
        event broker, when configured, gets the same redacted events and never the originals."""
        new_events = self.cache.unsaved_events(tracker)
        if new_events is None:
            with self.session_scope() as session:
                new_events = list(super()._additional_events(session, tracker))
        redacted = await self.redacted(new_events)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, redacted, tracker.sender_id)
        with self.session_scope() as session:
            rows = []
            for event in redacted:
                data = event.as_dict()
                rows.append({
                    "sender_id": tracker.sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                    "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                session.execute(self._insert_events, rows)
            marker = self.cache.marker(session, tracker.sender_id)
            session.commit()
        self.cache.remember(tracker, marker)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Streams the tracker's new events to the event broker, redacted (Rasa's sent them as they were)."""
        if self.event_broker is None:
            return
        old = await self.retrieve(tracker.sender_id)
        new_events = list(tracker.events)[len(old.events) if old is not None else 0:]
        await self._stream_new_events(self.event_broker, await self.redacted(new_events), tracker.sender_id)

    async def redacted(self, events: list[Event]) -> list[Event]:
        """The events redacted in the redaction thread (a turn's worth: about 0.5 ms, 5 ms at most)."""
        if not events:
            return []
        return await asyncio.get_running_loop().run_in_executor(_REDACTION_THREAD, self._redact_all, events)

    def _redact_all(self, events: list[Event]) -> list[Event]:
        return list(self._redacted(events))

    def _redacted(self, events: list[Event]) -> Iterator[Event]:
        # A value a form stored in a sensitive slot is also hidden in the same turn's messages.
        values = value_pattern(str(e.value) for e in events
                               if isinstance(e, SlotSet) and e.key in self.slots
                               and isinstance(e.value, str | int) and not isinstance(e.value, bool))
        for event in events:
            yield redact_event(event, self.redactor, self.slots, values)
