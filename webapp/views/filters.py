"""How values read on a page: UK dates and times, absent details said to be absent (INT-1),
and the labels a person reads for the codes the case record keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Undefined
from markupsafe import Markup, escape

from casework.config import ROLE_NAMES

NOT_PROVIDED = "Not provided"
UK = ZoneInfo("Europe/London")

CUSTODY = {
    "serving_sentence": "Serving a prison sentence",
    "at_liberty": "At liberty",
    "detained": "Detained under immigration powers",
    "not_detained": "Not detained",
}
MARKER = {
    None: "No marker requested",
    "requested": "Wanted/missing marker requested (ICD.5079)",
    "removal requested": "Marker removal requested (ICD.5080)",
}
REQUEST_REASONS = {"victim": "Victim", "witness": "Witness", "arrest": "Arrest"}
STATE_TAGS = {
    "open": ("Open", "govuk-tag--blue"),
    "dormant": ("Dormant", "govuk-tag--grey"),
    "closed": ("Closed", "govuk-tag--green"),
}
CERTIFICATE_TAGS = {
    "disclosable": "govuk-tag--green",
    "not disclosable: its convictions may be usable through the PNC": "govuk-tag--yellow",
    "destroyed": "govuk-tag--red",
    "destroyed, disclosable certificate awaited": "govuk-tag--orange",
    "disclosable certificate awaited": "govuk-tag--orange",
    "held, not yet checked": "govuk-tag--yellow",
    "none held": "govuk-tag--grey",
}


def _absent(value) -> bool:
    return isinstance(value, Undefined) or value is None or value == "" or value == [] or value == ()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def uk_date(value) -> str:
    """'5 January 2026' for a date, a datetime (in UK time) or an ISO string."""
    if _absent(value):
        return NOT_PROVIDED
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = _aware(value).astimezone(UK).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value) -> str:
    """'5 January 2026, 9:00am' in UK time."""
    if _absent(value):
        return NOT_PROVIDED
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = _aware(value).astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def shown(value) -> str:
    if _absent(value):
        return NOT_PROVIDED
    if isinstance(value, (list, tuple)):
        return "; ".join(shown(v) for v in value)
    return str(value)


def lines(value) -> Markup:
    """Text with its line breaks kept, escaped."""
    return Markup("<br>").join(escape(line) for line in shown(value).splitlines() or [NOT_PROVIDED])


def sentence(message) -> str:
    """A service message as a sentence: capital first letter, full stop, nothing else changed."""
    message = str(message).strip()
    if not message:
        return message
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def role_names(roles) -> str:
    return ", ".join(ROLE_NAMES.get(r, r) for r in roles or [])


def init_app(app) -> None:
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(shown, "shown")
    app.add_template_filter(lines, "lines")
    app.add_template_filter(role_names, "role_names")
    app.add_template_global(CUSTODY, "CUSTODY")
    app.add_template_global(MARKER, "MARKER")
    app.add_template_global(REQUEST_REASONS, "REQUEST_REASONS")
    app.add_template_global(STATE_TAGS, "STATE_TAGS")
    app.add_template_global(CERTIFICATE_TAGS, "CERTIFICATE_TAGS")
    app.add_template_global(NOT_PROVIDED, "NOT_PROVIDED")
