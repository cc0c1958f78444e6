"""Two Rasa workers on one port (RASA_WORKERS=2): conversations whose messages land on either
worker keep their context, and nothing is lost or stored twice."""

import json
import os
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from bot.settings import load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import ensure_model
from tests.integration.helpers import TEST_REST_TOKEN, Conversation

pytestmark = pytest.mark.integration

TURNS = {
    "fi": ["Hei", "Mihin numeroon soitan kansalaisuusasioissa?", "kiitos"],
    "sv": ["Hej", "Vilket nummer ringer jag om medborgarskap?", "tack"],
    "en": ["Hello", "Which number do I call about citizenship?", "thanks"],
}
CITIZENSHIP_NUMBER = "0295 790 604"


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    databases = tmp_path_factory.mktemp("workers")
    settings = replace(
        load_settings(), rasa_port=free_port(), actions_port=free_port(), web_port=free_port(),
        sms_gateway_port=free_port(), backend_port=free_port(), rasa_workers=2,
        tracker_db=databases / "tracker.db", backend_db_url=f"sqlite:///{databases / 'backend.db'}",
    )
    with Supervisor(settings, ensure_model(), log_dir=tmp_path_factory.mktemp("worker-logs")) as supervisor:
        yield supervisor


def talk(assistant, language):
    chat = Conversation(assistant)
    return chat, [chat.texts(message) for message in TURNS[language]]


def test_concurrent_conversations_across_workers_keep_their_context(two_workers):
    languages = ["fi", "sv", "en"] * 8
    with ThreadPoolExecutor(12) as pool:
        done = list(pool.map(lambda language: talk(two_workers, language), languages))
    for language, (chat, replies) in zip(languages, done, strict=True):
        assert CITIZENSHIP_NUMBER in replies[1], (language, replies)
        with sqlite3.connect(two_workers.settings.tracker_db) as db:
            texts = [t for (t,) in db.execute(
                "SELECT json_extract(data, '$.text') FROM events WHERE sender_id = ? AND type_name = 'user' "
                "ORDER BY id", (chat.sender,))]
        assert texts == TURNS[language]  # each message stored once, in order


def test_messages_sent_at_once_to_one_conversation_are_handled_one_after_another(two_workers):
    chat = Conversation(two_workers)
    chat.say("Hei")
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(chat.say, ["kiitos", "kiitos", "kiitos", "kiitos"]))
    assert all(replies)
    events = chat.tracker()["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["Hei"] + ["kiitos"] * 4
    # Every turn ran to its end before the next began: each message is followed by replies and a listen.
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    user_at = [i for i, kind in enumerate(kinds) if kind == "user"]
    for start, end in zip(user_at, [*user_at[1:], len(kinds)], strict=True):
        assert "action_listen" in kinds[start:end] and "bot" in kinds[start:end]


def _connections_by_worker(supervisor, client_ports: set[int]) -> dict[int, int]:
    """How many of these client connections each Rasa worker process holds (read from /proc)."""
    main = supervisor.service("rasa").process.pid
    workers = [int(pid) for pid in Path(f"/proc/{main}/task/{main}/children").read_text().split()]
    rasa_port = supervisor.settings.rasa_port
    inodes = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if local_port == rasa_port and remote_port in client_ports:
            inodes[fields[9]] = remote_port
    held = {}
    for pid in workers:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir() if fd.name.isdigit()]
        held[pid] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return held


def test_connections_arriving_together_are_shared_evenly_between_workers(two_workers):
    # 16 clients connect at once, before any sends a byte: one worker alone used to accept most of them.
    connections = [socket.create_connection(("127.0.0.1", two_workers.settings.rasa_port)) for _ in range(16)]
    try:
        for index, connection in enumerate(connections):
            body = json.dumps({"sender": f"balance-{index}", "message": "kiitos"}).encode()
            connection.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               b"Authorization: Bearer %s\r\n" % TEST_REST_TOKEN.encode()
                               + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        for connection in connections:  # every connection is answered, wherever it was served
            reply = connection.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
        held = _connections_by_worker(two_workers, {c.getsockname()[1] for c in connections})
        assert sorted(held.values()) == [8, 8], held
    finally:
        for connection in connections:
            connection.close()


def test_the_launcher_logged_each_patch_it_installed(two_workers):
    from bot.runtime.patches import PATCHES

    log = (two_workers.log_dir / "rasa.log").read_text(errors="replace")
    for patch in PATCHES:
        if patch.process == "rasa" and patch.name not in two_workers.settings.rasa_patches_disabled:
            assert f"Patch {patch.name} installed" in log, patch.name


def test_the_tracker_database_gone_fails_the_turn_plainly_on_every_worker(two_workers):
    """As in scale-out: no worker carries on in its own memory when the database fails."""
    from bot.knowledge.render import default_renderer

    if "fail_loud_tracker_store" in two_workers.settings.rasa_patches_disabled:
        pytest.skip("the fail-loud tracker store is switched off (RASA_PATCHES_DISABLED)")
    notice = default_renderer().part("service_unavailable", "text", "fi")
    question = TURNS["fi"][1]
    chats = [Conversation(two_workers) for _ in range(6)]
    for chat in chats:
        chat.say("Hei")
    database = sqlite3.connect(two_workers.settings.tracker_db)
    database.execute("ALTER TABLE events RENAME TO events_gone")  # the database can no longer be read
    database.commit()
    try:
        with ThreadPoolExecutor(6) as pool:
            replies = list(pool.map(lambda chat: chat.texts(question), chats))
    finally:
        database.execute("ALTER TABLE events_gone RENAME TO events")
        database.commit()
        database.close()
    assert replies == [notice] * len(chats)
    for chat in chats:  # the database is back: each conversation goes on from what it holds
        assert CITIZENSHIP_NUMBER in chat.texts(question)
        texts = [e["text"] for e in chat.tracker()["events"] if e["event"] == "user"]
        assert texts == ["Hei", question]
