"""The API against its own OpenAPI document (schemathesis): every endpoint, with generated
valid and invalid requests and a token of each role, answers without a server error and with
responses that fit the document (status codes, content types, headers, bodies).

Schemathesis's Python API drives hypothesis here, one test per endpoint and kind of data
(its lazy pytest fixture loader does not run on pytest 9).
"""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from casework.demo import DEMO_REFERRALS
from casework.permissions import Actor
from tests.api.client import API_PEOPLE
from webapp.bootstrap import casework

# bounded so the whole suite stays within a few minutes; raise it to search harder
EXAMPLES = int(os.environ.get("ACRO_SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

ENDPOINTS = [
    ("POST", "/api/v1/referrals"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{reference}"),
    ("POST", "/api/v1/cases/{reference}/messages"),
    ("GET", "/api/v1/cases/{reference}/documents"),
    ("GET", "/api/v1/cases/{reference}/documents/{document_id}"),
    ("GET", "/api/v1/cases/{reference}/audit"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{task_id}"),
    ("POST", "/api/v1/tasks/{task_id}/claim"),
    ("POST", "/api/v1/tasks/{task_id}/release"),
    ("POST", "/api/v1/tasks/{task_id}/complete"),
]


@pytest.fixture
def api_schema(app, api_tokens):
    # a few cases, so that lists, searches and reads have something to find
    with app.app_context():
        service = casework()
        for item in DEMO_REFERRALS:
            service.submit_referral(item["referral"], Actor("acro-intake"), certificate=item["certificate"])
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# a token of each role: what one role may not do must be refused, never a server error
@pytest.mark.parametrize("who", API_PEOPLE)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("method, path", ENDPOINTS, ids=[f"{m} {p[7:]}" for m, p in ENDPOINTS])
def test_every_endpoint_keeps_to_the_openapi_document(api_schema, api_tokens, method, path, mode, who):
    operation = api_schema[path][method]
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case):
        # a parameter set to null is not sent at all (requests drops it), so it is no invalid
        # request: schemathesis would count the server's acceptance against it
        assume(not any(v is None for v in (case.query or {}).values()))
        assume(not any(v is None for v in (case.headers or {}).values()))
        # an empty list is dropped the same way
        assume(not any(v == [] for v in (case.query or {}).values()))
        if mode is GenerationMode.NEGATIVE:
            # the token is put back below, so a request made invalid only by leaving it out is valid
            assume("Authorization" in (case.headers or {}))
        headers = {"Authorization": f"Bearer {api_tokens[who]}"}
        if "X-Purpose" not in (case.headers or {}) and "purpose" not in (case.query or {}):
            headers["X-Purpose"] = "API conformance test"
        case.call_and_validate(headers=headers, checks=checks)

    call()


def test_the_test_covers_every_documented_endpoint(app):
    """Every route under /api/v1 (but the catch-all) is documented, and tested above."""
    doc = json.loads(app.test_client().get("/api/v1/openapi.json").data)
    documented = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            path = rule.rule.replace("<", "{").replace(">", "}")
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented == set(ENDPOINTS)
