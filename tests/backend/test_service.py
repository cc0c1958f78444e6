"""The backend's shared behaviour: token check, health, API description, JSON errors."""

import json
import urllib.error
import urllib.request


def call(backend, path, headers=None):
    request = urllib.request.Request(backend.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_and_openapi_need_no_token(backend):
    assert call(backend, "/healthz") == (200, {"status": "ok"})
    status, document = call(backend, "/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")


def test_everything_else_needs_the_token(backend):
    status, body = call(backend, "/anything")
    assert status == 401 and body["error"] == "unauthorized"
    status, body = call(backend, "/anything", {"Authorization": "Bearer wrong"})
    assert status == 401


def test_unknown_path_with_token_is_a_json_404(backend):
    status, body = call(backend, "/no-such-path", backend.headers)
    assert status == 404 and body["error"] == "not_found"
