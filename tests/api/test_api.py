"""The JSON API endpoint by endpoint: what each gives, and each refusal with its status code
as application/problem+json."""

import base64

import pytest
from sqlalchemy import select

from casework.models import AccessLog, ApiToken, Certificate, ReceivedMessage, User
from tests.referrals import api_body
from webapp.db import db

PROBLEM = "application/problem+json"


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def create(api, name="kowalski", user="wendy", **kwargs):
    response = api.post("/referrals", api_body(name, **kwargs), user=user)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def task_of(api, reference, bpmn_id, user="wendy"):
    items = api.get(f"/tasks?case={reference}&task={bpmn_id}", user=user).get_json()["items"]
    assert len(items) == 1, items
    return items[0]["id"]


def complete(api, reference, bpmn_id, answers, user):
    task_id = task_of(api, reference, bpmn_id, user)
    response = api.post(f"/tasks/{task_id}/complete", {"answers": answers}, user=user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# -- the document and signing in ------------------------------------------------------
def test_the_openapi_document_is_served_without_a_token(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"] == "ACRO Casework API"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    paths = set(doc["paths"])
    assert {
        "/api/v1/referrals",
        "/api/v1/cases",
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/messages",
        "/api/v1/cases/{reference}/documents",
        "/api/v1/cases/{reference}/documents/{document_id}",
        "/api/v1/cases/{reference}/audit",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/complete",
    } <= paths
    # every error is documented as problem details
    for path in doc["paths"].values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status, response in operation["responses"].items():
                    if status.isdigit() and int(status) >= 400:
                        assert list(response["content"]) == [PROBLEM]


@pytest.mark.parametrize(
    "authorization, detail",
    [
        (None, "Send a token"),
        ("Basic d2VuZHk6eA==", "Send a token"),
        ("Bearer ", "Send a token"),
        ("Bearer acro_not-a-real-token", "not valid"),
        ("Bearer something-else", "not valid"),
    ],
)
def test_without_a_valid_token_it_is_401(api, authorization, detail):
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get("/cases", user=None, headers=headers)
    body = problem(response, 401)
    assert detail in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_or_an_inactive_user_is_401(app, api):
    assert api.get("/cases?purpose=Checking access", user="carl").status_code == 200
    with app.app_context():
        carl = db.session.scalars(select(User).where(User.username == "carl")).one()
        carl.active = False
        db.session.commit()
    problem(api.get("/cases?purpose=Checking access", user="carl"), 401)
    assert api.get("/cases?purpose=Checking access", user="wendy").status_code == 200
    with app.app_context():
        for token in db.session.scalars(select(ApiToken)):
            token.revoked_at = app.extensions["acro"]["clock"].now()
        db.session.commit()
    problem(api.get("/cases?purpose=Checking access", user="wendy"), 401)


def test_tokens_are_kept_only_as_their_hash(app, api_tokens):
    with app.app_context():
        hashes = {t.token_hash for t in db.session.scalars(select(ApiToken))}
    assert not set(api_tokens.values()) & hashes
    assert all(len(h) == 64 for h in hashes)


# -- referrals ----------------------------------------------------------------------------
def test_a_referral_is_created_with_its_certificate(app, api):
    response = api.post("/referrals", api_body("kowalski"))
    assert response.status_code == 201
    case = response.get_json()
    assert case["reference"].startswith("ACRO-") and case["subject_name"] == "Piotr Jan KOWALSKI"
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['reference']}")
    with app.app_context():
        [cert] = db.session.scalars(select(Certificate)).all()
        assert cert.file.startswith(b"%PDF-") and cert.filename == "kowalski-certificate.pdf"


def test_the_referral_answer_carries_the_first_task_with_its_form(api):
    case = api.post("/referrals", api_body("kowalski")).get_json()
    [task] = case["tasks"]
    assert task["bpmn_id"] == "check_certificate" and task["case_reference"] == case["reference"]
    assert task == api.get(f"/tasks/{task['id']}").get_json()
    assert {f["id"] for f in task["form"]["fields"]} >= {"certificate_purpose", "offences_on_pnc"}
    answers = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}
    done = api.post(f"/tasks/{task['id']}/complete", {"answers": answers})
    assert done.status_code == 200, done.get_json()


