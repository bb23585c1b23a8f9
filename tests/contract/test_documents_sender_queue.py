"""The contracts of the documents, the mail sender and the worker's queue, on each fake and
its real adapter."""

from __future__ import annotations

import base64
import io
import json
import os
from email.message import EmailMessage

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adapters.smtp import SmtpSender, build_message
from casework.documents import DocumentStore
from casework.models import Document
from casework.ports import Documents, Queue, Sender
from casework.scenarios import RecordingSender
from tests.contract.edges import FakeCases, RealCases
from tests.fakes import FakeDocuments, RecordingQueue

SECTIONS = [("Reason", "The subject's offences are on the PNC.")]


@pytest.fixture(params=["fake", "real"])
def documents(request, referral, tmp_path):
    if request.param == "fake":
        cases = FakeCases()
        fake = FakeDocuments(cases.store(referral()), cases.clock, render=True)
        return fake, lambda made: next(d["pdf"] for d in fake.created if d["id"] == made["id"])
    cases = RealCases(request.getfixturevalue("session"))
    store = cases.store(referral())
    real = DocumentStore(cases.session, store.case, store.subject_name(), tmp_path / "documents", cases.clock)

    def content(made):
        row = cases.session.scalars(select(Document).where(Document.id == made["id"])).one()
        with open(row.path, "rb") as handle:
            return handle.read()

    return real, content


def test_a_document_is_a_pdf_named_for_its_case(documents):
    store, content = documents
    assert isinstance(store, Documents)
    made = store.create("ICD.5079", "Request to add a wanted/missing marker", SECTIONS)
    assert set(made) == {"id", "kind", "title", "filename"}
    assert made["kind"] == "ICD.5079" and made["filename"].endswith(".pdf") and "ACRO-2026-" in made["filename"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content(made))).pages)
    assert "Request to add a wanted/missing marker" in text and "The subject's offences are on the PNC." in text
    second = store.create("ICD.5080", "Request to remove the marker", SECTIONS)
    assert second["id"] != made["id"]


def _message(to="pnc-bureau@police.example"):
    return build_message(
        "acro-casework@homeoffice.example",
        [to],
        "A subject line",
        "The body",
        [],
        message_id="<contract-1@acro-casework.homeoffice.example>",
    )


@pytest.fixture(params=["fake", "real"])
def sender(request, smtp_server):
    if request.param == "fake":
        fake = RecordingSender()
        return fake, lambda: [m["Message-ID"] for m in fake.sent]
    real = SmtpSender(smtp_server.host, smtp_server.port)
    start = len(smtp_server.messages)
    return real, lambda: [m["message"]["Message-ID"] for m in smtp_server.messages[start:]]


def test_a_message_is_handed_on_once_with_its_message_id(sender):
    adapter, delivered = sender
    assert isinstance(adapter, Sender)
    adapter.send(_message())
    assert delivered() == ["<contract-1@acro-casework.homeoffice.example>"]


def test_a_message_with_no_recipient_is_refused(sender):
    adapter, delivered = sender
    message = EmailMessage()
    message["From"], message["Subject"] = "acro-casework@homeoffice.example", "Nobody"
    message.set_content("To nobody")
    with pytest.raises(ValueError):
        adapter.send(message)
    assert delivered() == []


BROKER = os.environ.get("ACRO_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["fake", "real"])
def queue(request):
    if request.param == "fake":
        fake = RecordingQueue()
        yield fake, lambda: list(fake.jobs)
        return
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {BROKER}")
    client.delete("acro")
    from casework import worker

    worker.celery.conf.broker_url = BROKER

    def jobs():
        # what Celery put on the broker: the task's name and arguments, oldest first
        found = []
        for raw in reversed(client.lrange("acro", 0, -1)):
            message = json.loads(raw)
            args, _, _ = json.loads(base64.b64decode(message["body"]))
            found.append((message["headers"]["task"].removeprefix("acro."), *args))
        return found

    yield worker.CeleryQueue(), jobs
    client.delete("acro")


def test_work_for_the_worker_is_queued_in_order(queue):
    adapter, jobs = queue
    assert isinstance(adapter, Queue)
    adapter.continue_case("ACRO-2026-000001", "carl")
    adapter.dispatch_outbox()
    adapter.run_scenarios(7)
    assert jobs() == [("continue_case", "ACRO-2026-000001", "carl"), ("dispatch_outbox",), ("run_scenarios", 7)]
