"""Task queues and task pages: counts, sorting, filters, paging, claim, release, assign, the
generated form, server validation, the guidance panel and the check-your-answers page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.models import AuditEntry, UserTask
from tests.web.pages import (
    CERTIFICATE_OK,
    LOCATED,
    OWNER,
    TO_DETENTION,
    TO_POLICE,
    has_class,
    html,
    task_id,
    text,
    texts,
)
from webapp.db import db
from webapp.views import taskforms


def rows(page: str) -> list[str]:
    return [r for r in page.split('<tr class="govuk-table__row">')[1:]]


def test_my_tasks_and_team_queues_with_counts(web, make_case):
    make_case()
    make_case(index=1)
    owned = make_case([CERTIFICATE_OK, LOCATED, OWNER])  # consider_detention (LOC-2), assigned to the owner
    page = text(web("caseworker").get("/tasks"))
    assert "My tasks</a>\n      (1)" in page
    assert "CC casework team queue</a>\n      (1)" in page
    assert owned in page and "Consider detention" in page
    page = text(web("workflow").get("/tasks/queues/cc-workflow"))
    assert "CC Workflow team queue</a>\n      (2, 2 not assigned)" in page
    assert page.count("Check the certificate is disclosable</a>") == 2
    assert "Piotr Jan KOWALSKI" in page and "Omar HADDAD" in page


def test_an_administrator_sees_every_team_s_queue(web, make_case):
    make_case()
    page = text(web("admin").get("/tasks"))
    for queue in ("CC Workflow team queue", "CC casework team queue", "Senior caseworkers queue", "CC Director queue"):
        assert queue in page


def test_sorting_filtering_and_overdue_tasks(app, web, make_case):
    clock = app.extensions["acro"]["clock"]
    first = make_case()
    clock.advance(timedelta(days=1))
    second = make_case(index=1)
    client = web("workflow")
    by_due = text(client.get("/tasks/queues/cc-workflow?sort=due"))
    assert by_due.index(first) < by_due.index(second)
    by_age = text(client.get("/tasks/queues/cc-workflow?sort=age"))
    assert by_age.index(first) < by_age.index(second)
    assert (
        text(client.get("/tasks/queues/cc-workflow?sort=priority")).count("Check the certificate is disclosable</a>")
        == 2
    )
    assert "There are no tasks here that match the filters" in text(client.get("/tasks/queues/cc-workflow?overdue=yes"))
    clock.advance(timedelta(days=1, hours=1))  # the first is due 2 days after it arrived (P2D)
    response = client.get("/tasks/queues/cc-workflow?overdue=yes")
    overdue = text(response)
    assert first in overdue and second not in overdue
    # the overdue task's row carries a red "Overdue" tag
    rows = texts(response, f"//tr[.//strong[{has_class('govuk-tag--red')} and normalize-space()='Overdue']]")
    assert len(rows) == 1 and first in rows[0]
    assert "1 overdue" in overdue
    filtered = text(client.get("/tasks/queues/cc-workflow?task=establish_whereabouts"))
    assert "There are no tasks here that match the filters" in filtered
    assert text(client.get("/tasks/queues/cc-workflow?task=check_certificate")).count(first) >= 1


def test_a_long_queue_is_paged(app, web, make_case):
    clock = app.extensions["acro"]["clock"]
    references = []
    for i in range(22):
        references.append(make_case(index=i % 3))
        clock.advance(timedelta(minutes=1))
    client = web("workflow")
    first = text(client.get("/tasks/queues/cc-workflow?sort=age"))
    assert "22 tasks" in first and 'class="govuk-pagination"' in first
    assert references[0] in first and references[21] not in first
    second = text(client.get("/tasks/queues/cc-workflow?sort=age&page=2"))
    assert references[21] in second and references[0] not in second
    for page in ("x", "0", "100001"):
        response = client.get(f"/tasks/queues/cc-workflow?page={page}")
        assert response.status_code == 400, page
        assert "The page number must be a whole number from 1 to 100,000" in text(response)


def test_claim_release_and_assign_to_a_colleague(app, web, make_case):
    reference = make_case([CERTIFICATE_OK])
    task = task_id(app, reference, "establish_whereabouts")
    base = f"/cases/{reference}/tasks/{task}"
    carl = web("caseworker")
    assert carl.post(f"{base}/claim").status_code == 302
    assert "You have claimed" in text(carl.get(base))
    # someone else cannot claim it now
    senior = web("senior")
    senior.post(f"{base}/claim")
    assert "Establish the FNO&#39;s whereabouts was claimed by caseworker at 05 January 2026" in text(senior.get(base))
    assert carl.post(f"{base}/release").status_code == 302
    with app.app_context():
        assert db.session.get(UserTask, task).assignee is None
    # the colleagues offered are the task's team
    page = text(carl.get(base))
    assert 'value="senior"' in page and 'value="caseworker"' in page and 'value="director"' not in page
    carl.post(f"{base}/assign", {"assignee": "senior"})
    with app.app_context():
        assert db.session.get(UserTask, task).assignee == "senior"
    assert "is assigned to Sita Patel" in text(carl.get("/tasks"))
    # once a colleague holds it, only they (or a supervisor, or an administrator) give it on
    assert carl.post(f"{base}/assign", {"assignee": "caseworker"}).status_code == 403
    senior.post(f"{base}/assign", {"assignee": "director"})
    assert "Dana Rhodes is not in the team" in text(senior.get("/tasks"))
    senior.post(f"{base}/assign", {"assignee": ""})
    assert "Select a colleague" in text(senior.get("/tasks"))
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("task %")))]
    assert {"task claimed", "task released", "task assigned"} <= set(actions)


def test_the_task_page_form_guidance_and_case_summary(app, web, make_case):
    reference = make_case()
    page = text(web("workflow").get(f"/cases/{reference}/tasks/{task_id(app, reference, 'check_certificate')}"))
    assert '<h1 class="govuk-heading-l">Check the certificate is disclosable</h1>' in page
    assert 'type="radio"' in page and 'name="certificate_purpose"' in page and 'value="criminal_proceedings"' in page
    assert "govuk-radios--inline" in page  # yes/no
    assert "What the guidance says" in page and "WF-1" in page and "WF-3" in page
    assert "Request for administrative purpose" in page
    assert "The case" in page and "Piotr Jan KOWALSKI" in page and "12 April 1988" in page and "Robbery" in page


def test_text_long_text_and_date_fields(app, web, make_case):
    reference = make_case(TO_POLICE)
    client = web("caseworker")
    page = text(client.get(f"/cases/{reference}/tasks/{task_id(app, reference, 'record_police_response')}"))
    assert 'name="officer_contacted_on-day"' in page and 'name="officer_contacted_on-year"' in page
    assert '<textarea class="govuk-textarea' in page and 'name="uk_charges"' in page
    assert "What are the UK charges? (optional)" in page
    # a short text answer (the diagrams have none left: long ones are text areas, people are chosen)
    form = {"fields": [{"id": "ref", "label": "Reference", "type": "string"}]}
    (component,) = taskforms.components(form, {"ref": "A1"}, {})
    assert component["macro"] == "input" and component["params"]["value"] == "A1"


def test_numbers_are_number_inputs():
    form = {"fields": [{"id": "days", "label": "How many days?", "type": "long", "validation": {"required": None}}]}
    (component,) = taskforms.components(form, {"days": "12"}, {})
    assert component["macro"] == "input" and component["params"]["inputmode"] == "numeric"
    assert component["params"]["value"] == "12" and component["params"]["label"]["text"] == "How many days?"


def test_invalid_answers_show_the_error_summary_and_messages(app, web, make_case):
    reference = make_case()
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'check_certificate')}"
    response = web("workflow").post(url, {"certificate_purpose": "immigration_deportation"})
    page = text(response)
    assert response.status_code == 400
    assert "<title>Error: " in page and "govuk-error-summary" in page
    assert 'href="#offences_on_pnc"' in page and "Select an answer: Do the offences appear on the PNC?" in page
    assert 'id="offences_on_pnc-error"' in page
    assert 'value="immigration_deportation" checked' in page  # what was given is kept


def test_a_purpose_the_certificate_held_contradicts_is_refused_beside_the_field(app, web, make_case):
    """WF-3: the Haddad certificate records criminal proceedings; the diagram's refuse_when says no."""
    reference = make_case(index=1)
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'check_certificate')}"
    response = web("workflow").post(url, {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "yes"})
    page = text(response)
    assert response.status_code == 400 and 'href="#certificate_purpose"' in page
    assert 'id="certificate_purpose-error"' in page
    assert "This does not match the request purpose recorded on the certificate held" in page
    # nothing moved: the same task still waits
    assert task_id(app, reference, "check_certificate")


