"""The ACRO certificate held with the case."""

from __future__ import annotations

import re

from .reference import CERTIFICATE_PURPOSE_IMMIGRATION
from .registry import registry

# the request purposes ACRO prints on a certificate, as the process names them; anything
# else it may say is "other" (WF-1, WF-3)
REQUEST_PURPOSES = {
    CERTIFICATE_PURPOSE_IMMIGRATION.casefold(): "immigration_deportation",
    "criminal proceedings": "criminal_proceedings",
}

# wherever a form or message may have put the certificate's content in the workflow data
CERTIFICATE_KEYS = ["certificate", "certificate_text", "certificate_content"]


@registry.topic("certificate.destroy")
def destroy(data, *, case_store, process_data):
    """Destroy a non-disclosable certificate (WF-2).

    Its content goes from the case record, its stored documents, the referral email it came in
    and every task's data; only the fact of the destruction stays (in this note and the audit trail).
    """
    held = case_store.certificate()
    case_store.destroy_certificate()
    process_data.erase(CERTIFICATE_KEYS)
    if held is None or held.get("status") != "held":
        # a retry after a failure, or a message that never stored one: nothing to claim destroyed
        case_store.add_note("No ACRO certificate content was held; certificate data erased from the workflow data.")
    else:
        case_store.add_note(
            "Non-disclosable ACRO certificate destroyed: its content has been removed "
            "from the case record, its documents and the workflow data."
        )


def _purpose_code(text: str | None) -> str:
    """The recorded request purpose as the process names it: typed text varies in case,
    spacing and a trailing full stop, none of which changes what was asked for."""
    plain = re.sub(r"\s*/\s*", "/", " ".join((text or "").split())).casefold().rstrip(".")
    return REQUEST_PURPOSES.get(plain, "other")


@registry.topic("certificate.read-held")
def read_held(data, *, case_store):
    """The request purpose recorded on the certificate held, for the disclosability decision
    and the DET-1 guards (WF-1, WF-3, DET-1): ``none`` when no certificate is held."""
    held = case_store.certificate()
    if held is None or held.get("status") != "held":
        return {"held_certificate_purpose": "none"}
    return {"held_certificate_purpose": _purpose_code(held.get("request_purpose"))}
