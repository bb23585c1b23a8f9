"""A version of the process: every BPMN and DMN file of a folder, parsed together, named by
the hash of their content. Instances refer to the version they started on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lxml import etree

from . import spiff_compat as compat
from .parser import AcroParser

MAIN_PROCESS = "acro_referral"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def digest_of(files: dict[str, str]) -> str:
    payload = json.dumps(sorted(files.items()), ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()


def read_dir(path: str | Path) -> dict[str, str]:
    """The diagram and table files of a folder, by file name."""
    folder = Path(path)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.suffix in (".bpmn", ".dmn")}
    if not any(name.endswith(".bpmn") for name in files):
        raise FileNotFoundError(f"no .bpmn files in {folder}")
    return files


@dataclass
class SequenceFlow:
    id: str
    process: str
    source: str
    target: str
    file: str
    name: str = ""


@dataclass(frozen=True)
class MessageEvent:
    """A message a case can wait for, as its catch event tells the people who record it.

    The catch event's name is the label; its Camunda properties (the Modeler's "Extension
    properties") say the rest: ``hint``, ``candidateGroups`` (who may record it: comma separated;
    none means the policy's default), ``details`` (the hint for the free-text details) and
    ``carries`` = ``certificate`` (a new ACRO certificate comes with it)."""

    name: str
    label: str
    hint: str = ""
    groups: tuple[str, ...] = ()
    details: str = ""
    carries_certificate: bool = False


def _message_event(definition, element) -> MessageEvent:
    properties = getattr(element, "extensions", None) or {}
    groups = tuple(g.strip() for g in (properties.get("candidateGroups") or "").split(",") if g.strip())
    return MessageEvent(
        name=definition.name,
        label=element.bpmn_name or definition.name,
        hint=properties.get("hint", ""),
        groups=groups,
        details=properties.get("details", ""),
        carries_certificate=properties.get("carries") == "certificate",
    )


@dataclass
class Bundle:
    digest: str
    files: dict[str, str]
    main: str
    spec: object
    subprocess_specs: dict
    flows: list[SequenceFlow] = field(default_factory=list)

    def all_specs(self):
        yield self.spec
        yield from self.subprocess_specs.values()

    @cached_property
    def message_events(self) -> dict[str, MessageEvent]:
        """Every message the model can wait for, by message name."""
        events = {}
        for spec in self.all_specs():
            for definition, element in compat.catch_events(spec):
                if compat.is_message(definition):
                    events.setdefault(definition.name, _message_event(definition, element))
        return events

    def flow_nodes(self):
        """(process id, element id, task spec) of every BPMN flow node."""
        for spec in self.all_specs():
            for task_spec in spec.task_specs.values():
                if getattr(task_spec, "bpmn_id", None):
                    yield spec.name, task_spec.bpmn_id, task_spec


def _parse_xml(name, text):
    # lxml keeps source lines, so errors can name them
    return etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False))


def parse(files: dict[str, str], main: str = MAIN_PROCESS) -> Bundle:
    """Parse a set of files (with XSD validation); raises ValidationException on error."""
    parser = AcroParser()
    flows = []
    for name, text in files.items():
        node = _parse_xml(name, text)
        if name.endswith(".dmn"):
            parser.add_dmn_xml(node, filename=name)
            continue
        parser.add_bpmn_xml(node, filename=name)
        for process in node.iter(f"{{{BPMN_NS}}}process"):
            for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
                flows.append(
                    SequenceFlow(
                        flow.get("id"),
                        process.get("id"),
                        flow.get("sourceRef"),
                        flow.get("targetRef"),
                        name,
                        " ".join((flow.get("name") or "").split()),
                    )
                )
    spec = parser.get_spec(main)
    subprocess_specs = parser.get_subprocess_specs(main)
    return Bundle(digest_of(files), files, main, spec, subprocess_specs, flows)
