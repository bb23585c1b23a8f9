"""`acro validate`: everything an analyst can get wrong in a diagram, found before it runs.

Each problem names the file and the element id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .bundle import BPMN_NS, MAIN_PROCESS, read_dir
from .parser import AcroParser, AcroUserTask, ExternalServiceTask
from .rules import CITATION, cited


@dataclass(frozen=True)
class Problem:
    file: str
    element: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.element}: {self.message}"


def _from_exception(exc: ValidationException, default_file="") -> Problem:
    line = f" (line {exc.line_number})" if getattr(exc, "line_number", "") else ""
    message = str(exc.args[0]) if exc.args else str(exc)
    notes = getattr(exc, "__notes__", None)
    if notes:
        message += " " + " ".join(notes)
    return Problem(Path(exc.file_name or default_file).name, (exc.id or "(file)") + line, message)


def validate_dir(path, topics: set[str] | None, rule_ids: set[str] | None, main: str = MAIN_PROCESS) -> list[Problem]:
    """Parse every process of every file with XSD validation and check what the engine needs.

    ``topics``: the topics that have a handler (None skips that check). ``rule_ids``: the
    rule catalogue (None skips that check).
    """
    try:
        files = read_dir(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        return [Problem(str(path), "(folder)", str(exc))]
    return validate_files(files, topics, rule_ids, main, where=str(path))


def validate_files(
    files: dict[str, str],
    topics: set[str] | None,
    rule_ids: set[str] | None,
    main: str = MAIN_PROCESS,
    where: str = "the draft",
) -> list[Problem]:
    """The same checks on files held in memory (a draft in the workbench): file name -> text."""
    problems: list[Problem] = []
    parser = AcroParser()
    process_files: dict[str, str] = {}
    elements: set[str] = set()
    shows: list[tuple[str, str, str]] = []  # (file, user task, element it shows)
    for name, text in files.items():
        try:
            node = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            problems.append(Problem(name, f"(line {exc.lineno})", f"not well-formed XML: {exc.msg}"))
            continue
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_xml(node, filename=name)
            else:
                parser.add_bpmn_xml(node, filename=name)
                for process in node.iter(f"{{{BPMN_NS}}}process"):
                    process_files[process.get("id")] = name
                    # from the XML, so a process that fails to parse still has its elements
                    elements.update(e.get("id") for e in process.iter() if e.get("id"))
        except ValidationException as exc:
            problems.append(_from_exception(exc, name))
    if main not in process_files and not problems:
        problems.append(Problem("(folder)", main, f"no process with id {main!r} in {where}"))
    for process_id, name in sorted(process_files.items()):
        try:
            spec = parser.get_spec(process_id)
        except ValidationException as exc:
            problems.append(_from_exception(exc, name))
            continue
        except Exception as exc:  # the parser's own failures on odd input
            problems.append(Problem(name, process_id, f"{type(exc).__name__}: {exc}"))
            continue
        problems.extend(_check_spec(spec, name, topics, rule_ids))
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, AcroUserTask):
                shows += [(name, task_spec.bpmn_id, shown) for shown in task_spec.shows]
    # an element of a file that failed to parse would seem missing: check once the rest is sound
    for name, task, shown in shows if not problems else []:
        if shown not in elements:
            problems.append(Problem(name, task, f"property shows names {shown!r}, which is no element of the process"))
    try:
        if main in process_files:
            parser.get_subprocess_specs(main)
    except ValidationException as exc:
        problems.append(_from_exception(exc, process_files[main]))
    return sorted(set(problems), key=lambda p: (p.file, p.element, p.message))


def _check_spec(spec, file, topics, rule_ids) -> list[Problem]:
    problems = []
    for task_spec in spec.task_specs.values():
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if isinstance(task_spec, ExternalServiceTask) and topics is not None and task_spec.topic not in topics:
            problems.append(Problem(file, bpmn_id, f"no handler is registered for topic {task_spec.topic!r}"))
        if isinstance(task_spec, AcroUserTask):
            if not task_spec.form.fields:
                problems.append(Problem(file, bpmn_id, "user task has no form fields (camunda:formData)"))
            if not task_spec.candidate_groups:
                problems.append(Problem(file, bpmn_id, "user task has no candidate group (camunda:candidateGroups)"))
        if rule_ids is not None:
            documentation = task_spec.documentation or ""
            if not CITATION.search(documentation):
                problems.append(Problem(file, bpmn_id, "documentation cites no rule ID (write 'Rules: WF-1, ...')"))
            for rule in cited(documentation):
                if rule not in rule_ids:
                    problems.append(Problem(file, bpmn_id, f"cites rule {rule}, which is not in the rule catalogue"))
    return problems
