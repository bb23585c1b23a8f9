"""Every scenario in tests/scenarios runs through the service layer, with the emails going to
a real SMTP server; together they must visit every flow node, every sequence flow and every
rule of the catalogue."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adapters.smtp import SmtpSender
from casework.models import Case, Document, Email
from casework.scenarios import Runner, load
from engine.rules import load_catalogue
from tests.databases import empty_database, on_postgres

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def runner(smtp_server, tmp_path_factory):
    # on the server database when the suite runs on one, else each scenario in memory
    with empty_database(tmp_path_factory.mktemp("scenarios")) as url:
        runner = Runner(
            sender=SmtpSender(smtp_server.host, smtp_server.port), database_url=url if on_postgres() else "sqlite://"
        )
        runner.ran = set()
        yield runner
        runner.close()


def _inspect_documents_and_mail(smtp_server):
    def inspect(session, result):
        for case in session.scalars(select(Case)):
            name_parts = [case.referral["subject"]["family_name"].upper()]
            for document in session.scalars(select(Document).where(Document.case_id == case.id)):
                text = " ".join(page.extract_text() for page in PdfReader(document.path).pages)
                assert case.reference in text, f"{document.filename} lacks the case reference"
                assert all(part in text for part in name_parts), f"{document.filename} lacks the subject's name"
            for email in session.scalars(select(Email).where(Email.case_id == case.id)):
                arrived = [m for m in smtp_server.messages if m["message"]["Message-ID"] == email.message_id]
                assert len(arrived) == 1, f"email {email.subject!r} arrived {len(arrived)} times"
                assert sorted(arrived[0]["to"]) == sorted(email.recipients)
                attachments = [p for p in arrived[0]["message"].iter_attachments()]
                assert len(attachments) == len(email.document_ids)

    return inspect


def _run(runner, path, smtp_server):
    result = runner.run(load(path), str(path), inspect=_inspect_documents_and_mail(smtp_server))
    runner.ran.add(path)
    return result


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path, runner, smtp_server):
    result = _run(runner, path, smtp_server)
    assert result.passed, "\n".join(result.failures)


def test_scenarios_cover_every_node_flow_and_rule(runner, smtp_server):
    # the runner keeps coverage across the scenarios above; any not run yet (a test chosen
    # alone with -k) runs now
    for path in SCENARIOS:
        if path not in runner.ran:
            _run(runner, path, smtp_server)
    report = runner.coverage.report()
    missing = {
        p: (row["missing_nodes"], row["missing_flows"])
        for p, row in report["processes"].items()
        if row["missing_nodes"] or row["missing_flows"]
    }
    assert not missing, f"not visited by any scenario: {missing}"
    rules = set(load_catalogue(REPO / "docs" / "acro-rules.md"))
    assert rules - runner.coverage.rules_exercised() == set()
    assert rules - runner.coverage.rules_modelled() == set()
