"""`acro validate`: everything an analyst can get wrong in a diagram, found before it runs.

Each problem names the file and the element id.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from . import feel
from . import spiff_compat as compat
from .bundle import BPMN_NS, MAIN_PROCESS, read_dir
from .expressions import ExpressionError, check, evaluate
from .instance import CASE_OUTCOME, CASE_STAGE, CASE_STATE, CASE_STATES, REFUSE_MESSAGE, REFUSE_WHEN
from .parser import AcroParser, AcroUserTask, ExternalServiceTask
from .rules import CITATION, cited

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


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


def validate_dir(
    path, topics: set[str] | dict | None, rule_ids: set[str] | None, main: str = MAIN_PROCESS
) -> list[Problem]:
    """Parse every process of every file with XSD validation and check what the engine needs.

    ``topics``: the topics that have a handler (None skips that check); as a mapping, each
    with the extension properties its service task must carry. ``rule_ids``: the rule
    catalogue (None skips that check).
    """
    try:
        files = read_dir(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        return [Problem(str(path), "(folder)", str(exc))]
    return validate_files(files, topics, rule_ids, main, where=str(path))


def validate_files(
    files: dict[str, str],
    topics: set[str] | dict | None,
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
                problems.extend(_check_table_covers_its_input_values(node, name))
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


def _check_table_covers_its_input_values(node, file) -> list[Problem]:
    """Every combination of the values the inputs can take (those an input lists in
    inputValues, true and false for a boolean input) matches some rule: a combination no rule
    matches would leave the decision's outputs unset, and the failure would show only later."""
    problems = []
    ns = {"d": node.nsmap.get(None) or DMN_NS}
    for table in node.iterfind(".//d:decisionTable", ns):
        inputs = table.findall("d:input", ns)
        try:
            domains = [_input_values(input_, ns) for input_ in inputs]
            rules = [
                [
                    feel.input_entry(entry.findtext("d:text", namespaces=ns))
                    for entry in rule.findall("d:inputEntry", ns)
                ]
                for rule in table.findall("d:rule", ns)
            ]
            finite = [i for i, values in enumerate(domains) if values is not None]
            missing = [
                combination
                for combination in product(*(domains[i] for i in finite))
                if not any(_matches(rule, finite, combination) for rule in rules)
            ]
        except (ExpressionError, IndexError, ValueError) as exc:
            problems.append(Problem(file, table.get("id"), f"cannot check that the rules cover the inputs: {exc}"))
            continue
        labels = [inputs[i].get("label") or inputs[i].get("id") for i in finite]
        for combination in missing[:5]:
            said = ", ".join(f"{label} = {value!r}" for label, value in zip(labels, combination, strict=True))
            problems.append(Problem(file, table.get("id"), f"no rule matches {said}: add a rule, or remove the value"))
    return problems


def _input_values(input_, ns) -> list | None:
    """The values an input can take, or None where they are not a known, finite list."""
    listed = input_.findtext("d:inputValues/d:text", default="", namespaces=ns).strip()
    if listed:
        return [evaluate(v, {}) for v in feel.listed_values(listed)]
    expression = input_.find("d:inputExpression", ns)
    if expression is not None and expression.get("typeRef") == "boolean":
        return [True, False]
    return None


def _matches(rule, finite, combination) -> bool:
    for index, value in zip(finite, combination, strict=True):
        cell = rule[index]
        if cell is not None and not evaluate(cell.replace("?", "dmninputexpr"), {"dmninputexpr": value}):
            return False
    return True


def _check_refusals(task_spec, file, bpmn_id) -> list[Problem]:
    """A field's refuse_when must be a safe expression and say, in refuse_message, why."""
    problems = []
    for field in task_spec.form.fields:
        properties = {p.id: p.value for p in field.properties}
        condition = properties.get(REFUSE_WHEN)
        if condition is None:
            continue
        try:
            check(condition)
        except ExpressionError as exc:
            problems.append(Problem(file, bpmn_id, f"field {field.id}: {REFUSE_WHEN}: {exc}"))
        if not (properties.get(REFUSE_MESSAGE) or "").strip():
            problems.append(
                Problem(
                    file, bpmn_id, f"field {field.id}: {REFUSE_WHEN} needs a {REFUSE_MESSAGE} to tell the person why"
                )
            )
    return problems


def _check_spec(spec, file, topics, rule_ids) -> list[Problem]:
    problems = []
    for task_spec in spec.task_specs.values():
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        properties = getattr(task_spec, "extensions", None) or {}
        if CASE_STATE in properties and properties[CASE_STATE] not in CASE_STATES:
            problems.append(
                Problem(
                    file, bpmn_id, f"{CASE_STATE} {properties[CASE_STATE]!r} is not one of {', '.join(CASE_STATES)}"
                )
            )
        if CASE_OUTCOME in properties and not (properties[CASE_OUTCOME] or "").strip():
            problems.append(Problem(file, bpmn_id, f"{CASE_OUTCOME} is empty: write the outcome the case records"))
        if isinstance(task_spec, ExternalServiceTask) and topics is not None and task_spec.topic not in topics:
            problems.append(Problem(file, bpmn_id, f"no handler is registered for topic {task_spec.topic!r}"))
        elif isinstance(task_spec, ExternalServiceTask) and isinstance(topics, dict):
            given = getattr(task_spec, "extensions", None) or {}
            for name in topics[task_spec.topic]:
                if not str(given.get(name) or "").strip():
                    problems.append(
                        Problem(
                            file,
                            bpmn_id,
                            f"topic {task_spec.topic!r} sends the text of the extension property {name!r}: "
                            "give the service task that property (Modeler: Extension properties)",
                        )
                    )
        if (isinstance(task_spec, AcroUserTask) or compat.is_catch_event(task_spec)) and not (
            properties.get(CASE_STAGE) or ""
        ).strip():
            problems.append(
                Problem(file, bpmn_id, f"a case waits here, but no {CASE_STAGE} property says what stage it is at")
            )
        if isinstance(task_spec, AcroUserTask):
            if not task_spec.form.fields:
                problems.append(Problem(file, bpmn_id, "user task has no form fields (camunda:formData)"))
            if not task_spec.candidate_groups:
                problems.append(Problem(file, bpmn_id, "user task has no candidate group (camunda:candidateGroups)"))
            problems.extend(_check_refusals(task_spec, file, bpmn_id))
        if rule_ids is not None:
            documentation = task_spec.documentation or ""
            if not CITATION.search(documentation):
                problems.append(Problem(file, bpmn_id, "documentation cites no rule ID (write 'Rules: WF-1, ...')"))
            for rule in cited(documentation):
                if rule not in rule_ids:
                    problems.append(Problem(file, bpmn_id, f"cites rule {rule}, which is not in the rule catalogue"))
    return problems
