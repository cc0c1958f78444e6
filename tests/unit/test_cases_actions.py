"""The status check's actions with a fake case register: what they say and which slots they set."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.status as status
from bot.cases.client import Answer, BackendUnavailable
from bot.cases.messages import chat_text
from bot.privacy.sealing import default_sealer

SEALED_TICKET = default_sealer().seal("Ticket")

APPLICATION = {"reference": "HAK-1", "type": "citizenship", "stage": "processing", "submitted_on": "2025-01-02",
               "submitted_via": "online", "submitted_place": None, "last_event": "processing_started",
               "last_event_on": "2025-02-01", "additional_info_due": None, "decision_made_on": None,
               "decision_delivered_on": None, "client_initials": None}


class FakeCases:
    """Answers like the register; `down` makes every call fail like an unreachable backend."""

    def __init__(self, **answers: Answer) -> None:
        self.answers, self.calls, self.down = answers, [], False

    def __getattr__(self, name):
        async def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if self.down:
                raise BackendUnavailable(name)
            return self.answers[name]
        return call


@pytest.fixture
def fake(monkeypatch):
    cases = FakeCases(
        start=Answer(202, {"verification_id": "abc", "next": "date_of_birth"}),
        give_birth_date=Answer(202, {"verification_id": "abc", "next": "code"}),
        confirm=Answer(200, {"ticket": "Ticket", "role": "applicant", "expires_in": 3600}),
        status=Answer(200, {"role": "applicant", "method": "otp", "applications": [APPLICATION]}),
        end=Answer(200, {"ended": True}),
    )
    monkeypatch.setattr(status, "cases", lambda: cases)
    return cases


def tracker(text="", slots=None, intent="give_verification_detail", confidence=0.9, metadata=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
              "metadata": metadata or {}}
    events = [{"event": "user", "text": text, "input_channel": "rest", "parse_data": latest}]
    return Tracker("conversation-1", {"language": "fi", **(slots or {})}, latest, events, False, None,
                   {"name": "status_verification_form"}, "action_listen")


async def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, {})
    return [message.get("text") for message in dispatcher.messages], events


async def validate(method, text, slots=None, **kwargs):
    dispatcher = CollectingDispatcher()
    result = await getattr(status.ValidateStatusVerificationForm(), method)(
        text, dispatcher, tracker(text, slots, **kwargs), {})
    return [message.get("text") for message in dispatcher.messages], result


def slot_values(events):
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def test_unverified_user_hears_the_steps_first(fake, renderer):
    texts, events = await run(status.ActionStartStatusCheck(), tracker("mikä on tilanne", intent="x"))
    assert texts == [chat_text("intro", "fi", renderer)]
    assert slot_values(events)["status_needs_verification"] is True
    assert fake.calls == []


async def test_sealed_login_identity_skips_the_form(fake, renderer):
    identity = {"subject": "81693520", "role": "applicant", "expires_at": 1, "method": "jwt", "seal": "s"}
    texts, events = await run(status.ActionStartStatusCheck(),
                              tracker("tilanne?", intent="x", metadata={"verified_identity": identity}))
    assert texts[0] == chat_text("verified_applicant", "fi", renderer)
    assert slot_values(events) == {"status_needs_verification": False}
    assert fake.calls[0][2]["identity"] == identity


async def test_unsealed_identity_in_metadata_is_not_even_sent(fake, renderer):
    claimed = {"subject": "81693520", "role": "applicant"}
    texts, _ = await run(status.ActionStartStatusCheck(),
                         tracker("tilanne?", intent="x", metadata={"verified_identity": claimed}))
    assert texts == [chat_text("intro", "fi", renderer)] and fake.calls == []


async def test_a_ticket_no_longer_valid_leads_to_verification(fake, renderer):
    fake.answers["status"] = Answer(401, {"error": "not_verified"})
    old = default_sealer().seal("Old")
    texts, events = await run(status.ActionStartStatusCheck(), tracker("tilanne?", {"status_ticket": old}))
    assert texts == [chat_text("intro", "fi", renderer)]
    assert slot_values(events)["status_ticket"] is None


async def test_customer_number_is_read_from_the_message_and_sent_once(fake):
    texts, result = await validate("validate_customer_number", "asiakasnumeroni on 1234 5678")
    assert texts == [] and result["customer_number"] == "12345678" and result["status_verification_id"] == "abc"
    assert fake.calls[0][0] == "start" and fake.calls[0][1][1] == "12345678"


async def test_unclear_answer_is_explained_and_counted(fake, renderer):
    texts, result = await validate("validate_customer_number", "en muista", intent="nlu_fallback")
    assert texts == [chat_text("invalid_customer_number", "fi", renderer)]
    assert result == {"customer_number": None, "status_invalid_answers": 1}
    _, result = await validate("validate_customer_number", "en muista", {"status_invalid_answers": 2})
    assert result == {"customer_number": None, "status_outcome": "gave_up", "requested_slot": None}


async def test_faq_question_in_the_middle_is_answered(fake, renderer):
    texts, result = await validate("validate_date_of_birth", "paljonko puhelu maksaa", intent="ask_call_cost")
    assert texts == [renderer.answer("ask_call_cost", "fi")] and result == {"date_of_birth": None}


async def test_birth_date_formats(fake):
    for typed in ("1.2.1990", "01.02.1990", "1990-02-01"):
        _, result = await validate("validate_date_of_birth", typed, {"status_verification_id": "abc"})
        assert result["date_of_birth"] == "1990-02-01"


async def test_wrong_code_says_how_many_tries_are_left(fake, renderer):
    fake.answers["confirm"] = Answer(403, {"error": "wrong_code", "attempts_left": 2})
    texts, result = await validate("validate_one_time_code", "123456", {"status_verification_id": "abc"})
    assert texts == [chat_text("wrong_code", "fi", renderer, attempts=2)] and result == {"one_time_code": None}


@pytest.mark.parametrize(("status_code", "error", "outcome"), [
    (409, "code_expired", "expired"), (409, "too_many_attempts", "too_many"), (429, "locked", "locked"),
    (404, "verification_not_found", "timed_out"),
])
async def test_code_step_endings(fake, status_code, error, outcome):
    fake.answers["confirm"] = Answer(status_code, {"error": error})
    _, result = await validate("validate_one_time_code", "123456", {"status_verification_id": "abc"})
    assert result == {"one_time_code": None, "status_outcome": outcome, "requested_slot": None}


async def test_right_code_keeps_the_ticket(fake):
    _, result = await validate("validate_one_time_code", "123 456", {"status_verification_id": "abc"})
    ticket = result.pop("status_ticket")
    assert result == {"one_time_code": "123456", "status_outcome": "verified"}
    assert "Ticket" not in ticket and default_sealer().unseal(ticket) == "Ticket"  # sealed in the tracker


async def test_a_ticket_in_clear_is_not_taken(fake, renderer):
    texts, _ = await run(status.ActionStartStatusCheck(), tracker("tilanne?", {"status_ticket": "Ticket"}))
    assert texts == [chat_text("intro", "fi", renderer)] and fake.calls == []


async def test_backend_down_ends_the_check_plainly(fake, renderer):
    fake.down = True
    _, result = await validate("validate_customer_number", "12345678")
    assert result["status_outcome"] == "unavailable" and result["requested_slot"] is None
    texts, _ = await run(status.ActionFinishStatusCheck(), tracker("x", {"status_outcome": "unavailable"}))
    assert texts == [chat_text("unavailable", "fi", renderer)]


async def test_stop_leaves_the_form(fake):
    events = await status.ValidateStatusVerificationForm().run(
        CollectingDispatcher(), tracker("peruuta", {"requested_slot": "date_of_birth"}, intent="stop"), {})
    assert slot_values(events) == {"date_of_birth": None, "status_outcome": "stopped", "requested_slot": None}


async def test_finish_shows_the_status_and_forgets_the_details(fake, renderer):
    texts, events = await run(status.ActionFinishStatusCheck(),
                              tracker("x", {"status_outcome": "verified", "status_ticket": SEALED_TICKET,
                                            "customer_number": "12345678"}))
    assert texts[0] == chat_text("verified_applicant", "fi", renderer) and len(texts) == 4
    values = slot_values(events)
    assert values["customer_number"] is None and values["one_time_code"] is None and "status_ticket" not in values


async def test_log_out_ends_the_ticket(fake, renderer):
    texts, events = await run(status.ActionStatusLogOut(), tracker("kirjaudu ulos", {"status_ticket": SEALED_TICKET}))
    assert texts == [chat_text("logged_out", "fi", renderer)]
    assert fake.calls[0][0] == "end" and slot_values(events)["status_ticket"] is None