def test_an_impossible_date_is_refused(app, web, make_case):
    reference = make_case(TO_POLICE)
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'record_police_response')}"
    response = web("caseworker").post(
        url,
        {
            "officer_contacted_on-day": "31",
            "officer_contacted_on-month": "2",
            "officer_contacted_on-year": "2026",
            "pending_prosecution": "no",
            "police_continue_prosecution": "no",
        },
    )
    page = text(response)
    assert response.status_code == 400 and 'href="#officer_contacted_on-day"' in page
    assert "must be a real date" in page and 'value="31"' in page


@pytest.mark.parametrize("bpmn_id", ["consider_detention"])
def test_a_decision_with_legal_effect_goes_through_the_check_page(app, web, make_case, bpmn_id):
    reference = make_case(TO_DETENTION)
    task = task_id(app, reference, bpmn_id)
    url = f"/cases/{reference}/tasks/{task}"
    client = web("caseworker")
    assert texts(client.get(url), "//form//button[@type='submit' or not(@type)]")[-1] == "Continue"
    answers = {
        "custody_status": "serving_sentence",
        "sufficient_time": "yes",
        "suitable_for_detention": "yes",
        "detention_reasons": "Serving 30 months.",
    }
    check = client.post(url, answers)
    page = text(check)
    assert check.status_code == 200 and "Check your answers before you decide" in page
    assert "Serving a prison sentence" in page and "Serving 30 months." in page
    assert 'name="detention_reasons" value="Serving 30 months."' in page
    with app.app_context():
        assert db.session.get(UserTask, task) is not None  # not decided yet
    change = text(client.post(url, {**answers, "action": "change"}))
    assert "Serving 30 months.</textarea>" in change and "Check your answers" not in change
    invalid = client.post(url, {**answers, "detention_reasons": ""})
    assert invalid.status_code == 400 and "Check your answers" not in text(invalid)
    done = client.post(url, {**answers, "action": "confirm"})
    assert done.status_code == 302 and done.location.endswith("/tasks")
    with app.app_context():
        assert db.session.get(UserTask, task) is None
    assert "“Consider detention” is done" in text(client.get("/tasks"))


