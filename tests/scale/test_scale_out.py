"""Scale-out over real processes: two Rasa servers and two action servers behind nginx (round
robin), one PostgreSQL tracker store, Redis as the lock store.

Many conversations at once, each message going to whichever Rasa server nginx
picks: every reply is right, every message is stored once, in order, with its
replies, and the messages of one conversation really did go to both servers.
Then Redis and PostgreSQL stop and come back mid-conversation.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aiohttp
import pytest
import sqlalchemy as sa

from tests.integration.helpers import REST_AUTHORIZATION, response_text, rest_conversation_id
from tests.integration.test_rest_conversations import CASES

pytestmark = pytest.mark.integration

CONVERSATIONS = 40
ORDER = ("greeting", "family_number", "citizenship_number", "hours", "urgent", "thanks")
# Messages of one conversation sent at the same moment (to different servers, most likely):
# the Redis lock must make one wait for the other.
TOGETHER = ("hours", "urgent")


def expected_reply(renderer, case: str, language: str) -> str | None:
    """The exact reply to each scripted message (None: checked by a number in it)."""
    return {
        "greeting": response_text("utter_greet", language).strip(),
        "family_number": renderer.service_number("family", language),
        "citizenship_number": None,
        "hours": renderer.answer("ask_service_hours", language),
        "urgent": renderer.answer("ask_urgent_matter", language),
        "thanks": response_text("utter_thank", language),
    }[case]


@dataclass
class Turn:
    case: str
    text: str
    replies: list[str]
    upstream: str


@dataclass
class ScriptedConversation:
    language: str
    sender: str = field(default_factory=lambda: f"scale-{uuid.uuid4().hex[:12]}")
    turns: list[Turn] = field(default_factory=list)


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> tuple[list[str], str]:
    async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                            headers=REST_AUTHORIZATION) as response:
        assert response.status == 200, (response.status, await response.text())
        body = await response.json()
        return [reply.get("text", "") for reply in body], response.headers.get("X-Upstream", "")


async def run_conversation(session, url: str, conversation: ScriptedConversation) -> None:
    case_texts = CASES[conversation.language]

    async def turn(case: str) -> Turn:
        replies, upstream = await say(session, url, conversation.sender, case_texts[case])
        return Turn(case, case_texts[case], replies, upstream)

    for case in ORDER:
        if case == TOGETHER[1]:
            continue
        if case == TOGETHER[0]:
            conversation.turns += await asyncio.gather(*(turn(each) for each in TOGETHER))
        else:
            conversation.turns.append(await turn(case))


async def run_all(url: str, conversations: list[ScriptedConversation]) -> None:
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=CONVERSATIONS * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(run_conversation(session, url, c) for c in conversations))


def stored_events(db_url: str, senders: list[str]) -> dict[str, list[dict]]:
    """The stored events of each REST conversation `sender` (kept under its namespaced id)."""
    stored_ids = {rest_conversation_id(sender): sender for sender in senders}
    engine = sa.create_engine(db_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT sender_id, data FROM events WHERE sender_id = ANY(:senders) ORDER BY id"),
                {"senders": list(stored_ids)},
            ).all()
    finally:
        engine.dispose()
    events: dict[str, list[dict]] = defaultdict(list)
    for sender, data in rows:
        events[stored_ids[sender]].append(json.loads(data))
    return events


def stored_turns(events: list[dict]) -> list[tuple[str, list[str]]]:
    """(user text, bot texts until the next user message) for each stored user message."""
    turns: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot":
            assert turns, f"a bot event before any user message: {event}"
            turns[-1][1].append(event["text"])
    return turns


@pytest.fixture(scope="module")
def load_run(stack):
    languages = ("fi", "sv", "en")
    conversations = [ScriptedConversation(languages[n % 3]) for n in range(CONVERSATIONS)]
    asyncio.run(run_all(stack.url, conversations))
    return conversations


def test_every_reply_is_right(load_run, renderer):
    for conversation in load_run:
        assert [turn.case for turn in conversation.turns] == list(ORDER)
        for turn in conversation.turns:
            reply = " ".join(turn.replies)
            expected = expected_reply(renderer, turn.case, conversation.language)
            if expected is None:
                assert "0295 790 604" in reply, (conversation.sender, turn)
            else:
                assert reply == expected, (conversation.sender, turn)


def test_messages_went_to_both_rasa_servers(stack, load_run):
    servers = {f"127.0.0.1:{port}" for port in stack.rasa_ports}
    served = Counter(turn.upstream for conversation in load_run for turn in conversation.turns)
    assert set(served) == servers, served
    total = sum(served.values())
    assert all(count >= total // 4 for count in served.values()), served
    # Round robin over interleaved conversations: almost every conversation crosses servers.
    crossing = sum(len({turn.upstream for turn in c.turns}) == 2 for c in load_run)
    assert crossing >= CONVERSATIONS * 3 // 4, crossing


def test_every_message_stored_once_in_order_with_its_replies(stack, load_run):
    events = stored_events(stack.tracker_db_url, [c.sender for c in load_run])
    for conversation in load_run:
        stored = stored_turns(events[conversation.sender])
        sent = [(turn.text, turn.replies) for turn in conversation.turns]
        # The two messages sent together may be stored in either order, each with its own replies.
        together = [i for i, turn in enumerate(conversation.turns) if turn.case in TOGETHER]
        assert len(stored) == len(sent), (conversation.sender, stored)
        fixed = [i for i in range(len(sent)) if i not in together]
        assert [stored[i] for i in fixed] == [sent[i] for i in fixed], conversation.sender
        assert sorted(map(repr, (stored[i] for i in together))) == sorted(map(repr, (sent[i] for i in together)))
        kinds = Counter(event["event"] for event in events[conversation.sender])
        assert kinds["session_started"] == 1, kinds


def test_redis_down_and_back(stack, renderer):
    sender = f"redis-fault-{uuid.uuid4().hex[:8]}"
    hours = CASES["sv"]["hours"]

    async def talk(text):
        async with aiohttp.ClientSession() as session:
            return " ".join((await say(session, stack.url, sender, text))[0])

    assert asyncio.run(talk(CASES["sv"]["greeting"])) == response_text("utter_greet", "sv").strip()
    stack.redis.stop()
    try:
        # Without the lock store no server may touch the conversation: the user is told plainly.
        assert asyncio.run(talk(hours)) == renderer.part("service_unavailable", "text", "sv")
    finally:
        stack.redis.start()
    assert asyncio.run(talk(hours)) == renderer.answer("ask_service_hours", "sv")
    stored = stored_turns(stored_events(stack.tracker_db_url, [sender])[sender])
    # The message that came while Redis was down was not half-handled: nothing of it was stored.
    assert [text for text, _ in stored] == [CASES["sv"]["greeting"], hours]


def test_postgres_down_and_back(stack, renderer):
    sender = f"pg-fault-{uuid.uuid4().hex[:8]}"
    hours = CASES["en"]["hours"]

    async def talk(text):
        async with aiohttp.ClientSession() as session:
            return " ".join((await say(session, stack.url, sender, text))[0])

    assert asyncio.run(talk(CASES["en"]["greeting"])) == response_text("utter_greet", "en").strip()
    stack.postgres.stop()
    try:
        notices = {renderer.part("service_unavailable", "text", language) for language in ("fi", "sv", "en")}
        assert asyncio.run(talk(hours)) in notices
    finally:
        stack.postgres.start()
    assert asyncio.run(talk(hours)) == renderer.answer("ask_service_hours", "en")
    stored = stored_turns(stored_events(stack.tracker_db_url, [sender])[sender])
    assert [text for text, _ in stored] == [CASES["en"]["greeting"], hours]


def test_no_slot_is_booked_twice_through_the_backend_on_postgresql(stack):
    """Many clients book the same slot at once (backend on PostgreSQL): exactly its capacity succeeds."""
    from bot.settings import backend_token

    backend = stack.supervisor.settings.backend_url
    headers = {"Authorization": f"Bearer {backend_token()}"}

    async def run() -> tuple[dict, list[int]]:
        async with aiohttp.ClientSession(headers=headers) as session:
            query = {"service_point": "espoo", "category": "residence_permit", "persons": "1", "limit": "1"}
            async with session.get(f"{backend}/booking/slots", params=query) as response:
                assert response.status == 200, await response.text()
                [slot] = (await response.json())["items"]

            async def book(n: int) -> int:
                body = {"category": "residence_permit", "service_point": "espoo", "slot_id": slot["id"],
                        "persons": 1, "name": f"Testi Henkilö {n}", "language": "fi",
                        "phone": f"+35840{7000000 + n}"}
                async with session.post(f"{backend}/booking/bookings", json=body,
                                        headers={"X-Client-Id": f"scale-{n}"}) as response:
                    await response.read()
                    return response.status

            statuses = await asyncio.gather(*(book(n) for n in range(slot["free"] * 3 + 5)))
            return slot, statuses

    slot, statuses = asyncio.run(run())
    assert set(statuses) <= {201, 409}, Counter(statuses)
    assert statuses.count(201) == slot["free"], Counter(statuses)
    engine = sa.create_engine(stack.postgres.url("backend"), future=True)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text(
                "SELECT count(*) FROM booking_bookings WHERE slot_id = :slot AND status = 'active'"),
                {"slot": int(slot["id"])}).scalar_one()
    finally:
        engine.dispose()
    assert stored == slot["free"]
