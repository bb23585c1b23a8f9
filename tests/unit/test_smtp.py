import smtplib
from email import message_from_bytes, policy

import pytest

from adapters.smtp import SmtpSender, build_message
from tests.mail import MailCatcher
from tests.network import free_port

# as long as the outbox's ids: longer than a header line, so a careless sender would fold it
MESSAGE_ID = "<bd2c963c-5536-41f6-8c40-11dca1844a9d@acro-casework.homeoffice.example>"
PDF_BYTES = b"%PDF-1.4\n% a tiny stand-in for a generated form\n%%EOF\n"


@pytest.fixture
def server():
    with MailCatcher() as catcher:
        yield catcher


def _message(to):
    return build_message(
        "acro-casework@homeoffice.example",
        to,
        "ACRO-2026-000012: ICD.5079 request",
        "Dear PNC Bureau,\n\nŁukasz ŻÓŁĆ\n",
        [("ACRO-2026-000012-1-icd-5079.pdf", PDF_BYTES, "application/pdf")],
        message_id=MESSAGE_ID,
    )


def test_a_message_with_a_pdf_arrives_as_sent(server):
    SmtpSender(server.host, server.port, timeout=5).send(_message(["pnc-bureau@police.example"]))

    assert len(server.envelopes) == 1
    envelope = server.envelopes[0]
    assert envelope.mail_from == "acro-casework@homeoffice.example"
    assert envelope.rcpt_tos == ["pnc-bureau@police.example"]
    received = message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == "ACRO-2026-000012: ICD.5079 request"
    assert received["Message-ID"] == MESSAGE_ID
    assert "Łukasz ŻÓŁĆ" in received.get_body(preferencelist=("plain",)).get_content()
    attachments = list(received.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["ACRO-2026-000012-1-icd-5079.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == PDF_BYTES


def test_a_refused_recipient_raises_even_when_another_is_accepted(server):
    sender = SmtpSender(server.host, server.port, timeout=5)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        sender.send(_message(["pnc-bureau@police.example", "refused@police.example"]))
    assert "refused@police.example" in caught.value.recipients


def test_a_server_that_is_not_there_raises():
    with pytest.raises(OSError):
        SmtpSender("127.0.0.1", free_port(), timeout=2).send(_message(["pnc-bureau@police.example"]))


def test_build_message_needs_recipients_and_proper_mimetypes():
    with pytest.raises(ValueError, match="no recipients"):
        build_message("a@example.org", [], "subject", "body", [])
    with pytest.raises(ValueError, match="type/subtype"):
        build_message("a@example.org", ["b@example.org"], "subject", "body", [("x.pdf", b"x", "pdf")])
