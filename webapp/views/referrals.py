"""A new ACRO referral, entered by the CC Workflow team: every INT-1 detail, with repeating
aliases, identity documents and convictions, and the ACRO certificate if it came with it.

"Add another" needs no script: the button posts the form back with one more row.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, g, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework import queries
from casework.models import db

from ..bootstrap import casework
from .auth import requires
from .taskforms import date_value

bp = Blueprint("referrals", __name__)

MAX_ROWS = 20
MAX_PDF_BYTES = 10 * 1024 * 1024
CERTIFICATE_PURPOSES = [
    ("immigration", "Request for administrative purpose immigration/deportation"),
    ("criminal", "Criminal proceedings"),
    ("other", "Something else"),
]
REASONS = [("victim", "Victim"), ("witness", "Witness"), ("arrest", "Arrest")]
PNC_ID = re.compile(r"^\d{2,4}/\d{1,8}[A-Z]$")


def _text(max_length=300, **kwargs):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_length), **kwargs)


def _past_date(label):
    def check(value):
        if value > date.today():
            raise ValidationError(f"{label} must be in the past")
    return check


class ReferralSchema(Schema):
    """The referral's own details; absent ones stay absent (INT-1)."""
    family_name = _text(200)
    given_names = _text(200)
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=_past_date("Date of birth"),
                                error_messages={"invalid": "Date of birth must be a real date"})
    nationality = _text(100)
    pnc_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PNC_ID, error="Enter the PNC ID in the form 12/345678A"))
    interpol_check_outcome = _text(2000)
    officer_name = _text(200)
    officer_force = _text(200)
    officer_email = fields.Email(load_default=None, allow_none=True,
                                 error_messages={"invalid": "Enter the officer's email address in the form name@example.com"})
    officer_phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[0-9 +()\-]{6,20}$", error="Enter a telephone number, like 020 7946 0000"))
    request_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        [r for r, _ in REASONS], error="Select the reason for the request"))
    last_known_address = _text(1000)
    received_at = fields.Date(load_default=None, allow_none=True, validate=_past_date("The date received"),
                              error_messages={"invalid": "The date the referral was received must be a real date"})

    @validates_schema
    def a_name(self, data, **kwargs):
        if not (data.get("family_name") or data.get("given_names")):
            raise ValidationError("Enter the subject's family name or given names", "family_name")


class ConvictionSchema(Schema):
    country = _text(100)
    offence = _text(2000)
    date = fields.Date(load_default=None, allow_none=True, validate=_past_date("The conviction date"),
                       error_messages={"invalid": "The conviction date must be a real date"})
    sentence = _text(1000)


class DocumentSchema(Schema):
    type = _text(100)
    number = _text(100)
    issuing_country = _text(100)


def _clean(value):
    value = (value or "").strip()
    return value or None


def _rows(form, name, action) -> int:
    try:
        rows = int(form.get(f"{name}_rows") or 1)
    except ValueError:
        rows = 1
    if form.get("action") == action:
        rows += 1
    return max(1, min(rows, MAX_ROWS))


