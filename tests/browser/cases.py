"""Cases the browser tests start from, made through the service, and axe's verdict on a page."""

from __future__ import annotations

from sqlalchemy import select

from casework.demo import DEMO_REFERRALS
from casework.models import UserTask
from casework.permissions import Actor
from tests.people import actor_of_role
from webapp.db import db

SERIOUS = {"serious", "critical"}


def case_at(app, steps=(), index: int = 0, referral: dict | None = None) -> tuple[str, dict]:
    """A referral (demo referral ``index``, or ``referral``: {"referral", "certificate"}) taken
    through ``steps`` ([(task, role, answers)]); its reference and its open tasks by element id."""
    from webapp.bootstrap import casework

    item = referral or DEMO_REFERRALS[index]
    with app.app_context():
        service = casework()
        case = service.submit_referral(item["referral"], Actor("acro-intake"), certificate=item["certificate"])
        for bpmn_id, role, answers in steps:
            task = db.session.scalars(
                select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)
            ).one()
            service.complete_task(
                case.reference, task.id, answers, actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups)
            )
        tasks = {t.bpmn_id: t.id for t in db.session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
        return case.reference, tasks


def _govuk_known_issue(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's radios with a conditional reveal carry aria-expanded, which ARIA does
    not allow on a radio: kept on purpose because screen readers announce it, and listed as a
    known issue (alphagov/govuk-frontend#979). That attribute on those inputs, and nothing else."""
    if violation["id"] != "aria-allowed-attr" or "govuk-radios__input" not in node.get("html", ""):
        return False
    attributes = [str(a) for check in node.get("any", []) + node.get("all", []) for a in (check.get("data") or [])]
    return bool(attributes) and all(a.startswith("aria-expanded") for a in attributes)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, once it has settled."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    found = []
    for v in results.response["violations"]:
        nodes = [n for n in v["nodes"] if not _govuk_known_issue(v, n)]
        if v["impact"] in SERIOUS and nodes:
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in nodes][:3]}")
    return found
