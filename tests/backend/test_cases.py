"""The case register's status check over HTTP, against the real backend process.

Each test uses its own demo people and client ids, so rate limits and
lockouts of one test do not touch another.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.error
import urllib.request
import uuid

import pytest

from bot.cases.messages import chat_text
from bot.cases.seed import seed_data
from bot.identity.tokens import VerifiedIdentity, identity_seal
from tests.backend.conftest import start_backend, stop_backend

SEAL_KEY = "test-identity-seal-key-0123456789"
HASH_KEY = "test-cases-hash-key-0123456789"
PEOPLE = {person["customer_number"]: person for person in seed_data()["applicants"] + seed_data()["representatives"]}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cases")
    running = start_backend(f"sqlite:///{directory / 'backend.db'}", directory / "backend.log",
                            {"IDENTITY_SEAL_KEY": SEAL_KEY, "CASES_HASH_KEY": HASH_KEY})
    yield running
    stop_backend(running)


def call(backend, method, path, body=None, client=None, raw=None, content_type="application/json"):
    headers = dict(backend.headers)
    if client:
        headers["X-Client-Id"] = client
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(backend.url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def database(backend):
    return sqlite3.connect(backend.db_url.removeprefix("sqlite:///"))


def sent_codes(backend, phone):
    with database(backend) as connection:
        rows = connection.execute("SELECT body FROM outbox WHERE recipient = ? AND kind = 'verification_code' "
                                  "ORDER BY id", (phone,)).fetchall()
    return [re.search(r"\b\d{6}\b", body).group(0) for (body,) in rows]


def new_client():
    return uuid.uuid4().hex


def begin(backend, customer_number, birth_date, client, language="en"):
    status, started = call(backend, "POST", "/cases/verification/start",
                           {"customer_number": customer_number, "language": language, "channel": "rest"}, client)
    assert status == 202, started
    status, step = call(backend, "POST", "/cases/verification/birth-date",
                        {"verification_id": started["verification_id"], "date_of_birth": birth_date}, client)
    return status, step


def verify(backend, customer_number, client, language="en"):
    person = PEOPLE[customer_number]
    status, step = begin(backend, customer_number, person["date_of_birth"].isoformat(), client, language)
    assert status == 202
    code = sent_codes(backend, person["phone"])[-1]
    status, body = call(backend, "POST", "/cases/verification/confirm",
                        {"verification_id": step["verification_id"], "code": code}, client)
    assert status == 200, body
    return body["ticket"]


def without_ids(body):
    return {key: value for key, value in body.items() if key != "verification_id"}


def test_verified_applicant_sees_own_applications(cases):
    client = new_client()
    ticket = verify(cases, "52936814", client, "fi")
    status, body = call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)
    assert status == 200
    assert body["role"] == "applicant" and body["method"] == "otp"
    [application] = body["applications"]
    assert application["type"] == "extended_permit" and application["stage"] == "additional_info_requested"
    assert application["additional_info_due"] > time.strftime("%Y-%m-%d")
    with database(cases) as connection:
        [(language, body_text)] = connection.execute(
            "SELECT language, body FROM outbox WHERE recipient = '+358401234503'").fetchall()
    code = re.search(r"\b\d{6}\b", body_text).group(0)
    assert language == "fi" and body_text == chat_text("code_sms", "fi", code=code, minutes=re.search(
        r"voimassa (\d+)", body_text).group(1))


def test_ticket_works_only_in_its_own_conversation_and_channel(cases):
    client = new_client()
    ticket = verify(cases, "31804527", client)   # verified on the REST channel
    status, body = call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, new_client())
    assert (status, body["error"]) == (401, "not_verified")
    for channel in ("socketio", "sms", "other"):
        status, body = call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": channel}, client)
        assert (status, body["error"]) == (401, "not_verified")
    assert call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)[0] == 200


def test_answers_do_not_tell_whether_a_person_exists(cases):
    real = PEOPLE["47120396"]
    answers = [
        begin(cases, "47120396", real["date_of_birth"].isoformat(), new_client()),   # right details
        begin(cases, "47120396", "1970-01-01", new_client()),                         # wrong date of birth
        begin(cases, "11223344", "1970-01-01", new_client()),                         # no such customer number
    ]
    assert len({(status, json.dumps(without_ids(body), sort_keys=True)) for status, body in answers}) == 1
    assert len(sent_codes(cases, real["phone"])) == 1  # only the right details sent a code, to the phone on record


def test_wrong_codes_then_the_verification_is_spent(cases):
    client, person = new_client(), PEOPLE["25860413"]
    _, step = begin(cases, "25860413", person["date_of_birth"].isoformat(), client)
    code = sent_codes(cases, person["phone"])[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [call(cases, "POST", "/cases/verification/confirm",
                    {"verification_id": step["verification_id"], "code": wrong}, client) for _ in range(3)]
    assert [(status, body.get("attempts_left")) for status, body in answers] == [(403, 2), (403, 1), (409, 0)]
    assert answers[-1][1]["error"] == "too_many_attempts"
    status, body = call(cases, "POST", "/cases/verification/confirm",
                        {"verification_id": step["verification_id"], "code": code}, client)
    assert status == 404  # the right code no longer helps


def test_expired_code_is_refused(cases):
    client, person = new_client(), PEOPLE["47082635"]
    _, step = begin(cases, "47082635", person["date_of_birth"].isoformat(), client)
    code = sent_codes(cases, person["phone"])[-1]
    with database(cases) as connection:   # five minutes pass
        connection.execute("UPDATE case_verifications SET code_expires_at = '2000-01-01 00:00:00' "
                           "WHERE public_id = ?", (step["verification_id"],))
    status, body = call(cases, "POST", "/cases/verification/confirm",
                        {"verification_id": step["verification_id"], "code": code}, client)
    assert (status, body["error"]) == (409, "code_expired")


def test_a_code_is_single_use(cases):
    client, person = new_client(), PEOPLE["14739582"]
    _, step = begin(cases, "14739582", person["date_of_birth"].isoformat(), client)
    code = sent_codes(cases, person["phone"])[-1]
    confirmation = {"verification_id": step["verification_id"], "code": code}
    assert call(cases, "POST", "/cases/verification/confirm", confirmation, client)[0] == 200
    assert call(cases, "POST", "/cases/verification/confirm", confirmation, client)[0] == 404


def test_enumeration_from_one_client_reveals_nothing_and_is_locked_out(cases):
    client = new_client()
    real_numbers = [number for number in PEOPLE if number != "13648291"][:20]
    answers = []
    for guess in range(1000):
        number = real_numbers[guess % len(real_numbers)] if guess % 2 else f"{10_000_000 + guess * 7919:08d}"
        birth_date = f"19{50 + guess % 50}-0{1 + guess % 9}-1{guess % 10}"
        status, body = call(cases, "POST", "/cases/verification/start",
                            {"customer_number": number, "date_of_birth": birth_date}, client)
        answers.append((status, body.get("error"), body.get("next")))
    assert set(answers[:5]) == {(202, None, "code")}          # the same answer, real or not
    assert set(answers[5:]) == {(429, "locked", None)}         # then locked out
    # Locked out even with correct details now; nothing was sent to anyone.
    rahul = PEOPLE["13648291"]
    status, body = call(cases, "POST", "/cases/verification/start",
                        {"customer_number": "13648291", "date_of_birth": rahul["date_of_birth"].isoformat()}, client)
    assert (status, body["error"]) == (429, "locked")
    assert sent_codes(cases, rahul["phone"]) == []
    status, log = call(cases, "GET", f"/cases/audit?client={client}&limit=1000")
    events = {entry["event"] for entry in log["entries"]}
    assert {"verification_started", "rate_limited", "locked_out"} <= events


def test_wrong_codes_in_a_customers_name_do_not_lock_the_customer_out(cases):
    person = PEOPLE["56972531"]
    for _ in range(12):   # wrong details and codes from twelve conversations, well over every limit
        client = new_client()
        _, step = begin(cases, "56972531", "1970-01-01", client)
        call(cases, "POST", "/cases/verification/confirm", {"verification_id": step["verification_id"],
                                                            "code": "000000"}, client)
    assert sent_codes(cases, person["phone"]) == []   # nothing reached the phone
    client = new_client()
    status, step = begin(cases, "56972531", person["date_of_birth"].isoformat(), client)
    assert status == 202
    code = sent_codes(cases, person["phone"])[-1]
    status, body = call(cases, "POST", "/cases/verification/confirm",
                        {"verification_id": step["verification_id"], "code": code}, client)
    assert status == 200 and body["ticket"]


def test_a_code_that_was_never_sent_cannot_be_guessed(cases):
    person = PEOPLE["73258109"]
    for _ in range(3):   # the phone's codes for the hour
        begin(cases, "73258109", person["date_of_birth"].isoformat(), new_client())
    client = new_client()
    _, step = begin(cases, "73258109", person["date_of_birth"].isoformat(), client)
    stored = sent_codes(cases, person["phone"])
    for code in stored[-3:]:   # even a code that was really sent (to another verification) is refused
        status, body = call(cases, "POST", "/cases/verification/confirm",
                            {"verification_id": step["verification_id"], "code": code}, client)
        assert status in (403, 409), body


def test_codes_to_one_phone_are_limited_silently(cases):
    person = PEOPLE["81426079"]
    answers = [begin(cases, "81426079", person["date_of_birth"].isoformat(), new_client()) for _ in range(4)]
    assert len({json.dumps(without_ids(body), sort_keys=True) for _, body in answers}) == 1
    assert len(sent_codes(cases, person["phone"])) == 3
    status, log = call(cases, "GET", "/cases/audit?customer_number=81426079&event=code_suppressed")
    assert len(log["entries"]) == 1


def test_representative_sees_clients_cases_but_never_asylum_or_refugee_documents(cases):
    client = new_client()
    ticket = verify(cases, "86420135", client, "fi")
    status, body = call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)
    assert status == 200 and body["role"] == "representative"
    shown = {(application["client_initials"], application["type"]) for application in body["applications"]}
    assert shown == {("F. A.", "extended_permit"), ("M. Y.", "first_permit_work")}
    status, log = call(cases, "GET", f"/cases/audit?client={client}")
    withheld = [entry for entry in log["entries"] if entry["event"] == "status_withheld"]
    assert len(withheld) == 2   # Ahmed's asylum case and Fatima's refugee travel document, recorded but not shown


def test_asylum_only_applicant_gets_the_same_answer_as_someone_without_cases(cases):
    client = new_client()
    ticket = verify(cases, "60417283", client)
    status, body = call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)
    assert (status, body) == (200, {"role": "applicant", "method": "otp", "applications": []})
    assert "asylum" not in json.dumps(body)


def sealed(subject, role="applicant", expires_in=600, key=SEAL_KEY):
    identity = VerifiedIdentity(subject=subject, role=role, expires_at=int(time.time()) + expires_in)
    fields = {"subject": identity.subject, "role": identity.role, "expires_at": identity.expires_at,
              "method": identity.method}
    return {**fields, "seal": identity_seal(fields, key)}


def test_sealed_login_identity_sees_status_without_a_code(cases):
    status, body = call(cases, "POST", "/cases/status", {"identity": sealed("81693520"), "channel": "socketio"},
                        new_client())
    assert status == 200 and body["method"] == "jwt"
    assert {application["type"] for application in body["applications"]} == {"citizenship", "permanent_permit"}
    status, body = call(cases, "POST", "/cases/status", {"identity": sealed("97531246", "representative")},
                        new_client())
    assert {application["client_initials"] for application in body["applications"]} == {"A. R.", "E. D."}


@pytest.mark.parametrize("identity", [
    sealed("81693520", key="forged-key"),
    {**sealed("81693520"), "subject": "52936814"},
    {**sealed("81693520"), "role": "representative"},
    sealed("81693520", expires_in=-5),
    {"subject": "81693520", "role": "applicant", "expires_at": 2**40, "method": "jwt"},
    {"subject": "\ud8c1x", "role": "applicant", "expires_at": 2**40, "method": "jwt", "seal": "\u00e4\ud8c1"},
], ids=["forged", "other-subject", "other-role", "expired", "unsealed", "garbled"])
def test_forged_or_claimed_identity_is_refused(cases, identity):
    status, body = call(cases, "POST", "/cases/status", {"identity": identity}, new_client())
    assert (status, body["error"]) == (401, "not_verified")


def test_ending_the_session_ends_the_ticket(cases):
    client = new_client()
    ticket = verify(cases, "91427086", client)
    ended = call(cases, "POST", "/cases/session/end", {"ticket": ticket, "channel": "rest"}, client)
    assert ended == (200, {"ended": True})
    assert call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)[0] == 401


def test_ticket_unused_for_a_session_length_expires(cases):
    client = new_client()
    ticket = verify(cases, "34750319", client)
    with database(cases) as connection:   # an hour without use: Rasa starts a new session
        connection.execute("UPDATE case_tickets SET last_used_at = datetime('now', '-61 minutes') "
                           "WHERE client = ?", (client,))
    assert call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)[0] == 401


def test_audit_log_holds_no_personal_data_in_clear(cases):
    client = new_client()
    ticket = verify(cases, "45861420", client, "sv")
    call(cases, "POST", "/cases/status", {"ticket": ticket, "channel": "rest"}, client)
    status, log = call(cases, "GET", "/cases/audit?customer_number=45861420")
    events = [entry["event"] for entry in log["entries"]]
    assert events[:5] == ["status_disclosed", "code_confirmed", "code_sent", "birth_date_given",
                          "verification_started"]
    assert log["entries"][0]["application_reference"].startswith("HAK-")
    assert log["entries"][0]["channel"] == "rest"
    with database(cases) as connection:
        dump = json.dumps(connection.execute("SELECT * FROM case_audit_log").fetchall())
    person = PEOPLE["45861420"]
    assert "45861420" not in dump and person["phone"] not in dump and str(person["date_of_birth"]) not in dump


@pytest.mark.parametrize(("path", "body"), [
    ("/cases/verification/start", {"customer_number": "1234"}),
    ("/cases/verification/start", {"customer_number": 12345678}),
    ("/cases/verification/start", {"customer_number": "12345678", "date_of_birth": "1.2.1990"}),
    ("/cases/verification/start", {"customer_number": "12345678", "channel": "fax"}),
    ("/cases/verification/birth-date", {"verification_id": "abc", "date_of_birth": "1990-02-30"}),
    ("/cases/verification/confirm", {"verification_id": "abc", "code": "12345"}),
    ("/cases/status", {}),
    ("/cases/status", {"identity": "me"}),
    ("/cases/session/end", {"ticket": 5}),
])
def test_malformed_requests_get_a_clear_400(cases, path, body):
    status, answer = call(cases, "POST", path, body, new_client())
    assert status == 400 and answer["error"] == "invalid_field" and answer["message"]


def test_non_json_body_gets_415(cases):
    status, answer = call(cases, "POST", "/cases/status", raw=b"ticket=x", content_type="text/plain")
    assert status == 415


def test_unknown_verification_id_is_404(cases):
    status, answer = call(cases, "POST", "/cases/verification/confirm",
                          {"verification_id": "nosuchid", "code": "123456"}, new_client())
    assert (status, answer["error"]) == (404, "verification_not_found")


def test_api_description_covers_the_cases_paths(cases):
    status, document = call(cases, "GET", "/openapi.json")
    paths = {path for path in document["paths"] if path.startswith("/cases/")}
    assert paths == {"/cases/verification/start", "/cases/verification/birth-date", "/cases/verification/confirm",
                     "/cases/status", "/cases/session/end", "/cases/audit"}
    assert "Status" in document["components"]["schemas"]
