"""Answers to a user task, checked against the form drawn in the diagram.

One marshmallow schema is built per form definition, so the browser, the API and the
scenarios all validate the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate

from engine.expressions import ExpressionError
from engine.forms import asked_fields, condition_of, holds, names_in

from .referral import CONTROL_CHARACTERS

TRUE = {"true", "yes", "y", "1", "on"}
FALSE = {"false", "no", "n", "0", "off"}


class YesNo(fields.Boolean):
    truthy = TRUE
    falsy = FALSE
    default_error_messages = {"invalid": "Select yes or no."}


def _typed_by_a_person(label: str):
    """No control characters (but tab and line ends): PostgreSQL cannot keep NUL, and the API
    refuses them at its door, so every channel refuses the same answer."""

    def check(value):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(
                f"The answer to “{label}” has a character that cannot be used (a control "
                "character, often copied from another program): remove it"
            )

    return check


def required_message(definition: dict) -> str:
    label = definition.get("label") or definition["id"]
    if definition.get("type") in ("boolean", "enum"):
        return f"Select an answer: {label}"
    return f"Enter {label[0].lower() + label[1:]}"


def _field(definition: dict) -> fields.Field:
    kind = definition.get("type")
    label = definition.get("label") or definition["id"]
    rules = definition.get("validation") or {}
    # a conditional question is required only where it is asked: clean() says so
    required = "required" in rules and condition_of(definition) is None
    messages = {"required": required_message(definition), "null": f"{label} cannot be empty."}
    validators = []
    if kind == "enum":
        choices = [o["id"] for o in definition.get("options") or []]
        validators.append(validate.OneOf(choices, error=f"Select one of the options for {label}."))
        field = fields.String
    elif kind == "boolean":
        field = YesNo
    elif kind == "long":
        field = fields.Integer
        lo, hi = rules.get("min"), rules.get("max")
        if lo is not None or hi is not None:
            validators.append(
                validate.Range(
                    min=int(lo) if lo is not None else None,
                    max=int(hi) if hi is not None else None,
                    error=f"{label}: {_range_words(lo, hi)}",
                )
            )
    elif kind == "date":
        field = fields.Date
    else:
        field = fields.String
        lo, hi = rules.get("minlength"), rules.get("maxlength")
        longest = int(hi) if hi else 10000
        words = f"between {int(lo)} and {longest} characters" if lo else f"{longest} characters or fewer"
        validators.append(
            validate.Length(
                min=int(lo) if lo else (1 if required else 0), max=longest, error=f"{label} must be {words}"
            )
        )
        validators.append(_typed_by_a_person(label))
    kwargs = {"required": required, "allow_none": not required, "validate": validators, "error_messages": messages}
    if kind == "date":
        kwargs["error_messages"] = {**messages, "invalid": f"{label} must be a real date."}
    return field(**kwargs)


def _range_words(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"enter a number from {int(lo)} to {int(hi)}"
    return f"enter {int(lo)} or more" if lo is not None else f"enter {int(hi)} or less"


def _past_only(field: dict) -> bool:
    """A date field whose ``past_only`` property (Modeler: form field, Properties) says it
    records something that has happened: today or earlier."""
    return str((field.get("properties") or {}).get("past_only", "")).lower() in ("true", "yes")


@lru_cache(maxsize=256)
def _schema(fields_json: str) -> Schema:
    declared = {f["id"]: _field(f) for f in json.loads(fields_json)}
    return Schema.from_dict(declared, name="TaskForm")()


def schema_for(form: dict) -> Schema:
    return _schema(json.dumps(form.get("fields") or [], sort_keys=True))


def options(field: dict) -> list[tuple[str, object, str]]:
    """A choice's options as (posted value, value in the process, words shown)."""
    if field.get("type") == "boolean":
        return [("yes", True, "Yes"), ("no", False, "No")]
    return [(o["id"], o["id"], o.get("name") or o["id"]) for o in field.get("options") or []]


@dataclass(frozen=True)
class Placement:
    """Where a question goes on the page, from its ``asked_if`` condition and the case data.

    ``always``: shown. ``hidden``: not asked for this case, whatever the answers. ``under``:
    asked only for some answers to one earlier choice, ``parent``, namely ``values`` (its
    posted values): a GOV.UK conditional reveal under that option. ``standalone``: depends on
    the answers in another way; shown, and checked when sent."""

    kind: str
    parent: str | None = None
    values: tuple[str, ...] = ()


ALWAYS = Placement("always")