def test_other_tasks_complete_at_once_and_offer_the_next_task(app, web, make_case):
    reference = make_case([CERTIFICATE_OK])
    client = web("caseworker")
    response = client.post(
        f"/cases/{reference}/tasks/{task_id(app, reference, 'establish_whereabouts')}", {"whereabouts_known": "yes"}
    )
    assert response.status_code == 302
    page = text(client.get("/tasks"))
    assert "is done" in page and "Allocate a case owner</a>" in page


def test_a_task_assigned_to_someone_else_cannot_be_completed(app, web, make_case):
    reference = make_case([CERTIFICATE_OK])
    task = task_id(app, reference, "establish_whereabouts")
    web("senior").post(f"/cases/{reference}/tasks/{task}/claim")
    client = web("caseworker")
    response = client.post(
        f"/cases/{reference}/tasks/{task}", {"whereabouts_known": "yes", "current_address": "HMP Leeds"}
    )
    assert response.status_code == 409
    page = text(response)
    assert "Your answers were not recorded" in page and "is assigned to senior" in page
    assert "HMP Leeds" in page  # what they typed is still in front of them
    with app.app_context():
        assert db.session.get(UserTask, task) is not None


def test_a_task_done_already_says_who_did_it(app, web, make_case):
    reference = make_case()
    task = task_id(app, reference, "check_certificate")
    client = web("workflow")
    client.post(f"/cases/{reference}/tasks/{task}", CERTIFICATE_OK[2])
    response = client.get(f"/cases/{reference}/tasks/{task}")
    assert response.status_code == 409
    assert "Check the certificate is disclosable was already done by workflow" in text(response)


def test_who_loses_a_race_is_told_who_acted_and_when_and_keeps_their_answers(app, web, make_case):
    reference = make_case()
    task = task_id(app, reference, "check_certificate")
    first, second = web("workflow"), web("workflow")
    first.post(f"/cases/{reference}/tasks/{task}", CERTIFICATE_OK[2])
    late = second.post(
        f"/cases/{reference}/tasks/{task}", {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "yes"}
    )
    assert late.status_code == 409
    page = text(late)
    assert "Check the certificate is disclosable was already done by workflow at " in page
    rows = dict(zip(texts(late, "//dt"), texts(late, "//dd"), strict=False))
    assert rows == {
        "What was the certificate requested for?": "Criminal proceedings",
        "Do the offences appear on the PNC?": "Yes",
    }, rows


def test_the_task_page_records_each_view_with_the_task_as_its_purpose(app, web, make_case):
    from casework.models import AccessLog

    reference = make_case()
    client = web("workflow")
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'check_certificate')}"
    client.get(url)
    client.get(url)
    with app.app_context():
        logged = db.session.scalars(select(AccessLog)).all()
    assert [(e.actor, e.action, e.purpose) for e in logged if e.actor == "workflow"] == [
        ("workflow", "view", "Working on the task: Check the certificate is disclosable")
    ] * 2
    # the task's purpose is for the task page only: the case page asks its own
    assert "/purpose" in client.get(f"/cases/{reference}").location


def test_no_answer_is_chosen_for_the_person(app, web, make_case):
    """A radio chosen in advance is an answer nobody gave (GOV.UK: never pre-select)."""
    reference = make_case(TO_DETENTION)
    task = task_id(app, reference, "consider_detention")
    client = web("caseworker")
    client.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    page = client.get(f"/cases/{reference}/tasks/{task}")
    assert page.status_code == 200
    radios = html(page).xpath("//input[@type='radio']")
    assert radios, "the detention form has radios"
    assert [r.get("name") for r in radios if r.get("checked") is not None] == []


def test_the_case_owner_is_chosen_from_the_team_not_typed(app, web, make_case):
    reference = make_case([CERTIFICATE_OK, LOCATED])
    task = task_id(app, reference, "allocate_case_owner")
    client = web("caseworker")
    page = client.get(f"/cases/{reference}/tasks/{task}")
    options = html(page).xpath("//select[@name='case_owner']/option")
    # the casework team's active members (a caseworker, and a senior caseworker, who is in it too)
    assert [o.get("value") for o in options] == ["", "caseworker", "senior"], [o.get("value") for o in options]
    typed = client.post(f"/cases/{reference}/tasks/{task}", {"case_owner": "Carl Byrne"})
    assert typed.status_code == 400
    assert html(typed).xpath("//select[@name='case_owner']/option[@selected]/@value") == []