def read_form(form) -> dict:
    """The form as posted, in the page's own shape (so it can be shown again)."""
    rows = {"alias": _rows(form, "alias", "add-alias"), "doc": _rows(form, "doc", "add-document"),
            "conv": _rows(form, "conv", "add-conviction")}
    dates = {name: {p: (form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")}
             for name in ("dob", "received")}
    return {
        "values": {k: form.get(k, "") for k in (
            "family_name", "given_names", "nationality", "pnc_id", "interpol_check_outcome", "officer_name",
            "officer_force", "officer_email", "officer_phone", "request_reason", "last_known_address",
            "certificate_purpose", "certificate_purpose_other", "certificate_text")},
        "dates": dates,
        "rows": rows,
        "aliases": [form.get(f"alias-{i}", "") for i in range(rows["alias"])],
        "documents": [{k: form.get(f"doc-{i}-{k}", "") for k in ("type", "number", "country")}
                      for i in range(rows["doc"])],
        "convictions": [{**{k: form.get(f"conv-{i}-{k}", "") for k in ("country", "offence", "sentence")},
                         "date": {p: (form.get(f"conv-{i}-date-{p}") or "").strip() for p in ("day", "month", "year")}}
                        for i in range(rows["conv"])],
    }


def _errors(messages: dict, ids: dict | None = None, prefix="") -> dict:
    ids = ids or {}
    return {prefix + ids.get(k, k): (v[0] if isinstance(v, list) else str(v)) for k, v in messages.items()}


def build_referral(page: dict) -> tuple[dict | None, dict]:
    """The referral as the service takes it, or the errors by the id of the input at fault."""
    values = {k: _clean(v) for k, v in page["values"].items()}
    if values.get("pnc_id"):
        values["pnc_id"] = values["pnc_id"].upper()
    errors = {}
    main = {k: values.get(k) for k in ReferralSchema().fields if k not in ("date_of_birth", "received_at")}
    main["date_of_birth"] = date_value(page["dates"]["dob"]) or None
    main["received_at"] = date_value(page["dates"]["received"]) or None
    try:
        loaded = ReferralSchema().load(main)
    except ValidationError as exc:
        errors.update(_errors(exc.messages, {"date_of_birth": "dob-day", "received_at": "received-day"}))
        loaded = None
    convictions = []
    for i, row in enumerate(page["convictions"]):
        data = {"country": _clean(row["country"]), "offence": _clean(row["offence"]),
                "sentence": _clean(row["sentence"]), "date": date_value(row["date"]) or None}
        if not any(data.values()):
            continue
        try:
            item = ConvictionSchema().load(data)
        except ValidationError as exc:
            errors.update(_errors(exc.messages, {"date": "date-day"}, prefix=f"conv-{i}-"))
            continue
        item["date"] = item["date"].isoformat() if item["date"] else None
        convictions.append(item)
    documents = []
    for i, row in enumerate(page["documents"]):
        data = {"type": _clean(row["type"]), "number": _clean(row["number"]),
                "issuing_country": _clean(row["country"])}
        if not any(data.values()):
            continue
        try:
            documents.append(DocumentSchema().load(data))
        except ValidationError as exc:
            errors.update(_errors(exc.messages, {"issuing_country": "country"}, prefix=f"doc-{i}-"))
    aliases = [a.strip() for a in page["aliases"] if a.strip()]
    if errors or loaded is None:
        return None, errors
    return {
        "subject": {"family_name": loaded["family_name"], "given_names": loaded["given_names"],
                    "aliases": aliases,
                    "date_of_birth": loaded["date_of_birth"].isoformat() if loaded["date_of_birth"] else None,
                    "nationality": loaded["nationality"], "identity_documents": documents,
                    "pnc_id": loaded["pnc_id"]},
        "convictions": convictions,
        "interpol_check_outcome": loaded["interpol_check_outcome"],
        "officer": {"name": loaded["officer_name"], "force": loaded["officer_force"],
                    "email": loaded["officer_email"], "phone": loaded["officer_phone"]},
        "request_reason": loaded["request_reason"],
        "last_known_address": loaded["last_known_address"],
        "received_at": loaded["received_at"].isoformat() if loaded["received_at"] else None,
    }, {}


def read_certificate(form, files, *, required: bool) -> tuple[dict | None, dict]:
    """The ACRO certificate: its request purpose, and its text or a PDF of it."""
    errors = {}
    choice = form.get("certificate_purpose") or ""
    other = (form.get("certificate_purpose_other") or "").strip()
    text = (form.get("certificate_text") or "").strip()
    upload = files.get("certificate_file") if files else None
    content = upload.read() if upload and upload.filename else b""
    if not (choice or text or content or required):
        return None, {}
    labels = dict(CERTIFICATE_PURPOSES)
    if choice not in labels:
        errors["certificate_purpose"] = "Select the request purpose stated on the certificate"
    elif choice == "other" and not other:
        errors["certificate_purpose_other"] = "Enter the request purpose stated on the certificate"
    if content:
        if len(content) > MAX_PDF_BYTES:
            errors["certificate_file"] = "The certificate file must be smaller than 10MB"
        elif not content.startswith(b"%PDF-"):
            errors["certificate_file"] = "The certificate file must be a PDF"
    elif not text:
        errors["certificate_text"] = "Enter the certificate's text or choose a PDF of it"
    if errors:
        return None, errors
    return {"request_purpose": other if choice == "other" else labels[choice], "content": text or None,
            "file": content or None, "filename": upload.filename if content else None}, {}


ERROR_ORDER = ("family_name", "given_names", "dob-day", "nationality", "pnc_id", "officer_email", "officer_phone",
               "request_reason", "received-day", "certificate_purpose", "certificate_purpose_other",
               "certificate_text", "certificate_file")


def _ordered(errors: dict) -> list[dict]:
    keys = [k for k in ERROR_ORDER if k in errors] + sorted(k for k in errors if k not in ERROR_ORDER)
    return [{"text": errors[k], "href": f"#{k}"} for k in keys]


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires("submit_referral")
def new_referral():
    """Enter a referral that ACRO sent by email (INT-1, INT-2)."""
    page = read_form(request.form)
    errors = {}
    if request.method == "POST" and request.form.get("action", "submit") == "submit":
        referral, errors = build_referral(page)
        certificate, cert_errors = read_certificate(request.form, request.files, required=False)
        errors.update(cert_errors)
        if not errors:
            case = casework().submit_referral(referral, g.actor, certificate=certificate)
            return redirect(url_for("referrals.recorded", reference=case.reference))
    return render_template("referrals/new.html", page=page, errors=errors, error_list=_ordered(errors),
                           reasons=REASONS, certificate_purposes=CERTIFICATE_PURPOSES), 400 if errors else 200


@bp.get("/referrals/<reference>/recorded")
@requires("submit_referral")
def recorded(reference):
    """The referral is recorded: its reference, and the next task if this person does it."""
    service = casework()
    case = service.case(reference)
    next_tasks = [t for t in queries.case_tasks(db.session, case.id) if service.may_act(t, g.actor)]
    return render_template("referrals/recorded.html", case=case, next_tasks=next_tasks)
