"""What the WF-2 tests share: destroying a case's certificate the way the CC Workflow team does."""

from sqlalchemy import select

from casework.models import Certificate, UserTask
from casework.permissions import Actor

WORKFLOW = Actor("wendy", frozenset({"cc-workflow"}), frozenset({"workflow"}))


def destroy_certificate(service, reference: str) -> None:
    """The CC Workflow team finds the certificate is not for immigration purposes: WF-2."""
    case = service.case(reference)
    task = service.session.scalars(
        select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == "check_certificate")
    ).one()
    service.complete_task(
        reference, task.id, {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "no"}, WORKFLOW
    )
    [certificate] = service.session.scalars(select(Certificate).where(Certificate.case_id == case.id)).all()
    assert certificate.status == "destroyed"
