"""A new ACRO referral, entered by the CC Workflow team: every INT-1 detail, with repeating
aliases, identity documents and convictions, and the ACRO certificate if it came with it.

Each repeated row can be added or removed. With JavaScript (static/js/referral-rows.js) that
happens on the page, keeping the place, the focus and the chosen PDF; without it the button
posts the form back and the server adds or drops the row, and the PDF chosen comes back as a
hidden field, so nothing typed or chosen is lost either way. "Continue" shows the answers to
check (with a Change button per row) before "Record the referral" records them.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, g, redirect, render_template, request, url_for

from casework.errors import InvalidAnswers
from casework.queries import tasks as task_queries
from webapp.db import db

from ..bootstrap import casework, policy
from .auth import requires
from .taskforms import date_value

bp = Blueprint("referrals", __name__)

MAX_ROWS = 20
CERTIFICATE_PURPOSES = [
    ("immigration", "Request for administrative purpose immigration/deportation"),
    ("criminal", "Criminal proceedings"),
    ("other", "Something else"),
]
REASONS = [("victim", "Victim"), ("witness", "Witness"), ("arrest", "Arrest")]


def _clean(value):
    value = (value or "").strip()
    return value or None


def _count(form, name) -> int:
    try:
        rows = int(form.get(f"{name}_rows") or 1)
    except ValueError:
        rows = 1
    return max(1, min(rows, MAX_ROWS))


# the repeated rows: the page's prefix of each row's inputs, and the words of its buttons
REPEATS = {"alias": "alias", "doc": "document", "conv": "conviction"}
EMPTY_ROW = {
    "alias": lambda: "",
    "doc": lambda: {"type": "", "number": "", "country": ""},
    "conv": lambda: {"country": "", "offence": "", "sentence": "", "date": {"day": "", "month": "", "year": ""}},
}


def _change_rows(lists: dict, action: str) -> str | None:
    """Apply "Add another ..." or "Remove" (posted without JavaScript) to the rows; returns the
    id of the input to put the focus on afterwards, or None for any other action."""
    for prefix, word in REPEATS.items():
        rows = lists[prefix]
        if action == f"add-{word}":
            if len(rows) < MAX_ROWS:
                rows.append(EMPTY_ROW[prefix]())
            return _first_input(prefix, len(rows) - 1)
        if action.startswith(f"remove-{word}-") and action.rsplit("-", 1)[1].isdigit():
            index = int(action.rsplit("-", 1)[1])
            if index < len(rows):
                rows.pop(index)
            if not rows:
                rows.append(EMPTY_ROW[prefix]())
            return _first_input(prefix, min(index, len(rows) - 1))
    return None


def _first_input(prefix: str, index: int) -> str:
    return {"alias": f"alias-{index}", "doc": f"doc-{index}-type", "conv": f"conv-{index}-country"}[prefix]


def read_form(form) -> dict:
    """The form as posted, in the page's own shape (so it can be shown again), with a row
    added or removed when that is what was asked."""
    counts = {prefix: _count(form, prefix) for prefix in REPEATS}
    dates = {
        name: {p: (form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")}
        for name in ("dob", "received")
    }
    lists = {
        "alias": [form.get(f"alias-{i}", "") for i in range(counts["alias"])],
        "doc": [{k: form.get(f"doc-{i}-{k}", "") for k in ("type", "number", "country")} for i in range(counts["doc"])],
        "conv": [
            {
                **{k: form.get(f"conv-{i}-{k}", "") for k in ("country", "offence", "sentence")},
                "date": {p: (form.get(f"conv-{i}-date-{p}") or "").strip() for p in ("day", "month", "year")},
            }
            for i in range(counts["conv"])
        ],
    }
    focus = _change_rows(lists, form.get("action") or "")
    return {
        "values": {k: form.get(k, "") for k in VALUES},
        "dates": dates,
        "rows": {prefix: len(rows) for prefix, rows in lists.items()},
        "aliases": lists["alias"],
        "documents": lists["doc"],
        "convictions": lists["conv"],
        "focus": focus,
        "kept_file": None,
    }


VALUES = (
    "family_name",
    "given_names",
    "nationality",
    "pnc_id",
    "interpol_check_outcome",
    "officer_name",
    "officer_force",
    "officer_email",
    "officer_phone",
    "request_reason",
    "last_known_address",
    "certificate_purpose",
    "certificate_purpose_other",
    "certificate_text",
)


def hidden_fields(page: dict) -> list[tuple[str, str]]:
    """The whole page as hidden inputs, so that the check page sends it on (or back) unchanged."""
    fields = [(k, page["values"][k]) for k in VALUES]
    fields += [(f"{name}-{p}", parts[p]) for name, parts in page["dates"].items() for p in ("day", "month", "year")]
    fields += [(f"{prefix}_rows", str(n)) for prefix, n in page["rows"].items()]
    fields += [(f"alias-{i}", alias) for i, alias in enumerate(page["aliases"])]
    for i, doc in enumerate(page["documents"]):
        fields += [(f"doc-{i}-{k}", doc[k]) for k in ("type", "number", "country")]
    for i, conv in enumerate(page["convictions"]):
        fields += [(f"conv-{i}-{k}", conv[k]) for k in ("country", "offence", "sentence")]
        fields += [(f"conv-{i}-date-{p}", conv["date"][p]) for p in ("day", "month", "year")]
    if page["kept_file"]:
        fields += [
            ("certificate_file_kept", page["kept_file"]["data"]),
            ("certificate_filename_kept", page["kept_file"]["filename"]),
        ]
    return fields


# where the one referral schema's messages (by dotted path) show on this page (by input id)
FIELD_IDS = {
    "subject": "family_name",
    "subject.family_name": "family_name",
    "subject.given_names": "given_names",
    "subject.date_of_birth": "dob-day",
    "subject.nationality": "nationality",
    "subject.pnc_id": "pnc_id",
    "interpol_check_outcome": "interpol_check_outcome",
    "request_reason": "request_reason",
    "last_known_address": "last_known_address",
    "received_at": "received-day",
    "officer.name": "officer_name",
    "officer.force": "officer_force",
    "officer.email": "officer_email",
    "officer.phone": "officer_phone",
    "certificate.content": "certificate_text",
    "certificate.file": "certificate_file",
    "certificate.filename": "certificate_file",
}
ROW_FIELD_IDS = {
    "type": "type",
    "number": "number",
    "issuing_country": "country",
    "country": "country",
    "offence": "offence",
    "sentence": "sentence",
    "date": "date-day",
}


def build_referral(page: dict) -> tuple[dict, dict]:
    """The page's boxes mapped onto the referral, and for each repeated row that was kept,
    the row it came from (so a message about convictions.1 lands on the right boxes)."""
    values = {k: _clean(v) for k, v in page["values"].items()}
    rows = {"aliases": [], "identity_documents": [], "convictions": []}
    aliases = []
    for i, alias in enumerate(page["aliases"]):
        if _clean(alias):
            aliases.append(alias)
            rows["aliases"].append(i)
    documents = []
    for i, row in enumerate(page["documents"]):
        item = {"type": _clean(row["type"]), "number": _clean(row["number"]), "issuing_country": _clean(row["country"])}
        if any(item.values()):
            documents.append(item)
            rows["identity_documents"].append(i)
    convictions = []
    for i, row in enumerate(page["convictions"]):
        item = {
            "country": _clean(row["country"]),
            "offence": _clean(row["offence"]),
            "sentence": _clean(row["sentence"]),
            "date": date_value(row["date"]) or None,
        }
        if any(item.values()):
            convictions.append(item)
            rows["convictions"].append(i)
    referral = {
        "subject": {
            "family_name": values["family_name"],
            "given_names": values["given_names"],
            "aliases": aliases,
            "date_of_birth": date_value(page["dates"]["dob"]) or None,
            "nationality": values["nationality"],
            "identity_documents": documents,
            "pnc_id": values["pnc_id"],
        },
        "convictions": convictions,
        "interpol_check_outcome": values["interpol_check_outcome"],
        "officer": {
            "name": values["officer_name"],
            "force": values["officer_force"],
            "email": values["officer_email"],
            "phone": values["officer_phone"],
        },
        "request_reason": values["request_reason"],
        "last_known_address": values["last_known_address"],
        "received_at": date_value(page["dates"]["received"]) or None,
    }
    return referral, rows


def input_id(path: str, rows: dict, form) -> str:
    """The id of the input a message by dotted path belongs to."""
    if path == "certificate.request_purpose":
        return "certificate_purpose_other" if form.get("certificate_purpose") == "other" else "certificate_purpose"
    if path in FIELD_IDS:
        return FIELD_IDS[path]
    parts = path.split(".")
    if parts[0] == "subject" and len(parts) >= 3 and parts[1] in ("aliases", "identity_documents"):
        kind = parts[1]
        index = rows[kind][int(parts[2])] if parts[2].isdigit() and int(parts[2]) < len(rows[kind]) else 0
        return f"alias-{index}" if kind == "aliases" else f"doc-{index}-{ROW_FIELD_IDS.get(parts[-1], 'type')}"
    if parts[0] == "convictions" and len(parts) >= 2:
        index = (
            rows["convictions"][int(parts[1])] if parts[1].isdigit() and int(parts[1]) < len(rows["convictions"]) else 0
        )
        return f"conv-{index}-{ROW_FIELD_IDS.get(parts[-1], 'country')}"
    return "family_name"


def read_certificate(form, files) -> tuple[dict | None, dict]:
    """The page's certificate boxes mapped onto the certificate (None when none was given),
    and what the page itself could not read (a request purpose not chosen). The PDF is the
    one chosen now, or else the one chosen earlier and carried in a hidden field."""
    choice = form.get("certificate_purpose") or ""
    other = (form.get("certificate_purpose_other") or "").strip()
    text = (form.get("certificate_text") or "").strip()
    upload = files.get("certificate_file") if files else None
    content = upload.read() if upload and upload.filename else b""
    filename = upload.filename if content else None
    errors = {}
    if not content and form.get("certificate_file_kept"):
        try:
            content = base64.b64decode(form["certificate_file_kept"], validate=True)
            filename = (form.get("certificate_filename_kept") or "").strip() or "certificate.pdf"
        except (binascii.Error, ValueError):
            errors["certificate_file"] = "The PDF chosen earlier could not be kept: choose it again"
    if not (choice or other or text or content or errors):
        return None, {}
    labels = dict(CERTIFICATE_PURPOSES)
    if choice not in labels:
        errors["certificate_purpose"] = "Select the request purpose stated on the certificate"
    purpose = other if choice == "other" else labels.get(choice)
    return {
        "request_purpose": purpose or None,
        "content": text or None,
        "file": content or None,
        "filename": filename if content else None,
    }, errors


def kept_file(certificate: dict | None) -> dict | None:
    """The chosen PDF as the page carries it on: its name, size and content (base64)."""
    if not certificate or not certificate.get("file"):
        return None
    return {
        "filename": certificate["filename"],
        "size": len(certificate["file"]),
        "data": base64.b64encode(certificate["file"]).decode("ascii"),
    }


def page_errors(exc: InvalidAnswers, rows: dict, form) -> dict:
    errors = {}
    for path, messages in exc.messages.items():
        errors.setdefault(input_id(path, rows, form), messages[0])
    return errors


ERROR_ORDER = (
    "family_name",
    "given_names",
    "dob-day",
    "nationality",
    "pnc_id",
    "officer_email",
    "officer_phone",
    "request_reason",
    "received-day",
    "certificate_purpose",
    "certificate_purpose_other",
    "certificate_text",
    "certificate_file",
)


def _ordered(errors: dict) -> list[dict]:
    keys = [k for k in ERROR_ORDER if k in errors] + sorted(k for k in errors if k not in ERROR_ORDER)
    return [{"text": errors[k], "href": f"#{k}"} for k in keys]


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires("submit_referral")
def new_referral():
    """Enter a referral that ACRO sent by email (INT-1, INT-2): the form, then the answers to
    check, then recorded. Rows are added and removed here when the page has no JavaScript."""
    page = read_form(request.form)
    errors = {}
    action = request.form.get("action", "submit")
    if request.method == "POST":
        certificate, cert_errors = read_certificate(request.form, request.files)
        if action.startswith("change-"):
            page["focus"] = action.removeprefix("change-")  # a Change button on the check page
        if action == "remove-file" and certificate:
            # the button's own link (#certificate_file) takes the page back to the file input
            certificate = {**certificate, "file": None, "filename": None}
        page["kept_file"] = kept_file(certificate)
        if action in ("submit", "confirm"):
            referral, rows = build_referral(page)
            if certificate and not any(certificate.values()):
                certificate = None
            errors = cert_errors
            try:
                if errors or action == "submit":
                    # still ask the service, so every message of the page shows at once
                    casework().check_referral(referral, certificate)
                else:
                    case = casework().submit_referral(referral, g.actor, certificate=certificate, channel="web")
                    return redirect(url_for("referrals.recorded", reference=case.reference))
            except InvalidAnswers as exc:
                errors = {**page_errors(exc, rows, request.form), **errors}
            if not errors:
                return render_template(
                    "referrals/check.html",
                    page=page,
                    hidden=hidden_fields(page),
                    reasons=dict(REASONS),
                    certificate_purposes=dict(CERTIFICATE_PURPOSES),
                    date_value=date_value,
                )
    return render_template(
        "referrals/new.html",
        page=page,
        errors=errors,
        error_list=_ordered(errors),
        reasons=REASONS,
        certificate_purposes=CERTIFICATE_PURPOSES,
        max_rows=MAX_ROWS,
    ), 400 if errors else 200


@bp.get("/referrals/<reference>/recorded")
@requires("submit_referral")
def recorded(reference):
    """The referral is recorded: its reference, and the next task if this person does it."""
    service = casework()
    case = service.case(reference)
    next_tasks = [t for t in task_queries.of_case(db.session, case.id) if policy().may_work_on(g.actor, t)]
    return render_template("referrals/recorded.html", case=case, next_tasks=next_tasks)
