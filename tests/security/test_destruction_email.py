"""Issue 12, point 4 (first half): when a non-disclosable certificate is destroyed (WF-2), the
referral email it came in goes too: the copy intake kept in the Maildir's cur/, any copy in
quarantine with its reason, and any later delivery of it. The received_message row keeps
only the fact that the message came and was taken in."""

from pathlib import Path

from sqlalchemy import func, select

from casework.intake.mailbox import Intake
from casework.models import Case, ReceivedMessage
from tests.security.wf2 import destroy_certificate
from webapp.bootstrap import casework
from webapp.db import db

CORPUS = Path(__file__).resolve().parents[1] / "intake" / "corpus"
MESSAGE_ID = "<good-plain-utf8@acro.police.example>"


def criminal_proceedings(name: str) -> bytes:
    """A corpus email whose certificate was requested for criminal proceedings: the check must
    find it non-disclosable (WF-3), since an answer contradicting the certificate is refused."""
    return (
        (CORPUS / name)
        .read_bytes()
        .replace(
            b"Request purpose: Request for administrative purpose immigration/deportation",
            b"Request purpose: Criminal proceedings",
        )
    )


def maildir(root: Path) -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def files_holding(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_destroying_the_certificate_deletes_the_email_it_came_in_and_every_copy(app, runner, tmp_path):
    original = criminal_proceedings("good-plain-utf8.eml")
    certificate_pdf = b"ACRO certificate 26/0001"  # in the PDF attachment, base64 in the email
    inbox = maildir(tmp_path / "mail" / "acro")
    quarantine = tmp_path / "mail" / "quarantine"
    # first ACRO sent it broken (it was quarantined with its reason), then corrected, same Message-ID
    (inbox / "new" / "1-broken").write_bytes(
        original.replace(b"Date of birth: 1988-04-12", b"Date of birth: 31/02/1988")
    )
    with app.app_context():
        assert [o.status for o in Intake(casework()).run(inbox).outcomes] == ["quarantined"]
    assert (quarantine / "new" / "1-broken.reason.txt").exists()
    (inbox / "new" / "2-corrected").write_bytes(original)
    (inbox / "new" / "3-delivered-twice").write_bytes(original)
    with app.app_context():
        outcomes = Intake(casework()).run(inbox).outcomes
        assert [o.status for o in outcomes] == ["accepted", "duplicate"]
        reference = outcomes[0].case_reference
        row = db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == MESSAGE_ID)).one()
        kept = Path(row.stored_path)
    assert kept.parent == inbox / "cur" and kept.read_bytes() == original
    assert [p.name for p in (inbox / "cur").iterdir()] == [kept.name]

    with app.app_context():
        destroy_certificate(casework(), reference)
        row = db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == MESSAGE_ID)).one()
        # the fact stays: which message, when, which case; nothing leads to a readable copy
        assert (row.status, row.case.reference, row.received_at is not None) == ("erased", reference, True)
        assert (row.stored_path, row.source_path, row.sender, row.subject) == (None, None, None, None)
        assert "certificate was destroyed (WF-2)" in row.reason
    assert not kept.exists()
    assert files_holding(tmp_path / "mail", b"Kowalski") == []
    assert [p for p in (tmp_path / "mail").rglob("*") if p.is_file()] == []

    # ACRO's server sends it again: recognised, deleted on sight, no second case
    (inbox / "new" / "4-sent-again").write_bytes(original)
    result = runner.invoke(args=["intake", str(inbox)])
    assert result.exit_code == 0, result.output
    assert "its certificate was destroyed (WF-2): this copy was deleted" in result.output
    assert [p for p in (tmp_path / "mail").rglob("*") if p.is_file()] == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    assert certificate_pdf not in b"".join(p.read_bytes() for p in tmp_path.rglob("*.eml") if p.is_file())


def test_a_copy_the_destruction_cannot_reach_is_deleted_by_the_next_intake_run(app, runner, tmp_path):
    """A worker on another machine destroys the certificate without the mailbox mounted."""
    inbox = maildir(tmp_path / "mail" / "acro")
    (inbox / "new" / "1").write_bytes(criminal_proceedings("good-plain-utf8.eml"))
    with app.app_context():
        [outcome] = Intake(casework()).run(inbox).outcomes
    away = inbox.rename(tmp_path / "mail" / "not-mounted")
    with app.app_context():
        destroy_certificate(casework(), outcome.case_reference)
        row = db.session.scalars(select(ReceivedMessage)).one()
        assert row.status == "erasing" and row.stored_path.startswith(str(inbox))
    away.rename(inbox)
    assert len(list((inbox / "cur").iterdir())) == 1

    result = runner.invoke(args=["intake", str(inbox)])
    assert result.exit_code == 0, result.output
    assert "deleted 1 file(s) of referral emails whose certificates were destroyed (WF-2)" in result.output
    assert list((inbox / "cur").iterdir()) == []
    with app.app_context():
        row = db.session.scalars(select(ReceivedMessage)).one()
        assert (row.status, row.stored_path) == ("erased", None)


def test_destruction_never_deletes_another_message_that_took_the_name(app, tmp_path):
    """A single .eml file is kept where it is; if a different message is later saved under
    its name, that one is not the certificate's email and stays."""
    single = tmp_path / "referral.eml"
    single.write_bytes(criminal_proceedings("good-plain-utf8.eml"))
    with app.app_context():
        [outcome] = Intake(casework()).run(single).outcomes
    single.write_bytes(criminal_proceedings("good-uk-dates-crlf.eml"))
    with app.app_context():
        destroy_certificate(casework(), outcome.case_reference)
        row = db.session.scalars(select(ReceivedMessage)).one()
        assert (row.status, row.stored_path) == ("erased", None)
    assert single.read_bytes() == criminal_proceedings("good-uk-dates-crlf.eml")
