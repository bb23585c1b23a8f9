"""What the modeler offers an analyst to pick from, generated from the code and the rule
catalogue so that it never goes stale: the service-task topics that have a handler (as a
Camunda 7 element template), the form-field properties the pages and the service read, and
the rule IDs a diagram element may cite."""

from __future__ import annotations

import inspect

# the form-field properties (camunda:properties of a camunda:formField) the code reads: the
# task pages (webapp/views/taskforms.py) and the service layer (casework/service.py);
# tests/web/test_workbench_catalogue.py fails when the code reads one not listed here
FORM_FIELD_PROPERTIES = {
    "component": {
        "label": "Shown as",
        "help": "textarea: a long-text box instead of a one-line input",
        "choices": ["textarea"],
    },
    "hint": {"label": "Hint", "help": "a line of help under the question", "choices": None},
    "user_in_group": {
        "label": "Names a user in the group",
        "help": "the answer must be the user name of an active user in this candidate group",
        "choices": "groups",
    },
    "asked_if": {
        "label": "Asked only if",
        "help": "a condition over the case's variables and this form's earlier answers "
        '(custody_status == "serving_sentence"): otherwise the question is not shown, not required '
        "and an answer to it is refused",
        "choices": None,
    },
}


def topics() -> list[dict]:
    """Every topic with a handler, with the first line of its handler's docstring."""
    from handlers import load_all

    registry = load_all()
    out = []
    for topic in registry.topics():
        function = registry._entry(topic).function
        doc = (inspect.getdoc(function) or "").strip().splitlines()
        out.append({"topic": topic, "summary": doc[0].rstrip(".") if doc else ""})
    return out


def element_templates() -> list[dict]:
    """Camunda 7 element templates for the properties panel: a system action picks its topic
    from the registered handlers."""
    choices = [
        {"name": f"{t['topic']}: {t['summary']}" if t["summary"] else t["topic"], "value": t["topic"]} for t in topics()
    ]
    return [
        {
            "name": "ACRO system action",
            "id": "uk.gov.homeoffice.acro.system-action",
            "version": 1,
            "description": "A service task done by the handler registered for its topic (handlers/).",
            "appliesTo": ["bpmn:ServiceTask"],
            "properties": [
                {"type": "Hidden", "value": "external", "binding": {"type": "property", "name": "camunda:type"}},
                {
                    "label": "Topic",
                    "description": "The system action: one of the registered handlers.",
                    "type": "Dropdown",
                    "choices": choices,
                    "value": choices[0]["value"] if choices else "",
                    "binding": {"type": "property", "name": "camunda:topic"},
                    "constraints": {"notEmpty": True},
                },
            ],
        }
    ]


def for_modeler(settings, catalogue: dict[str, str]) -> dict:
    """Everything the workbench's ACRO panel offers, in one document."""
    groups = sorted({g for groups in settings.role_groups.values() for g in groups if g != "process-analysts"})
    properties = []
    for key, info in FORM_FIELD_PROPERTIES.items():
        choices = groups if info["choices"] == "groups" else info["choices"]
        properties.append({"id": key, "label": info["label"], "help": info["help"], "choices": choices})
    return {
        "topics": topics(),
        "rules": [{"id": r, "text": t} for r, t in catalogue.items()],
        "formFieldProperties": properties,
        "groups": groups,
        "elementTemplates": element_templates(),
    }
