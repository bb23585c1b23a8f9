"""A task's form, as drawn in the diagram, turned into GOV.UK components and back.

The form definition (``UserTask.form``: fields with ``id``, ``label``, ``type``,
``properties``, ``validation`` and ``options``) decides the component: text, long text
(``component`` = ``textarea``), number, date, yes/no and choice. A question asked only for
some answers to an earlier choice (``asked_if``) is a GOV.UK conditional reveal under that
option; one not asked for this case is not shown. Answers are validated by
``casework.forms`` (one marshmallow schema per definition), never here.
"""

from __future__ import annotations

from datetime import date

from casework.forms import asked, condition_of, placement

YES_NO = [("yes", "Yes"), ("no", "No")]


def _is_textarea(field: dict) -> bool:
    return (field.get("properties") or {}).get("component") == "textarea"


def _required(field: dict) -> bool:
    return "required" in (field.get("validation") or {})


def _label(field: dict) -> str:
    return field.get("label") or field["id"]


def first_input_id(field: dict) -> str:
    """Where the error summary's link for this field lands."""
    return f"{field['id']}-day" if field.get("type") == "date" else field["id"]


def raw_answers(form: dict, data) -> dict:
    """The answers as posted (strings), by field id; a date's three boxes become one value."""
    answers = {}
    for field in form.get("fields", []):
        fid = field["id"]
        if field.get("type") == "date":
            parts = {p: (data.get(f"{fid}-{p}") or "").strip() for p in ("day", "month", "year")}
            answers[fid] = parts
        else:
            answers[fid] = data.get(fid) or ""
    return answers


def date_value(parts: dict) -> str:
    """``{'day','month','year'}`` -> ISO date; '' when all empty; anything invalid stays invalid."""
    if not any(parts.values()):
        return ""
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat()
    except (KeyError, ValueError, OverflowError):  # OverflowError: a year of 20 digits
        return "not-a-date"


def for_service(form: dict, raw: dict) -> dict:
    """The answers as the service takes them: strings, dates in ISO form, empty ones left out.

    An answer revealed under an option that is not chosen is left out too, as GOV.UK's
    conditional reveals mean: it was hidden (or, without JavaScript, shown under another
    option), so it is no answer. A question hidden for the case is sent on, and refused."""
    answers = {}
    for field in form.get("fields", []):
        where = placement(form, field)
        if where.kind == "under" and len(where.values) == 1 and answers.get(where.parent) not in where.values:
            continue
        value = raw.get(field["id"])
        if field.get("type") == "date":
            value = date_value(value or {})
        if isinstance(value, str) and value.strip():
            answers[field["id"]] = value.strip()
    return answers