def placement(form: dict, field: dict) -> Placement:
    condition = condition_of(field)
    if condition is None:
        return ALWAYS
    fields_ = form.get("fields") or []
    ids = [f["id"] for f in fields_]
    scope = {**(form.get("case_data") or {}), **dict.fromkeys(ids)}
    try:
        depends = names_in(condition) & set(ids)
    except ExpressionError:
        return ALWAYS
    if not depends:
        return ALWAYS if holds(condition, scope) else Placement("hidden")
    if len(depends) == 1:
        parent = next(f for f in fields_ if f["id"] in depends)
        choices = options(parent) if parent.get("type") in ("boolean", "enum") else []
        if choices and ids.index(parent["id"]) < ids.index(field["id"]):
            values = tuple(raw for raw, value, _ in choices if holds(condition, {**scope, parent["id"]: value}))
            if not values:
                return Placement("hidden")
            if len(values) < len(choices):
                return Placement("under", parent["id"], values)
            return ALWAYS
    return Placement("standalone")


def _not_asked(form: dict, field: dict) -> str:
    label = field.get("label") or field["id"]
    where = placement(form, field)
    if where.kind == "under":
        parent = next(f for f in form["fields"] if f["id"] == where.parent)
        words = " or ".join(f"“{text}”" for raw, _, text in options(parent) if raw in where.values)
        return (
            f"“{label}” is asked only when the answer to “{parent.get('label') or parent['id']}” is "
            f"{words}: leave it out, or change that answer"
        )
    if where.kind == "standalone":
        # it depends on several answers here: name them in the form's words
        depends = names_in(condition_of(field))
        on = " and ".join(f"“{f.get('label') or f['id']}”" for f in form["fields"] if f["id"] in depends)
        return (
            f"“{label}” is not asked with these answers to {on} (it is asked only when {condition_of(field)}): "
            f"leave it out, or change those answers"
        )
    return f"“{label}” is not asked for this case (it is asked only when {condition_of(field)}): leave it out"


def typed(form: dict, answers: dict) -> dict:
    """Answers as conditions read them: a yes/no as True or False, whether posted or cleaned."""
    kinds = {f["id"]: f.get("type") for f in form.get("fields") or []}
    result = dict(answers)
    for key, value in answers.items():
        if kinds.get(key) == "boolean" and isinstance(value, str):
            word = value.strip().lower()
            result[key] = True if word in TRUE else False if word in FALSE else value
    return result


def asked(form: dict, answers: dict) -> set[str]:
    """The questions asked, given the case data the form carries and these answers."""
    return asked_fields(form, {**(form.get("case_data") or {}), **typed(form, answers)})


def clean(form: dict, answers: dict, today: date | None = None) -> dict:
    """The answers as process variables; raises ValidationError with a message per field.

    Empty strings count as not answered. Unknown fields are refused, so a typo in an API
    call is reported rather than silently dropped. ``today`` (the clock's) bounds the dates
    of ``past_only`` fields. A question not asked (``asked_if``) is not required, an answer
    to it is refused, and it is recorded as None.
    """
    answers = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in answers.items()}
    answers = {k: v for k, v in answers.items() if v is not None}
    try:
        loaded, problems = schema_for(form).load(answers), {}
    except ValidationError as exc:
        # go on with what loaded, so that every message comes at once
        loaded, problems = dict(exc.valid_data or {}), dict(exc.messages)
    if today is not None:
        problems.update(
            {
                f["id"]: [f"{f.get('label') or f['id']} must be today or in the past"]
                for f in form.get("fields", [])
                if f.get("type") == "date"
                and _past_only(f)
                and isinstance(loaded.get(f["id"]), date)
                and loaded[f["id"]] > today
            }
        )
    for key, value in loaded.items():
        if hasattr(value, "isoformat"):
            loaded[key] = value.isoformat()
    questions = asked(form, loaded)
    for field in form.get("fields", []):
        fid = field["id"]
        condition = condition_of(field)
        if condition is None or names_in(condition) & set(problems):
            continue  # an answer it depends on is wrong: that message comes first
        if fid not in questions:
            if answers.get(fid) is not None:
                problems[fid] = [_not_asked(form, field)]
            loaded[fid] = None
        elif "required" in (field.get("validation") or {}) and loaded.get(fid) is None:
            problems[fid] = [required_message(field)]
    if problems:
        raise ValidationError(problems)
    return loaded


__all__ = ["asked", "clean", "condition_of", "options", "placement", "schema_for", "ValidationError"]