def test_a_retried_referral_answers_with_the_tasks_the_case_has_now(api):
    first = api.post("/referrals", api_body(), headers={"Idempotency-Key": "acro-26-0009"}).get_json()
    [task] = first["tasks"]
    answers = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}
    assert api.post(f"/tasks/{task['id']}/complete", {"answers": answers}).status_code == 200
    again = api.post("/referrals", api_body(), headers={"Idempotency-Key": "acro-26-0009"})
    assert again.status_code == 200
    assert [t["bpmn_id"] for t in again.get_json()["tasks"]] == []


@pytest.fixture
def caseworkers_enter_referrals(settings):
    settings.referral_groups = ("cc-workflow", "cc-casework")
    return settings


def test_the_referral_answer_leaves_out_tasks_the_caller_may_not_open(caseworkers_enter_referrals, api):
    response = api.post("/referrals", api_body("kowalski"), user="carl")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["tasks"] == []
    reference = response.get_json()["reference"]
    assert [t["bpmn_id"] for t in api.get(f"/tasks?case={reference}").get_json()["items"]] == ["check_certificate"]


def test_a_service_account_creates_referrals_and_absent_details_stay_absent(api):
    body = {"referral": {"subject": {"family_name": "Haddad", "given_names": "  "}}}
    response = api.post("/referrals", body, user="acro-system")
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]
    referral = api.get(f"/cases/{reference}?purpose=check the referral", user="acro-system").get_json()["referral"]
    assert referral["subject"] == {
        "family_name": "Haddad",
        "given_names": None,
        "aliases": [],
        "date_of_birth": None,
        "nationality": None,
        "identity_documents": [],
        "pnc_id": None,
    }
    assert referral["convictions"] == [] and referral["officer"]["email"] is None


def test_the_same_idempotency_key_gives_the_same_case(app, api):
    first = api.post("/referrals", api_body(), headers={"Idempotency-Key": "acro-26-0001"})
    again = api.post("/referrals", api_body(), headers={"Idempotency-Key": "acro-26-0001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["reference"] == again.get_json()["reference"]
    other = api.post("/referrals", api_body(), headers={"Idempotency-Key": "acro-26-0002"})
    assert other.status_code == 201 and other.get_json()["reference"] != first.get_json()["reference"]
    with app.app_context():
        assert len(db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.channel == "api")).all()) == 2
    problem(api.post("/referrals", api_body(), headers={"Idempotency-Key": "bad key with spaces"}), 400)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"subject": {"given_names": "Only"}, "x": 1}, "referral.x"),
        ({"subject": {"aliases": ["x"]}}, "referral.subject"),
        ({"subject": {"family_name": "X", "date_of_birth": "12/04/1988"}}, "referral.subject.date_of_birth"),
        ({"subject": {"family_name": "X", "date_of_birth": "1988-02-30"}}, "referral.subject.date_of_birth"),
        ({"subject": {"family_name": "X" * 201}}, "referral.subject.family_name"),
        ({"subject": {"family_name": "X"}, "request_reason": "curiosity"}, "referral.request_reason"),
        ({"subject": {"family_name": "X"}, "convictions": [{"date": "soon"}]}, "referral.convictions.0.date"),
        ({"subject": "Smith"}, "referral.subject"),
    ],
)
def test_an_invalid_referral_is_422_with_a_message_per_field(api, change, field):
    body = problem(api.post("/referrals", {"referral": change}), 422)
    assert field in body["errors"], body


@pytest.mark.parametrize(
    "certificate, field",
    [
        ({"file": "not base64!"}, "certificate.file"),
        ({"file": base64.b64encode(b"PK\x03\x04 a zip").decode()}, "certificate.file"),
        ({"request_purpose": 7}, "certificate.request_purpose"),
    ],
)
def test_an_invalid_certificate_is_422(api, certificate, field):
    body = problem(
        api.post("/referrals", {"referral": {"subject": {"family_name": "X"}}, "certificate": certificate}), 422
    )
    assert field in body["errors"]


def test_a_body_that_is_not_json_is_400(api):
    body = problem(api.post("/referrals", data="{not json", headers={"Content-Type": "application/json"}), 400)
    assert body["errors"] == {"body": ["Invalid JSON body."]}


def test_a_body_over_the_size_limit_is_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    problem(api.post("/referrals", {"referral": {"subject": {"family_name": "X" * 2000}}}), 413)


