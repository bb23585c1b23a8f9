"""``acro intake``: a Maildir of good and bad referral emails becomes one referral per good
message and a quarantined copy, with its reason, of every bad one; reading again changes
nothing."""

import shutil
from pathlib import Path

import yaml
from sqlalchemy import func, select

from casework.errors import StepFailed
from casework.intake import render
from casework.intake.mailbox import Intake, problems, sources
from casework.models import AccessLog, Case, Certificate, ReceivedMessage
from tests.intake.make_corpus import certificate, referral
from webapp.bootstrap import casework
from webapp.db import db

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
GOOD = sorted(n for n, e in EXPECTED.items() if "accepted" in e)
BAD = sorted(n for n, e in EXPECTED.items() if "quarantined" in e)


def maildir(root: Path, names, folder="new") -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(names):
        # Maildir names: unique, starting with the time of delivery
        shutil.copy(CORPUS / name, root / folder / f"17000000{index:02d}.M{index}P1.mailhost")
    return root


def state(app, root: Path, quarantine: Path) -> dict:
    """Everything intake can change: the database rows and the files in both Maildirs."""
    with app.app_context():
        return {
            "cases": db.session.scalar(select(func.count()).select_from(Case)),
            "certificates": db.session.scalar(select(func.count()).select_from(Certificate)),
            "messages": sorted(
                (m.message_id, m.status, m.case_id, m.attempts) for m in db.session.scalars(select(ReceivedMessage))
            ),
            "files": sorted(
                str(p.relative_to(root.parent))
                for p in root.parent.rglob("*")
                if p.is_file() and (root in p.parents or quarantine in p.parents)
            ),
        }


def test_a_mixed_batch_makes_one_referral_per_good_message_and_quarantines_every_bad_one(app, runner, tmp_path):
    inbox = maildir(tmp_path / "acro", GOOD + BAD)
    # a message read twice (delivered again, and already seen by a mail client) is still one referral
    shutil.copy(CORPUS / "good-plain-utf8.eml", inbox / "new" / "1700000099.M99P1.mailhost")
    shutil.copy(CORPUS / "good-uk-dates-crlf.eml", inbox / "cur" / "1700000098.M98P1.mailhost:2,S")
    quarantine = tmp_path / "quarantine"

    result = runner.invoke(args=["intake", str(inbox)])
    assert result.exit_code == 0, result.output
    assert f"{len(GOOD)} referral(s) created, 2 already taken in, {len(BAD)} quarantined" in result.output

    with app.app_context():
        accepted = db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.status == "accepted")).all()
        assert len(accepted) == len(GOOD)
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(GOOD)
        names = {c.referral["subject"]["family_name"] for c in db.session.scalars(select(Case))}
        assert names == {e["accepted"]["family_name"] for n, e in EXPECTED.items() if "accepted" in e}
        # each referral has its certificate filed with the case, the PDF as received
        for message in accepted:
            [cert] = db.session.scalars(select(Certificate).where(Certificate.case_id == message.case_id)).all()
            assert cert.file.startswith(b"%PDF-") and cert.status == "held"
        quarantined = db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.status == "quarantined")).all()
        assert len(quarantined) == len(BAD)
        listed = problems(db.session)
        assert {m.message_id for m in listed} == {m.message_id for m in quarantined}

    # good messages left new/ for cur/ (read); bad ones left the Maildir for the quarantine, with reasons;
    # a second copy of a message taken in is deleted: one copy each, the one its row points to (WF-2)
    assert not list((inbox / "new").iterdir())
    assert len(list((inbox / "cur").iterdir())) == len(GOOD)
    with app.app_context():
        kept_copies = {
            m.stored_path
            for m in db.session.scalars(select(ReceivedMessage).where(ReceivedMessage.status == "accepted"))
        }
    assert kept_copies == {str(p) for p in (inbox / "cur").iterdir()}
    kept = sorted(p for p in (quarantine / "new").iterdir() if not p.name.endswith(".reason.txt"))
    assert len(kept) == len(BAD)
    quarantined_bytes = {p.read_bytes() for p in kept}
    assert quarantined_bytes == {(CORPUS / name).read_bytes() for name in BAD}
    for path in kept:
        reason = path.with_name(path.name + ".reason.txt").read_text()
        original = next(n for n in BAD if (CORPUS / n).read_bytes() == path.read_bytes())
        assert EXPECTED[original]["quarantined"] in reason and "Message-ID:" in reason

    # reading the folder again changes nothing
    before = state(app, inbox, quarantine)
    again = runner.invoke(args=["intake", str(inbox)])
    assert again.exit_code == 0, again.output
    assert f"0 referral(s) created, {len(GOOD)} already taken in, 0 quarantined" in again.output
    assert state(app, inbox, quarantine) == before


def test_a_message_moves_out_of_new_only_after_its_referral_is_committed(app, tmp_path, monkeypatch):
    inbox = maildir(tmp_path / "acro", ["good-plain-utf8.eml"])
    with app.app_context():
        service = casework()

        def broken(*args, **kwargs):
            raise StepFailed("the process could not continue: diagram error")

        monkeypatch.setattr(service, "submit_referral", broken)
        report = Intake(service).run(inbox)
        assert [o.status for o in report.outcomes] == ["failed"]
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
        [row] = db.session.scalars(select(ReceivedMessage)).all()
        assert row.status == "failed" and "diagram error" in row.reason and row in problems(db.session)
    assert len(list((inbox / "new").iterdir())) == 1  # still there for the next run

    with app.app_context():
        report = Intake(casework()).run(inbox)
        assert [o.status for o in report.outcomes] == ["accepted"]
        [row] = db.session.scalars(select(ReceivedMessage)).all()
        assert row.status == "accepted" and row.attempts == 2 and row.case_id is not None
        assert problems(db.session) == []
    assert not list((inbox / "new").iterdir())


