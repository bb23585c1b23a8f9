"""Issue 12, point 2: no message stops ``acro intake``. A hostile message (parts nested 1,000
deep, 70 MB, a header bomb, a reused Message-ID, a PDF that runs scripts or expands to
gigabytes) is quarantined with a clear reason, and intake goes on with the next message."""

import hashlib
import html
import shutil
import tracemalloc
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from casework.models import Case, ReceivedMessage, User
from tests.security.hostile_corpus import (
    CORPUS,
    HOSTILE_PDFS,
    OVERSIZE_BYTES,
    encoded_subject_bomb,
    good_extra,
    hostile,
    redelivered,
    reused_message_id,
    write_oversize,
)
from tests.web.pages import Client
from webapp.bootstrap import casework
from webapp.db import db

EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
GOOD = sorted(n for n, e in EXPECTED.items() if "accepted" in e)


def maildir(root: Path) -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def quarantined_reason(quarantine: Path, name: str) -> str:
    return (quarantine / "new" / (name + ".reason.txt")).read_text(encoding="utf-8")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def workflow_user(app):
    with app.app_context():
        db.session.add(
            User(
                username="wendy",
                full_name="Wendy",
                roles=["workflow"],
                password_hash=generate_password_hash("wendy-password", method="pbkdf2:sha256:1000"),
            )
        )
        db.session.commit()
    return Client(app.test_client()).sign_in("wendy", "wendy-password")


def test_one_run_quarantines_every_hostile_message_and_takes_in_every_good_one(app, runner, tmp_path, workflow_user):
    inbox = maildir(tmp_path / "acro")
    quarantine = tmp_path / "quarantine"
    messages = hostile()
    # the message that used to end the run comes first: everything after it stayed unread
    order = ["deep-multipart-1000"] + sorted(n for n in messages if n != "deep-multipart-1000")
    expected = {}  # file name -> reason fragment
    for index, name in enumerate(order):
        data, reason = messages[name]
        (inbox / "new" / f"{index + 1:03d}.{name}").write_bytes(data)
        expected[f"{index + 1:03d}.{name}"] = reason
    write_oversize(inbox / "new" / "100.oversize-70mb")
    expected["100.oversize-70mb"] = "over the 15.0 MB limit"
    good = {}
    for index, name in enumerate(GOOD):
        shutil.copy(CORPUS / name, inbox / "new" / f"2{index:02d}.{name}")
        good[f"2{index:02d}.{name}"] = EXPECTED[name]["accepted"]["family_name"]
    for index, (name, data) in enumerate(good_extra().items()):
        (inbox / "new" / f"3{index:02d}.{name}").write_bytes(data)
        good[f"3{index:02d}.{name}"] = None
    original = (CORPUS / "good-plain-utf8.eml").read_bytes()
    (inbox / "new" / "900.reused-message-id").write_bytes(reused_message_id(original))
    expected["900.reused-message-id"] = "with different content"
    (inbox / "new" / "901.redelivered").write_bytes(redelivered(original))
    assert len(expected) >= 30

    result = runner.invoke(args=["intake", str(inbox)])

    assert result.exit_code == 0, result.output
    assert f"{len(good)} referral(s) created, 1 already taken in, {len(expected)} quarantined" in result.output, (
        result.output
    )
    for name, fragment in expected.items():
        reason = quarantined_reason(quarantine, name)
        assert fragment in reason, (name, reason)
    assert not list((inbox / "new").iterdir())
    with app.app_context():
        rows = {Path(r.source_path).name: r for r in db.session.scalars(select(ReceivedMessage))}
        for name, fragment in expected.items():
            assert rows[name].status == "quarantined" and fragment in rows[name].reason, name
        for name in good:
            assert rows[name].status == "accepted" and rows[name].case_id is not None, name
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(good)
        # the referral that came first under the reused Message-ID is the one kept
        kowalski = db.session.get(
            Case, rows["2" + f"{GOOD.index('good-plain-utf8.eml'):02d}" + ".good-plain-utf8.eml"].case_id
        )
        assert kowalski.referral["subject"]["family_name"] == "Kowalski"
        assert kowalski.reference in rows["900.reused-message-id"].reason
    assert (quarantine / "new" / "100.oversize-70mb").stat().st_size >= OVERSIZE_BYTES

    # the Workflow team sees every quarantined message, with its reason
    page = workflow_user.get("/intake/problems").get_data(as_text=True)
    assert f"{len(expected)} messages to look at" in page
    with app.app_context():
        for row in db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.status == "quarantined")):
            assert row.reason in html.unescape(page)

    again = runner.invoke(args=["intake", str(inbox)])
    assert (
        again.exit_code == 0 and f"0 referral(s) created, {len(good)} already taken in, 0 quarantined" in again.output
    ), again.output


