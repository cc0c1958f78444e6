"""Bad input to every operation of the real backend process, read from its /openapi.json: empty,
whitespace, binary, invalid UTF-8, 100 KB, malformed JSON, wrong content types, odd strings in
every field, odd query values. Always a 4xx with {"error", "message"} (or a normal answer),
never a 5xx."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ODD_STRINGS = [
    "", "   ", "\x00\x07\x1b", "👍" * 50, "مرحبا كيف حالك", "\u202eabc", "<script>alert(1)</script>",
    "'; DROP TABLE booking_bookings; --", "1 OR 1=1", "a" * 100_000, "\ud800", "NaN", "-1", "9" * 400,
]
BAD_BODIES = {
    "empty": b"",
    "whitespace": b"   \n\t",
    "binary": bytes(range(256)),
    "invalid utf-8": b'{"a": "\xff\xfe"}',
    "malformed": b'{"a": ',
    "array": b"[1, 2, 3]",
    "string": b'"text"',
    "null": b"null",
    "number": b"42",
    "100 KB": json.dumps({"x": "a" * 100_000}).encode(),
    "deep": b"[" * 5000 + b"]" * 5000,
}


def request(backend, method, path, data=None, content_type="application/json", headers=None):
    request = urllib.request.Request(f"{backend.url}{path}", data=data, method=method, headers={
        **backend.headers, "Content-Type": content_type, "X-Client-Id": "bad-input-tests", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_clear(status, body, what):
    assert status < 500, (what, status, body[:300])
    if status >= 400:
        payload = json.loads(body)
        assert payload["error"] and payload["message"], (what, payload)


@pytest.fixture(scope="module")
def operations(backend):
    with urllib.request.urlopen(f"{backend.url}/openapi.json", timeout=30) as response:
        document = json.loads(response.read())
    found = [(method.upper(), path, spec) for path, item in document["paths"].items()
             for method, spec in item.items() if method in ("get", "post", "put", "patch", "delete")]
    assert len(found) > 1
    return found


def body_operations(operations):
    return [(method, path, spec) for method, path, spec in operations if method != "GET"]


def test_bad_bodies_to_every_operation(backend, operations):
    for method, path, _ in body_operations(operations):
        for name, data in BAD_BODIES.items():
            assert_clear(*request(backend, method, path, data), (method, path, name))


def test_wrong_content_types_to_every_operation(backend, operations):
    for method, path, _ in body_operations(operations):
        for content_type, data in [("text/plain", b'{"a": 1}'), ("application/x-www-form-urlencoded", b"a=1&b=2"),
                                   ("multipart/form-data; boundary=x", b"--x--"), ("", b"{}"),
                                   ("application/json; charset=latin-1", b'{"a": "\xe4"}')]:
            status, body = request(backend, method, path, data, content_type)
            assert_clear(status, body, (method, path, content_type))
            assert 400 <= status < 500, (method, path, content_type, status)


def test_odd_strings_in_every_field(backend, operations):
    for method, path, spec in body_operations(operations):
        schema = (spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}))
        fields = list(_properties(backend, schema)) or ["value"]
        for odd in ODD_STRINGS:
            data = json.dumps({field: odd for field in fields}).encode()
            assert_clear(*request(backend, method, path, data), (method, path, odd[:20]))


def test_odd_query_values_and_no_token(backend, operations):
    for method, path, _ in operations:
        if method == "GET":
            for odd in (odd for odd in ODD_STRINGS if len(odd) < 1000):
                query = urllib.parse.urlencode({"category": odd, "service_point": odd, "date": odd, "x": odd},
                                               errors="surrogatepass")
                assert_clear(*request(backend, "GET", f"{path}?{query}"), (path, odd[:20]))
            # A 100 KB address is refused by the HTTP parser itself (400, plain text).
            status, _ = request(backend, "GET", f"{path}?x={'a' * 100_000}")
            assert 400 <= status < 500
        status, body = request(backend, method, path, b"{}", headers={"Authorization": "Bearer wrong"})
        if path not in ("/healthz", "/openapi.json"):
            assert status == 401, (method, path, status)
        assert_clear(status, body, (method, path, "wrong token"))


def _properties(backend, schema, depth=0):
    """Top-level property names of a request schema (following one $ref into components)."""
    if "$ref" in schema and depth == 0:
        name = schema["$ref"].rsplit("/", 1)[-1]
        with urllib.request.urlopen(f"{backend.url}/openapi.json", timeout=30) as response:
            schema = json.loads(response.read())["components"]["schemas"].get(name, {})
    return schema.get("properties", {}).keys()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_bytes_or_json_to_any_operation(backend, operations, data):
    method, path, _ = data.draw(st.sampled_from(body_operations(operations)))
    if data.draw(st.booleans()):
        body = data.draw(st.binary(max_size=2000))
    else:
        body = json.dumps(data.draw(json_values)).encode()
    assert_clear(*request(backend, method, path, body), (method, path, body[:100]))
