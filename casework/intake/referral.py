"""What a referral carries (INT-1), in one place for the email layout and the JSON API.

A referral is a plain dict (stored as the case's ``referral``)::

    {"subject": {"family_name", "given_names", "aliases": [...], "date_of_birth",
                 "nationality", "identity_documents": [{"type", "number", "issuing_country"}],
                 "pnc_id"},
     "convictions": [{"country", "offence", "date", "sentence"}],
     "interpol_check_outcome", "officer": {"name", "force", "email", "phone"},
     "request_reason" (victim, witness or arrest), "last_known_address"}

Any value may be absent (None, or an empty list); nothing is filled in for it (INT-1).
"""
from __future__ import annotations

import re
from datetime import date

REQUEST_REASONS = ("victim", "witness", "arrest")

# the longest value each place keeps (the subject record's columns); longer is refused, never cut
LIMITS = {
    "family_name": 200, "given_names": 200, "alias": 300, "nationality": 100, "pnc_id": 40,
    "document_type": 100, "document_number": 100, "issuing_country": 100,
    "country": 100, "offence": 2000, "sentence": 2000,
    "interpol_check_outcome": 2000, "officer_name": 200, "force": 200, "email": 320, "phone": 50,
    "last_known_address": 1000, "request_purpose": 1000, "certificate_summary": 10000, "filename": 200,
}

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def default_max_message(max_attachment: int) -> int:
    """The largest whole message read: the attachment in base64 (4/3 of it, with line ends) and a megabyte
    for the body and headers (15 MB for a 10 MB attachment)."""
    return int(max_attachment * 1.4) + 1024 * 1024

# control characters (but tab and line ends) and lone surrogates: no person writes them, and
# no database keeps them all (PostgreSQL refuses NUL), so a value with them is refused
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def empty_referral() -> dict:
    return {
        "subject": {"family_name": None, "given_names": None, "aliases": [], "date_of_birth": None,
                    "nationality": None, "identity_documents": [], "pnc_id": None},
        "convictions": [],
        "interpol_check_outcome": None,
        "officer": {"name": None, "force": None, "email": None, "phone": None},
        "request_reason": None,
        "last_known_address": None,
    }


def names_someone(referral: dict) -> bool:
    """A referral must say who it is about: a name or a PNC ID (everything else may be absent)."""
    subject = referral.get("subject") or {}
    return any((subject.get(key) or "").strip() for key in ("family_name", "given_names", "pnc_id"))


NAMES_NO_ONE = "the referral names no one: give the subject's family name, given names or PNC ID"


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