def components(form: dict, raw: dict, errors: dict, members=None, focus: str | None = None) -> list[dict]:
    """One GOV.UK component (macro name and its parameters) per field shown; a question
    revealed under an option is in its parent's ``children``, by option value. ``members(group)``
    gives the active people of a group, for a field that names one of them (``user_in_group``).
    ``focus``: the field the person came back to change, focused when the page opens."""
    result = []
    by_id: dict[str, dict] = {}
    for field in form.get("fields", []):
        fid, label, kind = field["id"], _label(field), field.get("type")
        where = placement(form, field)
        if where.kind == "hidden":
            continue
        hint = (field.get("properties") or {}).get("hint")
        optional = "" if _required(field) else " (optional)"
        params: dict = {"id": fid, "name": fid}
        if hint:
            params["hint"] = {"text": hint}
        message = (errors.get(fid) or [None])[0]
        if message:
            params["errorMessage"] = {"text": message}
        value = raw.get(fid)
        if kind in ("boolean", "enum"):
            options = (
                YES_NO
                if kind == "boolean"
                else [(o["id"], o.get("name") or o["id"]) for o in field.get("options") or []]
            )
            params.pop("id")
            params.update(
                {
                    "idPrefix": fid,
                    "fieldset": {"legend": {"text": label + optional, "classes": "govuk-fieldset__legend--s"}},
                    "items": [{"value": v, "text": t, "checked": value == v} for v, t in options],
                }
            )
            if kind == "boolean":
                params["classes"] = "govuk-radios--inline"
            component = {"macro": "radios", "params": params}
        elif kind == "date":
            parts = value or {}
            params.pop("name")
            params.update(
                {
                    "namePrefix": fid,
                    "fieldset": {"legend": {"text": label + optional, "classes": "govuk-fieldset__legend--s"}},
                    "hint": {"text": hint or "For example, 27 3 2026"},
                    "items": [
                        {
                            "name": "day",
                            "label": "Day",
                            "classes": "govuk-input--width-2" + (" govuk-input--error" if message else ""),
                            "value": parts.get("day", ""),
                        },
                        {
                            "name": "month",
                            "label": "Month",
                            "classes": "govuk-input--width-2" + (" govuk-input--error" if message else ""),
                            "value": parts.get("month", ""),
                        },
                        {
                            "name": "year",
                            "label": "Year",
                            "classes": "govuk-input--width-4" + (" govuk-input--error" if message else ""),
                            "value": parts.get("year", ""),
                        },
                    ],
                }
            )
            component = {"macro": "date", "params": params}
        elif kind == "long":
            params.update(
                {
                    "label": {"text": label + optional, "classes": "govuk-label--s"},
                    "classes": "govuk-input--width-10",
                    "inputmode": "numeric",
                    "spellcheck": False,
                    "value": value or "",
                }
            )
            component = {"macro": "input", "params": params}
        elif (field.get("properties") or {}).get("user_in_group") and members is not None:
            # a person is chosen, not typed: the server takes only an active member of the group
            people = members((field.get("properties") or {})["user_in_group"])
            items = [{"value": "", "text": "Choose a person", "selected": not value}]
            items += [
                {"value": p.username, "text": f"{p.full_name} ({p.username})", "selected": value == p.username}
                for p in people
            ]
            params.update({"label": {"text": label + optional, "classes": "govuk-label--s"}, "items": items})
            component = {"macro": "select", "params": params}
        elif _is_textarea(field):
            params.update(
                {"label": {"text": label + optional, "classes": "govuk-label--s"}, "rows": 4, "value": value or ""}
            )
            component = {"macro": "textarea", "params": params}
        else:
            params.update({"label": {"text": label + optional, "classes": "govuk-label--s"}, "value": value or ""})
            component = {"macro": "input", "params": params}
        if fid == focus:
            _autofocus(component)
        by_id[fid] = component
        parent = by_id.get(where.parent) if where.kind == "under" and len(where.values) == 1 else None
        if parent is None:
            result.append(component)
            continue
        # GOV.UK: radios with conditional reveals are never inline
        parent["params"]["classes"] = ""
        parent.setdefault("children", {}).setdefault(where.values[0], []).append(component)
    return result


def _autofocus(component: dict) -> None:
    """The first control of the component gets the focus (HTML autofocus: no script needed)."""
    params = component["params"]
    if component["macro"] in ("radios", "date"):
        items = params.get("items") or []
        chosen = [i for i in items if i.get("checked")] if component["macro"] == "radios" else []
        target = (chosen or items)[:1]
        for item in target:
            item["attributes"] = {**(item.get("attributes") or {}), "autofocus": ""}
    else:
        params["attributes"] = {**(params.get("attributes") or {}), "autofocus": ""}


def error_summary(form: dict, errors: dict) -> list[dict]:
    """The error summary's list, in the order of the form, each linking to its field."""
    items = []
    by_id = {f["id"]: f for f in form.get("fields", [])}
    for fid in [f["id"] for f in form.get("fields", [])] + sorted(set(errors) - set(by_id)):
        for message in errors.get(fid) or []:
            item = {"text": message}
            if fid in by_id:
                item["href"] = "#" + first_input_id(by_id[fid])
            items.append(item)
    return items


def answer_rows(form: dict, answers: dict, change: bool = False) -> list[dict]:
    """A summary list of the answers, as the person gave them, for the check page; a question
    not asked has no row. ``change``: each row says which field its Change button goes back to."""
    rows = []
    questions = asked(form, answers)
    for field in form.get("fields", []):
        value = answers.get(field["id"])
        # not asked: by the answers here, or as recorded (None, where an unanswered one is absent)
        recorded_not_asked = field["id"] in answers and value is None and condition_of(field)
        if recorded_not_asked or (field["id"] not in questions and value in (None, "")):
            continue
        kind = field.get("type")
        if value in (None, ""):
            text = "Not answered"
        elif kind == "boolean":
            text = "Yes" if str(value).lower() in ("yes", "true", "1", "on", "y") else "No"
        elif kind == "enum":
            names = {o["id"]: o.get("name") or o["id"] for o in field.get("options") or []}
            text = names.get(value, value)
        elif kind == "date":
            from .filters import uk_date

            text = uk_date(value)
        else:
            text = str(value)
        row = {"key": {"text": _label(field)}, "value": {"text": text}}
        if change:
            row["change"] = {"field": field["id"], "anchor": first_input_id(field)}
        rows.append(row)
    return rows
