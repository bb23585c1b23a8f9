"""An analyst's change, end to end: a new event a case can wait for is a catch event added to
a diagram, nothing else. It appears on "Record an event" for the groups it names, the API takes
it, and the case goes on to what it waited for before."""

import shutil
from pathlib import Path

import pytest
from lxml import etree

from tests.web.pages import CERTIFICATE_NOT_OK, text

REPO = Path(__file__).resolve().parents[2]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
NEW = "acro_acknowledged"
LABEL = "ACRO acknowledged the request"


def _q(ns, tag):
    return f"{{{ns}}}{tag}"


def add_catch_event_before(folder: Path, message: str) -> None:
    """What an analyst does in the Modeler: put a message catch event (with its properties)
    on the flow into the catch event that waits for ``message``."""
    for path in folder.glob("*.bpmn"):
        tree = etree.parse(str(path))
        root = tree.getroot()
        ref = next((m.get("id") for m in root.iter(_q(BPMN, "message")) if m.get("name") == message), None)
        if ref is None:
            continue
        definition = next(d for d in root.iter(_q(BPMN, "messageEventDefinition")) if d.get("messageRef") == ref)
        waiting = definition.getparent()
        process = waiting.getparent()
        incoming = waiting.find(_q(BPMN, "incoming"))
        flow = next(f for f in process.iter(_q(BPMN, "sequenceFlow")) if f.get("id") == incoming.text)

        event = etree.SubElement(process, _q(BPMN, "intermediateCatchEvent"), id="await_acknowledgement", name=LABEL)
        properties = etree.SubElement(etree.SubElement(event, _q(BPMN, "extensionElements")), _q(CAMUNDA, "properties"))
        for name, value in (
            ("hint", "ACRO has confirmed it is sending a new certificate."),
            ("candidateGroups", "cc-workflow"),
        ):
            etree.SubElement(properties, _q(CAMUNDA, "property"), name=name, value=value)
        etree.SubElement(event, _q(BPMN, "incoming")).text = flow.get("id")
        etree.SubElement(event, _q(BPMN, "outgoing")).text = "flow_acknowledged"
        etree.SubElement(
            event, _q(BPMN, "messageEventDefinition"), id="Definition_acknowledged", messageRef="Message_ack"
        )
        flow.set("targetRef", "await_acknowledgement")
        incoming.text = "flow_acknowledged"
        etree.SubElement(
            process, _q(BPMN, "sequenceFlow"), id="flow_acknowledged", sourceRef="await_acknowledgement"
        ).set("targetRef", waiting.get("id"))
        message_element = etree.Element(_q(BPMN, "message"), id="Message_ack", name=NEW)
        root.find(_q(BPMN, "message")).addprevious(message_element)

        plane = next(root.iter(_q(DI, "BPMNPlane")))
        shape = etree.SubElement(plane, _q(DI, "BPMNShape"), id="await_acknowledgement_di")
        shape.set("bpmnElement", "await_acknowledgement")
        etree.SubElement(shape, _q(DC, "Bounds"), x="100", y="400", width="36", height="36")
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
        return
    raise AssertionError(f"no catch event waits for {message}")


@pytest.fixture
def settings(tmp_path, database_url):
    from casework.config import Settings

    folder = tmp_path / "processes"
    shutil.copytree(REPO / "processes", folder)
    add_catch_event_before(folder, "certificate_received")
    return Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-" + "k" * 32,
            "DATABASE_URL": database_url,
            "ACRO_PROCESSES_DIR": str(folder),
        }
    )


def test_a_catch_event_added_to_a_diagram_is_recorded_on_the_page_and_through_the_api(web, api, make_case):
    reference = make_case([CERTIFICATE_NOT_OK], index=1)

    # the casework team is not in the groups the new event names
    caseworker = web("caseworker")
    caseworker.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    assert caseworker.get(f"/cases/{reference}/events").status_code == 403

    workflow = web("workflow")
    workflow.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    page = text(workflow.get(f"/cases/{reference}/events"))
    assert LABEL in page and "ACRO has confirmed it is sending a new certificate." in page
    assert api.get(f"/cases/{reference}?purpose=x").get_json()["waiting_for"] == [NEW]

    refused = api.post(f"/cases/{reference}/messages", {"message": NEW}, user="carl")
    assert refused.status_code == 403, refused.get_json()
    taken = api.post(f"/cases/{reference}/messages", {"message": NEW, "payload": {"by": "telephone"}})
    assert taken.status_code == 200, taken.get_json()
    # and the case waits for what it waited for before the change
    assert api.get(f"/cases/{reference}?purpose=x").get_json()["waiting_for"] == ["certificate_received"]
    assert "Disclosable certificate received" in text(workflow.get(f"/cases/{reference}/events"))