def test_single_eml_files_are_read_and_stay_where_they_are(app, runner, tmp_path):
    good = tmp_path / "in" / "referral.eml"
    good.parent.mkdir()
    shutil.copy(CORPUS / "good-no-message-id.eml", good)
    bad = tmp_path / "in" / "broken.eml"
    shutil.copy(CORPUS / "bad-truncated.eml", bad)
    result = runner.invoke(args=["intake", str(good), str(bad)])
    assert result.exit_code == 0, result.output
    assert "referral ACRO-" in result.output and "quarantined: broken.eml: the referral is incomplete" in result.output
    assert good.exists() and not bad.exists()
    quarantined = tmp_path / "in" / "quarantine" / "new" / "broken.eml"
    assert quarantined.read_bytes() == (CORPUS / "bad-truncated.eml").read_bytes()
    # no Message-ID: the hash of its bytes is its id, so reading it again is still one referral
    again = runner.invoke(args=["intake", str(good)])
    assert "already taken in: referral.eml (sha256:" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_quarantine_folder_and_the_size_limit_are_configurable(app, runner, tmp_path, monkeypatch):
    inbox = maildir(tmp_path / "acro", [])
    big = certificate()
    big["file"] += b"%" + b"0" * 2000
    (inbox / "new" / "big").write_bytes(bytes(render(referral(), big, message_id="<big@acro>")))
    elsewhere = tmp_path / "problems"
    monkeypatch.setenv("ACRO_INTAKE_MAX_ATTACHMENT_MB", "0.001")
    result = runner.invoke(args=["intake", str(inbox), "--quarantine", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert "over the 1.0 KB limit" in result.output
    assert len(list((elsewhere / "new").glob("*.reason.txt"))) == 1


def test_a_huge_attachment_is_quarantined(app, tmp_path):
    huge = certificate()
    huge["file"] = huge["file"] + b"%" + b"0" * (10 * 1024 * 1024 + 1)
    inbox = maildir(tmp_path / "acro", [])
    (inbox / "new" / "huge").write_bytes(bytes(render(referral(), huge, message_id="<huge@acro>")))
    with app.app_context():
        report = Intake(casework()).run(inbox)
    [outcome] = report.outcomes
    assert outcome.status == "quarantined" and "over the 10.0 MB limit" in outcome.reason


def test_a_quarantined_message_that_is_fixed_and_dropped_in_again_is_taken_in(app, tmp_path):
    inbox = maildir(tmp_path / "acro", ["bad-impossible-date.eml"])
    with app.app_context():
        assert Intake(casework()).run(inbox).outcomes[0].status == "quarantined"
        fixed = (CORPUS / "bad-impossible-date.eml").read_bytes().replace(b"31/02/1988", b"28/02/1988")
        (inbox / "new" / "fixed").write_bytes(fixed)
        [outcome] = Intake(casework()).run(inbox).outcomes
        assert outcome.status == "accepted"
        [row] = db.session.scalars(select(ReceivedMessage)).all()
        assert (row.status, row.attempts, row.reason) == ("accepted", 2, None)


def test_intake_refuses_a_path_that_is_not_a_maildir(runner, tmp_path):
    (tmp_path / "plain").mkdir()
    result = runner.invoke(args=["intake", str(tmp_path / "plain")])
    assert result.exit_code != 0 and "is not a Maildir" in result.output


def test_sources_skip_dot_files_reason_files_and_tmp(tmp_path):
    inbox = maildir(tmp_path / "acro", ["good-plain-utf8.eml"])
    (inbox / "new" / ".hidden").write_text("x")
    (inbox / "new" / "a.reason.txt").write_text("x")
    (inbox / "tmp" / "partial").write_text("x")
    assert [s.path.name for s in sources(inbox)] == ["1700000000.M0P1.mailhost"]


def test_intake_logs_the_collection_of_each_referral(app, tmp_path):
    inbox = maildir(tmp_path / "acro", ["good-plain-utf8.eml"])
    with app.app_context():
        Intake(casework()).run(inbox)
        actions = {(a.actor, a.action) for a in db.session.scalars(select(AccessLog))}
        assert ("acro-intake", "collect") in actions


def test_two_intakes_reading_one_message_at_once_make_one_referral(app, tmp_path, monkeypatch):
    """The unique Message-ID decides: the intake that loses the race finds the row on insert."""
    first = maildir(tmp_path / "first", ["good-plain-utf8.eml"])
    second = maildir(tmp_path / "second", ["good-plain-utf8.eml"])
    with app.app_context():
        assert [o.status for o in Intake(casework()).run(first).outcomes] == ["accepted"]
        # the second intake looked before the first committed: it saw no row
        monkeypatch.setattr(Intake, "_row", lambda self, key: None)
        [outcome] = Intake(casework()).run(second).outcomes
        assert outcome.status == "duplicate"
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    assert not list((second / "new").iterdir())
