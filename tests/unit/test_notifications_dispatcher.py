"""The outbox dispatcher: due messages are sent once, failures retried with backoff, withdrawn ones never."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.backend.db import Database
from bot.notifications.dispatcher import Dispatcher, retry_delay
from bot.notifications.outbox import OutboxMessage, delete_finished, enqueue, utcnow, withdraw
from bot.notifications.senders import LocalSender, SendError, senders_from_settings
from bot.settings import Settings


class FailingSender(LocalSender):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def send(self, message):
        if self.failures:
            self.failures -= 1
            raise SendError("gateway down")
        await super().send(message)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture()
def db():
    database = Database("sqlite://")
    database.create_schema()
    yield database
    database.close()


def add(db, **fields):
    values = dict(channel="sms", recipient="+358401234567", language="fi", kind="verification_code", body="Koodi")
    values.update(fields)

    def work(session):
        added = enqueue(session, **values)
        session.flush()
        return added.id
    return db.transaction(work)


def message(db, message_id) -> OutboxMessage:
    return db.transaction(lambda session: session.get(OutboxMessage, message_id))


async def test_due_messages_are_sent_and_marked(db):
    sms, email = LocalSender(), LocalSender()
    first = add(db)
    second = add(db, channel="email", recipient="maria@example.com", subject="Aihe", body="Hei")
    later = add(db, send_after=utcnow() + dt.timedelta(days=1))
    dispatcher = Dispatcher(db, {"sms": sms, "email": email})
    assert await dispatcher.run_once() == 2
    assert [m.id for m in sms.sent] == [first] and [(m.id, m.subject) for m in email.sent] == [(second, "Aihe")]
    assert message(db, first).sent_at is not None and message(db, first).attempts == 1
    assert message(db, later).sent_at is None
    assert await dispatcher.run_once() == 0
    assert len(sms.sent) == 1


async def test_failures_are_retried_with_backoff_until_the_limit(db):
    sender = FailingSender(failures=2)
    message_id = add(db)
    clock = Clock()
    dispatcher = Dispatcher(db, {"sms": sender, "email": LocalSender()}, clock=clock, max_attempts=5)
    assert await dispatcher.run_once() == 1
    failed = message(db, message_id)
    assert failed.sent_at is None and failed.attempts == 1 and failed.last_error == "gateway down"
    assert await dispatcher.run_once() == 0  # not due before the backoff
    clock.now += retry_delay(1)
    assert await dispatcher.run_once() == 1
    clock.now += retry_delay(2)
    assert await dispatcher.run_once() == 1
    sent = message(db, message_id)
    assert sent.sent_at is not None and sent.attempts == 3 and sent.last_error is None

    hopeless = add(db)
    dispatcher.senders = {"sms": FailingSender(failures=100)}
    for _ in range(10):
        clock.now += dt.timedelta(hours=2)
        await dispatcher.run_once()
    assert message(db, hopeless).attempts == 5 and message(db, hopeless).sent_at is None


def test_backoff_grows_and_is_bounded():
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(50) == dt.timedelta(hours=1)


async def test_withdrawn_messages_are_not_sent(db):
    sender = LocalSender()
    kept = add(db, kind="booking_reminder", reference="booking:1")
    gone = add(db, kind="booking_reminder", reference="booking:2")
    other_kind = add(db, kind="booking_confirmation", reference="booking:2")
    assert db.transaction(lambda session: withdraw(session, reference="booking:2", kinds=("booking_reminder",))) == 1
    await Dispatcher(db, {"sms": sender}).run_once()
    assert sorted(m.id for m in sender.sent) == [kept, other_kind]
    assert message(db, gone).sent_at is None and message(db, gone).withdrawn_at is not None


def test_senders_follow_the_settings():
    senders = senders_from_settings(Settings())
    assert isinstance(senders["sms"], LocalSender) and isinstance(senders["email"], LocalSender)
    gateway = senders_from_settings(Settings(notify_sms_sender="gateway", sms_auth_token="secret"))
    assert type(gateway["sms"]).__name__ == "GatewaySmsSender"
    with pytest.raises(ValueError):
        senders_from_settings(Settings(notify_sms_sender="gateway"))
    smtp = senders_from_settings(Settings(notify_email_sender="smtp"))
    assert type(smtp["email"]).__name__ == "SmtpEmailSender"


async def test_one_time_code_texts_are_removed_once_worthless(db):
    clock = Clock()
    dispatcher = Dispatcher(db, {"sms": LocalSender(), "email": LocalSender()}, clock=clock)
    code = add(db, body="Koodisi on 123456")
    confirmation = add(db, kind="booking_confirmation", body="Aika on varattu")
    await dispatcher.run_once()
    assert message(db, code).body == "Koodisi on 123456"  # still inside its lifetime
    clock.now += dt.timedelta(minutes=20)
    await dispatcher.run_once()
    assert "123456" not in message(db, code).body
    assert message(db, confirmation).body == "Aika on varattu"


async def test_finished_messages_are_deleted_after_the_retention_and_pending_ones_kept(db):
    clock = Clock()
    start = clock.now
    sent = add(db, kind="booking_confirmation")
    withdrawn = add(db, kind="reminder", reference="b1", send_after=start + dt.timedelta(days=60))
    db.transaction(lambda session: withdraw(session, reference="b1", kinds=("reminder",)))
    reminder = add(db, kind="reminder", send_after=start + dt.timedelta(days=60))  # booked months ahead
    given_up = add(db, kind="booking_confirmation", channel="email", recipient="maria@example.com", subject="Aihe")
    dispatcher = Dispatcher(db, {"sms": LocalSender(), "email": FailingSender(failures=99)},
                            max_attempts=1, clock=clock)
    clock.now = start + dt.timedelta(seconds=1)
    await dispatcher.run_once()
    assert message(db, sent).sent_at is not None and message(db, given_up).attempts == 1

    def purge(session):  # what bot/backend/retention.py does with the outbox, 30 days on
        return delete_finished(session, clock.now - dt.timedelta(days=30), max_attempts=1)

    clock.now = start + dt.timedelta(days=29)
    assert db.transaction(purge) == 0
    clock.now = start + dt.timedelta(days=31)
    assert db.transaction(purge) == 3
    assert [message(db, i) for i in (sent, withdrawn, given_up)] == [None, None, None]
    assert message(db, reminder) is not None and message(db, reminder).sent_at is None


def test_the_retention_comes_from_the_settings(monkeypatch):
    from bot.settings import load_settings

    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "7")
    assert load_settings().outbox_retention_days == 7
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="OUTBOX_RETENTION_DAYS"):
        load_settings()
