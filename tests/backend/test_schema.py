"""Schemathesis against the real backend process: every operation in /openapi.json, with valid
and invalid data generated from the schema, never gets a 5xx, and every answer conforms to the
schema (documented status code, content type, body and headers).

Schemathesis's `negative_data_rejection` check is left out: it also counts
unknown query parameters (which the backend ignores, as most HTTP APIs do) and
a missing Authorization header that this test always sends; invalid data is
still generated, and must get a documented answer and no 5xx.

The operations are whatever the backend's modules publish (bot/backend/app.py MODULES), read
from the running process, so new endpoints are covered as they land.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@pytest.fixture
def backend_api(backend):
    return schemathesis.openapi.from_url(f"{backend.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("backend_api")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_backend_api_conforms_to_its_schema(case, backend):
    # X-Client-Id per example: rate limits count per client, and the generated
    # traffic is one client's worth per example, not one client hammering.
    headers = {**backend.headers, "X-Client-Id": f"schemathesis-{id(case)}"}
    case.call_and_validate(base_url=backend.url, headers=headers, checks=CHECKS)