def test_only_the_groups_that_enter_referrals_may_create_one(api):
    for user in ("carl", "dana", "alex"):
        problem(api.post("/referrals", api_body(), user=user), 403)


# -- cases --------------------------------------------------------------------------------
def test_cases_are_listed_paged_and_searched(api):
    references = [create(api, name) for name in ("kowalski", "haddad", "ionescu", "mensah")]
    why = {"X-Purpose": "Finding a case to work on"}
    listed = api.get("/cases?page_size=3", headers=why).get_json()
    assert listed["total"] == 4 and len(listed["items"]) == 3 and listed["page"] == 1
    assert len(api.get("/cases?page=2&page_size=3", headers=why).get_json()["items"]) == 1
    for query, expected in [
        ("kowalski", 0),
        ("PETER KOWAL", 0),
        ("ionesco", 2),
        ("omar", 1),
        (references[3].lower(), 3),
        ("08/998877q", 3),
        ("nobody", None),
    ]:
        found = api.get("/cases", query_string={"q": query}, headers=why).get_json()["items"]
        assert [c["reference"] for c in found] == ([] if expected is None else [references[expected]]), query
    assert api.get("/cases?state=closed&purpose=Counting", headers=why).get_json()["total"] == 0


@pytest.mark.parametrize("query", ["page=0", "page_size=101", "page=x", "state=lost", "q=" + "x" * 201])
def test_bad_query_parameters_are_400(api, query):
    body = problem(api.get(f"/cases?purpose=Searching&{query}"), 400)
    assert body["errors"]


def test_reading_a_case_needs_a_purpose_and_logs_it(app, api):
    reference = create(api)
    body = problem(api.get(f"/cases/{reference}"), 400)
    assert "X-Purpose" in body["errors"]
    problem(api.get(f"/cases/{reference}", headers={"X-Purpose": "   "}), 400)
    problem(api.get(f"/cases/{reference}", headers={"X-Purpose": "x" * 501}), 400)
    response = api.get(f"/cases/{reference}", headers={"X-Purpose": "Check the certificate (WF-1)"})
    assert response.status_code == 200
    case = response.get_json()
    assert case["referral"]["subject"]["family_name"] == "Kowalski"
    assert [t["bpmn_id"] for t in case["tasks"]] == ["check_certificate"]
    assert case["certificates"][0]["status"] == "held" and case["waiting_for"] == []
    assert api.get(f"/cases/{reference}?purpose=Audit sample", user="carl").status_code == 200
    with app.app_context():
        logged = {(a.actor, a.action, a.purpose) for a in db.session.scalars(select(AccessLog))}
    assert ("wendy", "view", "Check the certificate (WF-1)") in logged
    assert ("carl", "view", "Audit sample") in logged


def test_a_concluded_case_reports_no_custody_status(app, api):
    """Where the person was while the case ran is in its decisions; a concluded case holds no one."""
    from casework.models import Case

    reference = create(api)
    why = {"X-Purpose": "Check where the FNO is"}
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        case.custody_status = "detained"
        db.session.commit()
    assert api.get(f"/cases/{reference}", headers=why).get_json()["custody_status"] == "detained"
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        case.state, case.outcome = "closed", "Deported"
        db.session.commit()
    assert api.get(f"/cases/{reference}", headers=why).get_json()["custody_status"] is None


def test_a_case_that_does_not_exist_is_404(api):
    problem(api.get("/cases/ACRO-1999-000001?purpose=x"), 404)
    problem(api.get("/cases/ACRO-1999-000001/audit?purpose=x"), 404)
    problem(api.get("/cases/ACRO-1999-000001/documents?purpose=x"), 404)
    problem(api.post("/cases/ACRO-1999-000001/messages", {"message": "fno_located"}, user="carl"), 404)


def test_someone_in_no_group_may_not_see_cases(api):
    reference = create(api)
    problem(api.get("/cases", user="alex"), 403)
    problem(api.get(f"/cases/{reference}?purpose=x", user="alex"), 403)


def test_the_audit_trail_is_paged_oldest_first(api):
    reference = create(api)
    problem(api.get(f"/cases/{reference}/audit"), 400)
    page = api.get(f"/cases/{reference}/audit?purpose=review&page_size=2").get_json()
    assert page["total"] > 2 and len(page["items"]) == 2
    assert page["items"][0]["action"] == "referral received" and page["items"][0]["actor"] == "wendy"


