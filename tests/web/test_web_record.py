"""A case as a legible decision record (issue 11): the certificate on the check task and the
case page, every decision's answers in its form's labels, what a later task rests on, and the
timeline in plain words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.models import AccessLog, Case, Certificate
from tests.people import INTAKE, actor_of_role
from tests.referrals import TEST_PDF, persona
from tests.web.pages import CERTIFICATE_NOT_OK, TO_STAGE1, has_class, html, task_id, text, texts
from webapp.bootstrap import casework
from webapp.db import db

CERTIFICATE_TEXT = "ACRO CERTIFICATE\nSubject: Jan KOWALSKI\nOffence: theft, Warsaw, 2019"


def opened(client, reference, purpose="casework"):
    client.post(f"/cases/{reference}/purpose", {"purpose": purpose})
    return client


@pytest.fixture
def pdf_case(app, users):
    """A referral whose certificate came with its text and a PDF, waiting for its check."""
    data = persona("kowalski")
    certificate = {**data["certificate"], "content": CERTIFICATE_TEXT, "file": TEST_PDF, "filename": "cert.pdf"}
    with app.app_context():
        case = casework().submit_referral(data["referral"], INTAKE, certificate=certificate, channel="web")
        return case.reference


def _log(app, actor):
    with app.app_context():
        return db.session.scalars(select(AccessLog).where(AccessLog.actor == actor).order_by(AccessLog.id)).all()


def _certificate_id(app, reference):
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        return db.session.scalars(select(Certificate.id).where(Certificate.case_id == case.id)).one()


# -- 11.1 the certificate ----------------------------------------------------------------
def test_the_check_task_shows_the_certificate_text_and_its_pdf_each_view_logged(app, web, pdf_case):
    task = task_id(app, pdf_case, "check_certificate")
    certificate = _certificate_id(app, pdf_case)
    client = web("workflow")
    page = client.get(f"/cases/{pdf_case}/tasks/{task}")
    assert page.status_code == 200
    panel = texts(page, f"//div[{has_class('app-certificate__text')}]")
    assert panel == [" ".join(CERTIFICATE_TEXT.split())]
    frame = html(page).xpath(f"//iframe[{has_class('app-certificate__pdf')}]")[0]
    assert frame.get("src") == f"/cases/{pdf_case}/certificates/{certificate}?task={task}"
    assert html(page).xpath("//a[@download]/@href") == [
        f"/cases/{pdf_case}/certificates/{certificate}?download=yes&task={task}"
    ]

    shown = client.get(frame.get("src"))
    assert shown.status_code == 200 and shown.data == TEST_PDF
    assert shown.mimetype == "application/pdf" and "attachment" not in shown.headers.get("Content-Disposition", "")
    # framed by the app's own pages only
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    downloaded = client.get(f"/cases/{pdf_case}/certificates/{certificate}?download=yes&task={task}")
    assert downloaded.headers["Content-Disposition"].startswith("attachment")

    why = "Working on the task: Check the certificate is disclosable"
    logged = [
        (e.action, e.purpose, e.details.get("what"), e.details.get("certificates_shown")) for e in _log(app, "workflow")
    ]
    assert logged == [
        ("view", why, "task", [certificate]),
        ("view", why, "certificate PDF", None),
        ("export", why, "certificate PDF", None),
    ]


def test_the_case_page_shows_the_certificate_and_its_pdf_under_the_stated_purpose(app, web, pdf_case):
    certificate = _certificate_id(app, pdf_case)
    client = web("caseworker")
    # the PDF without a purpose for the case (and no task of theirs) asks for one first
    assert "/purpose" in client.get(f"/cases/{pdf_case}/certificates/{certificate}").location
    opened(client, pdf_case)
    page = client.get(f"/cases/{pdf_case}")
    assert texts(page, f"//div[{has_class('app-certificate__text')}]") == [" ".join(CERTIFICATE_TEXT.split())]
    assert html(page).xpath(f"//iframe[{has_class('app-certificate__pdf')}]/@src") == [
        f"/cases/{pdf_case}/certificates/{certificate}"
    ]
    assert client.get(f"/cases/{pdf_case}/certificates/{certificate}").data == TEST_PDF
    logged = [(e.action, e.purpose, e.details.get("what")) for e in _log(app, "caseworker")]
    assert logged == [("view", "Working on this case", "case"), ("view", "Working on this case", "certificate PDF")]


def test_a_destroyed_certificate_says_so_and_shows_nothing(app, web, make_case):
    # Haddad's certificate was requested for criminal proceedings (WF-3)
    reference = make_case([CERTIFICATE_NOT_OK], index=1)
    certificate = _certificate_id(app, reference)
    client = opened(web("workflow"), reference)
    page = client.get(f"/cases/{reference}")
    destroyed = texts(page, f"//p[{has_class('app-certificate__destroyed')}]")
    assert len(destroyed) == 1 and destroyed[0].startswith("This certificate was destroyed on ")
    assert "Its content is no longer held." in destroyed[0]
    assert html(page).xpath(f"//iframe[{has_class('app-certificate__pdf')}]") == []
    assert html(page).xpath(f"//div[{has_class('app-certificate__text')}]") == []
    assert client.get(f"/cases/{reference}/certificates/{certificate}").status_code == 404


# -- 11.2 decisions ----------------------------------------------------------------------
def _summary(page, title):
    """The rows of the summary card titled ``title``: [(key, value)]."""
    cards = html(page).xpath(
        f"//div[{has_class('govuk-summary-card')}][.//h3[{has_class('govuk-summary-card__title')}]"
        f'[normalize-space()="{title}"]]'
    )
    assert len(cards) == 1, f"{len(cards)} cards titled {title!r}"
    return [
        (
            " ".join(row.xpath("string(dt)").split()),
            " ".join(row.xpath(f"string(dd[{has_class('govuk-summary-list__value')}])").split()),
        )
        for row in cards[0].xpath(f".//div[{has_class('govuk-summary-list__row')}]")
    ]


def test_the_case_page_shows_every_decision_in_its_form_s_labels_with_who_and_when(app, web, make_case):
    reference = make_case(TO_STAGE1)
    page = opened(web("senior"), reference).get(f"/cases/{reference}")
    decisions = html(page).xpath(
        "//h2[@id='decisions']/following-sibling::div[" + has_class("govuk-summary-card") + "]"
    )
    assert len(decisions) >= 6
    rows = dict(_summary(page, "Consider detention"))
    assert rows["Done by"] == "caseworker"
    assert rows["When"].endswith("2026, 9:00am")
    assert rows["Is the FNO suitable for detention?"] == "Yes"
    assert rows["Where is the FNO now?"] == "Serving a prison sentence"
    assert rows["What are the reasons for the detention decision?"] == "In prison"
    # an answer equal to what the case held before is still the person's answer
    police = dict(_summary(page, "Record the police response"))
    assert police["When was the investigating officer contacted?"] == "5 January 2026"
    assert police["Is a UK prosecution pending?"] == "No"
    assert (
        dict(_summary(page, "Establish the FNO's whereabouts"))["What is the FNO's current address?"]
        == "HMP Wandsworth"
    )
    # and in the timeline, under the entry of the task
    timeline = texts(page, f"//ol[{has_class('app-timeline')}]/li")
    detention = [t for t in timeline if t.startswith("Task completed: Consider detention")]
    assert len(detention) == 1 and "What are the reasons for the detention decision? In prison" in detention[0]


def test_the_labels_come_from_the_case_s_own_form(app, web, make_case):
    """Relabel a field in the stored version: the page follows the model, not a Python list."""
    reference = make_case(TO_STAGE1)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        version = case.process_version
        files = dict(version.files)
        files["detention.bpmn"] = files["detention.bpmn"].replace(
            'label="What are the reasons for the detention decision?"', 'label="Why was detention decided so?"'
        )
        from casework import bundles

        case.process_version = bundles.stored(db.session, files, version.main_process)
        db.session.commit()
    page = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    assert dict(_summary(page, "Consider detention"))["Why was detention decided so?"] == "In prison"


def test_the_deportation_decision_shows_the_representations_and_the_stage1_notice(app, web, make_case):
    reference = make_case(TO_STAGE1)
    client = opened(web("caseworker"), reference)
    client.post(f"/cases/{reference}/events", {"event": "representations_received", "details": "I have family here"})
    page = client.get(f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_deportation')}")
    assert texts(
        page, f"//h2[@id='rests-on']/following-sibling::div//h3[{has_class('govuk-summary-card__title')}]"
    ) == [
        "Serve the Stage 1 notice",
        "Representations received",
    ]
    notice = dict(_summary(page, "Serve the Stage 1 notice"))
    assert notice["Document"] == "Stage 1 Liability to Deportation Notice (PDF)"
    assert dict(_summary(page, "Representations received"))["Details recorded"] == "I have family here"
    link = html(page).xpath("//h2[@id='rests-on']/following-sibling::div//a[contains(@href, '/documents/')]/@href")
    assert len(link) == 1 and client.get(link[0]).mimetype == "application/pdf"


def test_detention_reconsidered_shows_the_police_answers(app, web, make_case):
    """LOC-6: the prosecution dropped, detention is considered again with the police's answers."""
    from tests.web.pages import TO_ARRANGEMENTS

    reference = make_case(TO_ARRANGEMENTS)
    page = web("caseworker").get(f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_detention')}")
    police = dict(_summary(page, "Record the police response"))
    assert police["Is a UK prosecution pending?"] == "Yes"
    assert police["Will the police continue the prosecution?"] == "No"
    assert police["Done by"] == "caseworker"


NOT_PURSUED = (
    "consider_deportation",
    "caseworker",
    {
        "foreign_convictions_considered": "Theft (Poland, 2019)",
        "uk_convictions": "None",
        "outstanding_law_enforcement": "None",
        "deportation_decision": "not_pursue",
        "decision_reasons": "Old conviction; strong Article 8 claim",
        "address_known": "yes",
        "in_country_right_of_appeal": "yes",
    },
)


def test_the_director_s_decision_shows_the_submission_its_reasons_and_pdf(app, web, make_case):
    reference = make_case(TO_STAGE1)
    with app.app_context():
        caseworker = actor_of_role("caseworker", app.config["ACRO_SETTINGS"].role_groups)
        casework().deliver_message(reference, "representations_received", {"details": "Family life"}, caseworker)
    with app.app_context():
        service = casework()
        task = task_id(app, reference, "consider_deportation")
        service.complete_task(reference, task, NOT_PURSUED[2], caseworker)
    client = web("director")
    page = client.get(f"/cases/{reference}/tasks/{task_id(app, reference, 'director_decision')}")
    assert page.status_code == 200
    decision = dict(_summary(page, "Consider deportation"))
    assert decision["What are the reasons for the decision?"] == "Old conviction; strong Article 8 claim"
    assert decision["What is the decision?"] == "Do not pursue deportation"
    submission = dict(_summary(page, "Send the submission to the CC Director"))
    assert submission["Document"] == "Submission to the CC Director (PDF)"
    link = html(page).xpath("//h2[@id='rests-on']/following-sibling::div//a[contains(@href, '/documents/')]/@href")
    # the director gave no purpose for the case: the PDF asks for one, as every download does
    assert len(link) == 1 and "/purpose" in client.get(link[0]).location


# -- 11.4 the timeline in plain words -------------------------------------------------------
@pytest.mark.parametrize(
    "channel, said",
    [
        ("web", "Referral received: entered on the New referral page"),
        ("api", "Referral received: sent through the API"),
        ("email", "Referral received: taken in from ACRO's email"),
    ],
)
def test_the_timeline_says_the_route_at_each_gateway_and_the_channel_without_element_ids(app, web, channel, said):
    from tests.web.pages import CERTIFICATE_OK, LOCATED

    data = persona("kowalski")
    with app.app_context():
        service = casework()
        reference = service.submit_referral(
            data["referral"], INTAKE, certificate=data["certificate"], channel=channel
        ).reference
        for bpmn_id, role, answers in (CERTIFICATE_OK, LOCATED):
            service.complete_task(
                reference,
                task_id(app, reference, bpmn_id),
                answers,
                actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups),
            )
    page = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    timeline = texts(page, f"//ol[{has_class('app-timeline')}]/li/p[1]")
    assert said in timeline
    assert "Whereabouts known? Yes" in timeline
    assert "Certificate disclosable? Yes" in timeline
    # no element ids: the unnamed merges are not steps a caseworker took
    assert not [t for t in timeline if "_merge" in t or "_gateway" in t]


# -- 11.7 case references link from every queue ------------------------------------------------
def test_case_references_link_to_the_case_from_the_queues(app, web, make_case):
    reference = make_case()
    client = web("workflow")
    client.post(f"/cases/{reference}/tasks/{task_id(app, reference, 'check_certificate')}/claim")
    for path in ("/tasks/queues/cc-workflow", "/tasks"):
        page = client.get(path)
        assert html(page).xpath(f"//a[normalize-space()='{reference}']/@href") == [f"/cases/{reference}"], path
    # an administrator manages the queue without opening cases: the reference is plain text
    page = web("admin").get("/tasks/queues/cc-workflow")
    assert reference in text(page) and html(page).xpath(f"//a[normalize-space()='{reference}']") == []
