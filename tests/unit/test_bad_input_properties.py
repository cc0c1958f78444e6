"""Property-based tests: no input makes request parsing or SMS fitting fail."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from sanic.response import HTTPResponse

from bot.sms.text import format_sms, is_gsm7, segment_count
from channels.rest import parse_request
from channels.sms import keyword_payload

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


MANY_EXAMPLES = settings(max_examples=300)  # no deadline: the project's profile (tests/conftest.py)


@MANY_EXAMPLES
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_get_a_4xx(raw):
    result = parse_request(raw)
    if isinstance(result, HTTPResponse):
        assert 400 <= result.status < 500
        assert b"error" in result.body


@MANY_EXAMPLES
@given(st.dictionaries(st.sampled_from(["sender", "message", "metadata", "x"]), json_values))
def test_any_json_object_parses_or_gets_a_4xx(payload):
    result = parse_request(json.dumps(payload).encode())
    if isinstance(result, HTTPResponse):
        assert 400 <= result.status < 500
    else:
        sender, message, metadata = result
        assert isinstance(sender, str) and isinstance(message, str)
        assert metadata is None or set(metadata) <= {"language"}  # the allow-list; no identity claimed


@MANY_EXAMPLES
@given(st.text(max_size=2000), st.lists(st.text(max_size=40), max_size=12))
def test_any_reply_fits_three_gsm7_segments(text, buttons):
    body = format_sms(text, buttons)
    assert is_gsm7(body)
    assert segment_count(body) <= 3


@given(st.text(max_size=50))
def test_keyword_detection_never_fails(text):
    payload = keyword_payload(text)
    assert payload is None or payload.startswith("/")