# -- tasks --------------------------------------------------------------------------------
def test_tasks_are_listed_for_the_callers_groups_with_filters(api):
    first, second = create(api), create(api, "haddad")
    mine = api.get("/tasks").get_json()
    assert mine["total"] == 2 and {t["case_reference"] for t in mine["items"]} == {first, second}
    assert api.get("/tasks", user="carl").get_json()["total"] == 0  # not a casework task yet
    assert api.get("/tasks", user="alex").get_json()["total"] == 2  # an administrator sees every queue
    assert api.get(f"/tasks?case={first}").get_json()["total"] == 1
    assert api.get("/tasks?unassigned=true&sort=priority&page_size=1").get_json()["total"] == 2
    assert api.get("/tasks?assignee=me").get_json()["total"] == 0
    assert api.get("/tasks?overdue=true").get_json()["total"] == 0
    problem(api.get("/tasks?sort=sideways"), 400)


def test_a_task_shows_its_form_to_its_group_only(api):
    reference = create(api)
    task_id = task_of(api, reference, "check_certificate")
    task = api.get(f"/tasks/{task_id}").get_json()
    assert [f["id"] for f in task["form"]["fields"]] == [
        "certificate_purpose",
        "certificate_purpose_details",
        "offences_on_pnc",
    ]
    problem(api.get(f"/tasks/{task_id}", user="carl"), 403)
    problem(api.get("/tasks/no-such-task"), 404)


def test_claim_release_and_complete_a_task(api):
    reference = create(api)
    task_id = task_of(api, reference, "check_certificate")
    problem(api.post(f"/tasks/{task_id}/claim", user="carl"), 403)
    claimed = api.post(f"/tasks/{task_id}/claim", user="wendy")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "wendy"
    problem(api.post(f"/tasks/{task_id}/claim", user="acro-system"), 409)
    problem(
        api.post(
            f"/tasks/{task_id}/complete",
            {"answers": {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}},
            user="acro-system",
        ),
        409,
    )
    body = problem(api.post(f"/tasks/{task_id}/complete", {"answers": {"certificate_purpose": "for fun"}}), 422)
    assert set(body["errors"]) == {"answers.certificate_purpose", "answers.offences_on_pnc"}
    body = problem(api.post(f"/tasks/{task_id}/complete", {"answers": {"typo": "x"}}), 422)
    assert "answers.typo" in body["errors"]
    problem(api.post(f"/tasks/{task_id}/complete", {"answers": "yes"}), 422)
    problem(api.post(f"/tasks/{task_id}/complete", {}), 422)
    released = api.post(f"/tasks/{task_id}/release", user="wendy")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    done = api.post(
        f"/tasks/{task_id}/complete",
        {"answers": {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}},
    )
    assert done.status_code == 200
    step = done.get_json()
    assert step["case"]["reference"] == reference
    assert [t["bpmn_id"] for t in step["tasks"]] == ["establish_whereabouts"]
    again = problem(api.post(f"/tasks/{task_id}/complete", {"answers": {}}, user="carl"), 409)  # done already
    assert again["by"] == "wendy" and again["at"] and "already done by wendy" in again["detail"]


