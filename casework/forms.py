"""Answers to a user task, checked against the form drawn in the diagram.

One marshmallow schema is built per form definition, so the browser, the API and the
scenarios all validate the same way.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from marshmallow import Schema, ValidationError, fields, validate

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


def _field(definition: dict) -> fields.Field:
    kind = definition.get("type")
    label = definition.get("label") or definition["id"]
    rules = definition.get("validation") or {}
    required = "required" in rules
    messages = {
        "required": f"Enter {label[0].lower() + label[1:]}"
        if kind not in ("boolean", "enum")
        else f"Select an answer: {label}",
        "null": f"{label} cannot be empty.",
    }
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
def _schema(form_json: str) -> Schema:
    form = json.loads(form_json)
    declared = {f["id"]: _field(f) for f in form.get("fields", [])}
    return Schema.from_dict(declared, name="TaskForm")()


def schema_for(form: dict) -> Schema:
    return _schema(json.dumps(form, sort_keys=True))


def clean(form: dict, answers: dict, today: date | None = None) -> dict:
    """The answers as process variables; raises ValidationError with a message per field.

    Empty strings count as not answered. Unknown fields are refused, so a typo in an API
    call is reported rather than silently dropped. ``today`` (the clock's) bounds the dates
    of ``past_only`` fields.
    """
    answers = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in answers.items()}
    answers = {k: v for k, v in answers.items() if v is not None}
    loaded = schema_for(form).load(answers)
    if today is not None:
        future = {
            f["id"]: [f"{f.get('label') or f['id']} must be today or in the past"]
            for f in form.get("fields", [])
            if f.get("type") == "date"
            and _past_only(f)
            and isinstance(loaded.get(f["id"]), date)
            and loaded[f["id"]] > today
        }
        if future:
            raise ValidationError(future)
    for key, value in loaded.items():
        if hasattr(value, "isoformat"):
            loaded[key] = value.isoformat()
    return loaded


__all__ = ["clean", "schema_for", "ValidationError"]
