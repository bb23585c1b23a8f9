"""The ACRO certificate held with the case."""

from __future__ import annotations

from .registry import registry

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