# -- messages -----------------------------------------------------------------------------
def test_a_case_waiting_for_a_certificate_takes_it_as_a_message(app, api):
    reference = create(api, "haddad")
    complete(
        api,
        reference,
        "check_certificate",
        {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "no"},
        "wendy",
    )
    assert api.get(f"/cases/{reference}?purpose=x").get_json()["waiting_for"] == ["certificate_received"]
    pdf = base64.b64encode(b"%PDF-1.4 new certificate").decode()
    message = {
        "message": "certificate_received",
        "payload": {"acro_reference": "26/0099"},
        "certificate": {
            "request_purpose": "Request for administrative purpose immigration/deportation",
            "file": pdf,
            "filename": "new.pdf",
        },
    }
    problem(api.post(f"/cases/{reference}/messages", message, user="carl"), 403)  # the Workflow team's event
    problem(api.post(f"/cases/{reference}/messages", {**message, "message": "fno_located"}, user="carl"), 422)
    response = api.post(f"/cases/{reference}/messages", message)
    assert response.status_code == 200, response.get_json()
    assert [t["bpmn_id"] for t in response.get_json()["tasks"]] == ["check_certificate"]
    # the case no longer waits for it: a second delivery is a conflict
    body = problem(api.post(f"/cases/{reference}/messages", message), 409)
    assert "not waiting for 'certificate_received'" in body["detail"]
    documents = api.get(f"/cases/{reference}/documents?purpose=x").get_json()["items"]
    statuses = sorted((d["id"], d["status"], d["downloadable"]) for d in documents if d["kind"] == "ACRO certificate")
    assert statuses == [("certificate-1", "destroyed", False), ("certificate-2", "held", True)]
    problem(api.get(f"/cases/{reference}/documents/certificate-1?purpose=x"), 404)  # destroyed (WF-2)
    download = api.get(f"/cases/{reference}/documents/certificate-2?purpose=x")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == b"%PDF-1.4 new certificate"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"message": "tea_is_ready"}, "message"),
        ({}, "message"),
        ({"message": "fno_located", "payload": {"certificate": {}}}, "payload"),
        ({"message": "fno_located", "payload": "found"}, "payload"),
    ],
)
def test_an_invalid_message_is_422(api, body, field):
    reference = create(api)
    assert field in problem(api.post(f"/cases/{reference}/messages", body, user="carl"), 422)["errors"]


def test_a_message_the_case_is_not_waiting_for_is_409(api):
    reference = create(api)
    problem(api.post(f"/cases/{reference}/messages", {"message": "fno_located"}, user="carl"), 409)


# -- documents ----------------------------------------------------------------------------
def test_generated_documents_are_listed_and_downloaded(app, api):
    reference = create(api)
    complete(
        api,
        reference,
        "check_certificate",
        {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"},
        "wendy",
    )
    complete(api, reference, "establish_whereabouts", {"whereabouts_known": "no"}, "carl")
    complete(api, reference, "record_nbtc_result", {"left_uk": "no"}, "carl")
    problem(api.get(f"/cases/{reference}/documents"), 400)
    items = api.get(f"/cases/{reference}/documents", headers={"X-Purpose": "send the ICD.5079"}).get_json()["items"]
    generated = [d for d in items if d["id"].startswith("document-")]
    assert generated and generated[0]["kind"] and generated[0]["downloadable"]
    download = api.get(f"/cases/{reference}/documents/{generated[0]['id']}", headers={"X-Purpose": "send"})
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    for missing in ("document-999", "certificate-999", "nonsense", "document-x"):
        problem(api.get(f"/cases/{reference}/documents/{missing}?purpose=x"), 404)
    with app.app_context():
        logged = [a.details for a in db.session.scalars(select(AccessLog).where(AccessLog.action == "export"))]
    assert {"via": "api", "what": "document", "document": generated[0]["id"]} in logged


# -- what is not there --------------------------------------------------------------------
def test_unknown_paths_and_methods_are_problems_too(api, app):
    problem(api.get("/nothing/here"), 404)
    response = api.client.delete("/api/v1/cases", headers=api._headers("wendy", None))
    problem(response, 405)
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    # the browser's pages keep their own error handling
    page = app.test_client().get("/no-such-page")
    assert page.status_code == 404 and page.mimetype != PROBLEM


# -- what no database keeps ---------------------------------------------------------------
def test_control_characters_and_non_numbers_are_refused_not_stored(api):
    reference = create(api)
    body = problem(api.post("/referrals", {"referral": {"subject": {"family_name": "Smi\u0000th"}}}), 422)
    assert body["errors"] == {"referral.subject.family_name": ["Family name must not contain control characters"]}
    body = problem(
        api.post(
            f"/cases/{reference}/messages",
            data='{"message": "fno_located", "payload": {"x": NaN}}',
            headers={"Content-Type": "application/json"},
            user="carl",
        ),
        422,
    )
    assert body["errors"] == {"payload.x": ["Not a valid number."]}
    assert "q" in problem(api.get("/cases?q=%00"), 400)["errors"]
    problem(api.get("/cases/ACRO%00/audit?purpose=x"), 400)
    problem(api.get(f"/cases/{reference}", headers={"X-Purpose": "why\x7f"}), 400)


def test_a_body_nested_too_deeply_is_400(api):
    deep = '{"referral": ' + "[" * 100000 + "]" * 100000 + "}"
    problem(api.post("/referrals", data=deep, headers={"Content-Type": "application/json"}), 400)