def test_a_70_mb_message_is_quarantined_without_being_read_into_memory(app, tmp_path):
    inbox = maildir(tmp_path / "acro")
    big = inbox / "new" / "1700000000.M1P1.mailhost"
    write_oversize(big)
    digest = sha256_of(big)
    from casework.intake.mailbox import Intake

    with app.app_context():
        service = casework()
        tracemalloc.start()
        try:
            [outcome] = Intake(service).run(inbox).outcomes
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        row = db.session.scalars(select(ReceivedMessage)).one()
        assert (row.status, row.message_id) == ("quarantined", "<oversize-70mb@acro.police.example>")
    assert outcome.status == "quarantined" and "70.0 MB, over the 15.0 MB limit" in outcome.reason
    # a copy in pieces, never the message whole (it used to take 720 MB)
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1048576:.1f} MB"
    kept = tmp_path / "quarantine" / "new" / big.name
    assert sha256_of(kept) == digest and not big.exists()


def test_a_header_bomb_is_refused_before_any_of_it_is_decoded(app, tmp_path):
    """An otherwise good referral whose Subject is 20 KB of encoded words (5 MB took 38 s)."""
    from casework.intake.mailbox import Intake

    original = (CORPUS / "good-plain-utf8.eml").read_bytes()
    words = encoded_subject_bomb("x", 20 * 1024).split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0]
    inbox = maildir(tmp_path / "acro")
    (inbox / "new" / "bomb").write_bytes(original.replace(b"Subject: ", b"Subject: " + words + b" ", 1))
    with app.app_context():
        [outcome] = Intake(casework()).run(inbox).outcomes
    assert outcome.status == "quarantined"
    assert "has a Subject header longer than 8.0 KB" in outcome.reason


def test_a_reused_message_id_with_different_content_is_quarantined_not_dropped(app, tmp_path):
    from casework.intake.mailbox import Intake

    original = (CORPUS / "good-plain-utf8.eml").read_bytes()
    inbox = maildir(tmp_path / "acro")
    (inbox / "new" / "1-original").write_bytes(original)
    (inbox / "new" / "2-impostor").write_bytes(reused_message_id(original))
    (inbox / "new" / "3-delivered-again").write_bytes(redelivered(original))
    with app.app_context():
        outcomes = Intake(casework()).run(inbox).outcomes
        assert [o.status for o in outcomes] == ["accepted", "quarantined", "duplicate"]
        reference = outcomes[0].case_reference
        assert (
            f"its Message-ID <good-plain-utf8@acro.police.example> was taken in before as {reference} with "
            "different content" in outcomes[1].reason
        )
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
        first = db.session.scalars(
            select(ReceivedMessage).where(ReceivedMessage.message_id == "<good-plain-utf8@acro.police.example>")
        ).one()
        assert first.status == "accepted" and first.case.reference == reference
    assert b"Impostor" in (tmp_path / "quarantine" / "new" / "2-impostor").read_bytes()


def test_whatever_goes_wrong_with_one_message_the_run_goes_on(app, tmp_path, monkeypatch):
    """A parser bug (any exception) quarantines that message; a failure to save it leaves it
    for the next run; the messages after it are taken in either way."""
    from casework.intake import mailbox
    from casework.intake import parse as real_parse

    inbox = maildir(tmp_path / "acro")
    for index, name in enumerate(["good-plain-utf8.eml", "good-uk-dates-crlf.eml", "good-format-flowed.eml"]):
        shutil.copy(CORPUS / name, inbox / "new" / f"{index}.{name}")

    def parse(data, **kwargs):
        if b"good-plain-utf8@" in data:
            raise KeyError("a bug the parser never had before")
        return real_parse(data, **kwargs)

    monkeypatch.setattr(mailbox, "parse", parse)
    with app.app_context():
        service = casework()
        real_submit = service.submit_referral

        def submit(referral, *args, **kwargs):
            if referral["subject"]["family_name"] == "Okonkwo":
                raise ValueError("not a CaseworkError")
            return real_submit(referral, *args, **kwargs)

        monkeypatch.setattr(service, "submit_referral", submit)
        outcomes = mailbox.Intake(service).run(inbox).outcomes
        assert [o.status for o in outcomes] == ["quarantined", "failed", "accepted"]
        assert "intake could not read the message (KeyError" in outcomes[0].reason
        assert "ValueError: not a CaseworkError" in outcomes[1].reason
    assert [p.name for p in (inbox / "new").iterdir()] == ["1.good-uk-dates-crlf.eml"]


@pytest.mark.parametrize("name", sorted(HOSTILE_PDFS))
def test_a_hostile_certificate_pdf_is_refused(name):
    from casework.intake.pdf import CertificatePdfError, check_certificate

    data, fragment = HOSTILE_PDFS[name]
    with pytest.raises(CertificatePdfError) as refused:
        check_certificate(data, "certificate.pdf")
    assert fragment in str(refused.value)


@pytest.mark.parametrize("name", sorted(good_extra()))
def test_an_ordinary_certificate_pdf_passes(name):
    from casework.intake import parse

    assert parse(good_extra()[name]).certificate["file"].startswith(b"%PDF-")
