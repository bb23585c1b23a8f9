"""The referral (INT-1): one schema for every channel.

The web form, the JSON API and email intake each map their own input (boxes, JSON, an email's
labelled lines) onto this shape; ``load`` validates it, and the service refuses what it
refuses, with the same words whichever way it came::

    {"subject": {"family_name", "given_names", "aliases": [...], "date_of_birth",
                 "nationality", "identity_documents": [{"type", "number", "issuing_country"}],
                 "pnc_id"},
     "convictions": [{"country", "offence", "date", "sentence"}],
     "interpol_check_outcome", "officer": {"name", "force", "email", "phone"},
     "request_reason" (victim, witness or arrest), "last_known_address", "received_at"}

Any detail may be absent (null, or an empty list) and nothing is filled in for it (INT-1),
except ``received_at``, which the service sets to the moment it records the referral when
the channel does not know an earlier one. A referral must name someone: a name or a PNC ID.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import getaddresses

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

REQUEST_REASONS = ("victim", "witness", "arrest")

# the longest value each place keeps (the subject record's columns); longer is refused, never cut
LIMITS = {
    "family_name": 200,
    "given_names": 200,
    "alias": 300,
    "nationality": 100,
    "pnc_id": 40,
    "document_type": 100,
    "document_number": 100,
    "issuing_country": 100,
    "country": 100,
    "offence": 2000,
    "sentence": 2000,
    "interpol_check_outcome": 2000,
    "officer_name": 200,
    "force": 200,
    "email": 320,
    "phone": 50,
    "last_known_address": 1000,
    "request_purpose": 1000,
    "certificate_summary": 10000,
    "filename": 200,
}
MAX_ALIASES, MAX_DOCUMENTS, MAX_CONVICTIONS = 50, 20, 200
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def default_max_message(max_attachment: int) -> int:
    """The largest whole email intake reads: the attachment in base64 (4/3 of it, with line
    ends) and a megabyte for the body and headers (15 MB for a 10 MB attachment)."""
    return int(max_attachment * 1.4) + 1024 * 1024


# control characters (but tab and line ends) and lone surrogates: no person writes them, and
# no database keeps them all (PostgreSQL refuses NUL), so a value with them is refused
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
PNC_ID = re.compile(r"^\d{2,4}/\d{1,8}[A-Z]$")
PHONE = re.compile(r"^[0-9 +()\-]{6,20}$")
# one address, no display name, no list: what the police notification (name, birth date,
# convictions) may be sent to
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

NAMES_NO_ONE = "Enter the subject's family name, given names or PNC ID"


def empty_referral() -> dict:
    return {
        "subject": {
            "family_name": None,
            "given_names": None,
            "aliases": [],
            "date_of_birth": None,
            "nationality": None,
            "identity_documents": [],
            "pnc_id": None,
        },
        "convictions": [],
        "interpol_check_outcome": None,
        "officer": {"name": None, "force": None, "email": None, "phone": None},
        "request_reason": None,
        "last_known_address": None,
    }


def names_someone(referral: dict) -> bool:
    subject = referral.get("subject")
    if not isinstance(subject, dict):
        return False
    # raw input too (a schema check of what was sent): only text names anyone
    return any(
        isinstance(subject.get(key), str) and subject[key].strip() for key in ("family_name", "given_names", "pnc_id")
    )


def iso_date(text: str) -> str:
    """``YYYY-MM-DD`` or the UK ``DD/MM/YYYY`` as an ISO date; ValueError when it is not a real date."""
    text = text.strip()
    try:
        if len(text) == 10 and text.isascii() and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text).isoformat()
        parts = text.split("/")
        if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts) and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date (write YYYY-MM-DD)")


def is_pdf(data: bytes | None) -> bool:
    return bool(data) and data.lstrip()[:5] == b"%PDF-"


def one_address(text: str) -> bool:
    """Exactly one plain email address: no list, no display name, nothing around it."""
    parsed = getaddresses([text])
    return len(parsed) == 1 and parsed[0][1] == text and bool(EMAIL.fullmatch(text))


# -- fields ---------------------------------------------------------------------------------
class Text(fields.String):
    """Text a person wrote: blank is absent, ends are trimmed, control characters refused."""

    def __init__(self, label: str, limit: str | int, **kwargs):
        self.label = label
        self.limit = LIMITS[limit] if isinstance(limit, str) else limit
        super().__init__(allow_none=True, load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError(f"{self.label} must not contain control characters")
        if len(text) > self.limit:
            raise ValidationError(f"{self.label} must be {self.limit} characters or fewer")
        return text or None


class PncId(Text):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        if not PNC_ID.fullmatch(text.upper()):
            raise ValidationError("Enter the PNC ID in the form 12/345678A")
        return text.upper()


class PastDate(fields.String):
    """A date as ``YYYY-MM-DD`` (kept as that text), on or before today."""

    def __init__(self, label: str, **kwargs):
        self.label = label
        super().__init__(allow_none=True, load_default=None, metadata={"format": "date"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        try:
            # ISO only: a channel that reads other forms (an email's 12/04/1988) maps them first
            value = date.fromisoformat(text).isoformat() if len(text) == 10 and text[4] == "-" else None
        except ValueError:
            value = None
        if value is None:
            raise ValidationError(f"{self.label} must be a real date")
        if date.fromisoformat(value) > _today():
            raise ValidationError(f"{self.label} must be in the past")
        return value


def _today() -> date:
    return datetime.now(UTC).date()


class Blanks(Schema):
    """Blank text is absent (None); unknown fields are refused."""

    @pre_load
    def blanks(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
        return data


class IdentityDocumentSchema(Blanks):
    type = Text("The document type", "document_type")
    number = Text("The document number", "document_number")
    issuing_country = Text("The issuing country", "issuing_country")


class SubjectSchema(Blanks):
    family_name = Text("Family name", "family_name")
    given_names = Text("Given names", "given_names")
    aliases = fields.List(
        Text("An alias", "alias"),
        load_default=list,
        validate=validate.Length(max=MAX_ALIASES, error=f"Give at most {MAX_ALIASES} aliases"),
    )
    date_of_birth = PastDate("Date of birth")
    nationality = Text("Nationality", "nationality")
    identity_documents = fields.List(
        fields.Nested(IdentityDocumentSchema),
        load_default=list,
        validate=validate.Length(max=MAX_DOCUMENTS, error=f"Give at most {MAX_DOCUMENTS} identity documents"),
    )
    pnc_id = PncId("The PNC ID", "pnc_id")

    @post_load
    def no_blank_aliases(self, data, **kwargs):
        data["aliases"] = [a for a in data.get("aliases") or [] if a]
        return data


class ConvictionSchema(Blanks):
    country = Text("The country of conviction", "country")
    offence = Text("The offence", "offence")
    date = PastDate("The conviction date")
    sentence = Text("The sentence", "sentence")


class OfficerSchema(Blanks):
    name = Text("The officer's name", "officer_name")
    force = Text("The officer's force", "force")
    email = Text("The officer's email address", "email")
    phone = Text("The officer's telephone number", "phone")

    @validates_schema(skip_on_field_errors=False)
    def contact(self, data, **kwargs):
        problems = {}
        if data.get("email") and not one_address(data["email"]):
            problems["email"] = ["Enter one email address for the officer, in the form name@example.com"]
        if data.get("phone") and not PHONE.fullmatch(data["phone"]):
            problems["phone"] = ["Enter a telephone number, like 020 7946 0000"]
        if problems:
            raise ValidationError(problems)


class ReferralSchema(Blanks):
    """What a referral carries (INT-1). Anything but a name or PNC ID may be absent (null)."""

    subject = fields.Nested(SubjectSchema, required=True, error_messages={"required": NAMES_NO_ONE})
    convictions = fields.List(
        fields.Nested(ConvictionSchema),
        load_default=list,
        validate=validate.Length(max=MAX_CONVICTIONS, error=f"Give at most {MAX_CONVICTIONS} convictions"),
    )
    interpol_check_outcome = Text("The i24/7 (Interpol) check outcome", "interpol_check_outcome")
    officer = fields.Nested(OfficerSchema, allow_none=True, load_default=None)
    request_reason = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(REQUEST_REASONS, error="Select the reason for the request: victim, witness or arrest"),
    )
    last_known_address = Text("The last known UK address", "last_known_address")
    received_at = fields.String(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "when ACRO's referral was received (a date or date-time); the moment it is "
            "recorded when absent"
        },
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def who_and_when(self, data, original, **kwargs):
        # a name given but refused (control characters) has its own message; this one is for none
        if (
            "subject" in data
            and not names_someone(data)
            and not names_someone(original if isinstance(original, dict) else {})
        ):
            raise ValidationError(NAMES_NO_ONE, "subject")
        received = data.get("received_at")
        if received:
            moment = _moment(received)
            if moment is None:
                raise ValidationError("The date the referral was received must be a real date", "received_at")
            if moment > datetime.now(UTC):
                raise ValidationError("The date the referral was received must be in the past", "received_at")

    @post_load
    def complete(self, data, **kwargs):
        """Every key present, absent ones as null or [], whichever channel it came by."""
        referral = empty_referral()
        for key, value in data.items():
            if isinstance(referral.get(key), dict) and isinstance(value, dict):
                referral[key].update(value)
            elif value is not None:
                referral[key] = value
        received = data.get("received_at")
        if received:
            # a date stays a date; a moment is kept in UTC
            referral["received_at"] = received.strip() if len(received.strip()) == 10 else _moment(received).isoformat()
        return referral


def _moment(text: str) -> datetime | None:
    """A date or an ISO date-time as an aware UTC moment (a date is its midnight)."""
    text = str(text).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class CertificateSchema(Blanks):
    """An ACRO certificate as it comes with a referral or later: its request purpose, and its
    text or a PDF of it (or both)."""

    request_purpose = Text("The request purpose", "request_purpose")
    content = Text("The certificate's text", "certificate_summary")
    filename = Text("The file name", "filename")
    file = fields.Raw(allow_none=True, load_default=None)

    @validates_schema
    def complete(self, data, **kwargs):
        problems = {}
        if not data.get("request_purpose"):
            problems["request_purpose"] = ["Enter the request purpose stated on the certificate"]
        content = data.get("file")
        if content is not None:
            if not isinstance(content, (bytes, bytearray)):
                problems["file"] = ["The certificate file must be a PDF"]
            elif len(content) > DEFAULT_MAX_ATTACHMENT_BYTES:
                problems["file"] = [
                    f"The certificate file must be smaller than {DEFAULT_MAX_ATTACHMENT_BYTES // (1024 * 1024)}MB"
                ]
            elif not is_pdf(content):
                problems["file"] = ["The certificate file must be a PDF"]
        elif not data.get("content"):
            problems["content"] = ["Enter the certificate's text or attach a PDF of it"]
        if problems:
            raise ValidationError(problems)


def load(referral: dict) -> dict:
    """The referral, validated and completed; ValidationError with messages per field."""
    return ReferralSchema().load(referral)


def load_certificate(certificate: dict) -> dict:
    return CertificateSchema().load(certificate)


def messages_by_path(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"subject.date_of_birth": [...], "convictions.0.date": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for k, v in messages_by_path(value, name).items():
                out.setdefault(k, []).extend(m for m in v if m not in out.get(k, []))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.setdefault(prefix or "referral", []).extend(messages)
        else:
            for item in messages:
                for k, v in messages_by_path(item, prefix).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "referral", []).append(str(messages))
    return out
