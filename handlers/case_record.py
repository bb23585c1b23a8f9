"""The case record (CID in the guidance): what the system writes on the case itself."""

from __future__ import annotations

from .correspondence import day, shown
from .reference import EXCLUSION_DECISIONS, is_eea_national
from .registry import registry

NON_DISCLOSABLE_NOTE = (
    "Non-disclosable ACRO certificate received: no further action can be taken "
    "until a disclosable certificate is obtained."
)


def _absent_referral_details(referral: dict) -> list[str]:
    """The INT-1 details the referral leaves out (aliases are optional by nature)."""
    subject = referral.get("subject") or {}
    officer = referral.get("officer") or {}
    expected = [
        ("name", subject.get("family_name") or subject.get("given_names")),
        ("date of birth", subject.get("date_of_birth")),
        ("nationality", subject.get("nationality")),
        ("ID or passport details", subject.get("identity_documents")),
        ("PNC ID", subject.get("pnc_id")),
        ("overseas convictions", referral.get("convictions")),
        ("i24/7 (Interpol) check outcome", referral.get("interpol_check_outcome")),
        ("requesting officer's contact details", officer.get("email") or officer.get("phone")),
        ("reason for the request", referral.get("request_reason")),
        ("last known UK address", referral.get("last_known_address")),
    ]
    return [label for label, value in expected if not value]


@registry.topic("case-record.record-referral")
def record_referral(data, *, case_store, settings):
    """Record the ACRO referral and set the process variables it decides (INT-1, INT-2).

    Details the referral leaves out are noted as absent, never filled in (INT-1).
    """
    referral = case_store.referral()
    case_store.add_note("ACRO referral received by email; actioned by CC Workflow")
    absent = _absent_referral_details(referral)
    if absent:
        case_store.add_note("Not provided in the referral: " + ", ".join(absent) + ".")
    nationality = (referral.get("subject") or {}).get("nationality")
    eea = is_eea_national(nationality, settings.get("eea_countries"))
    if eea is None:
        # routing, the detention power and the Stage 1 notice all turn on this (WF-5, DET-2, DEP-2)
        case_store.add_note(
            "Nationality not stated in the referral: EEA status must be checked. "
            "The case is treated as non-EEA until the nationality is confirmed."
        )
    return {
        "case_reference": case_store.reference,
        "eea_national": bool(eea),
        "left_uk": False,
        "wanted_marker": False,
        "further_offending_overseas": False,
        "pending_prosecution": False,
        "police_continue_prosecution": False,
    }


@registry.topic("case-record.create")
def create(data, *, case_store):
    """Create or find the subject's record and add the overseas convictions (WF-4).

    The same person referred twice is one subject (the store matches on PNC ID, or on name,
    date of birth and nationality). Only a disclosable certificate may be the basis (WF-3).
    """
    if data.get("certificate_disclosable") is not True:
        raise ValueError(
            "case-record.create needs a disclosable ACRO certificate (certificate_disclosable is not True; WF-3, WF-4)"
        )
    subject, created = case_store.find_or_create_subject()
    added = case_store.record_convictions()
    case_store.add_calendar_event("CC - ACRO Referral", "Completed")
    who = (
        "Case record created for a new subject"
        if created
        else f"Case linked to the existing subject record {subject['id']} (referred before)"
    )
    case_store.add_note(
        f"{who}; {added} new overseas conviction(s) recorded. Calendar event 'CC - ACRO Referral' completed."
    )
    return {"subject_id": subject["id"], "subject_existing": not created}


@registry.topic("case-record.create-paper-file")
def create_paper_file(data, *, case_store):
    """Create the Home Office paper file (WF-4)."""
    reference = case_store.create_paper_file()
    case_store.add_note(f"Home Office paper file {reference} created.")
    return {"paper_file_reference": reference}


@registry.topic("case-record.refer-to-team")
def refer_to_team(data, *, case_store):
    """Refer the case to the CC team the routing decision chose (WF-5)."""
    team = data.get("cc_team")
    if not team:
        raise ValueError("case-record.refer-to-team needs cc_team from the cc_team_routing decision")
    case_store.assign_team(team)
    case_store.add_note(f"Case referred to {team}.")


@registry.topic("case-record.note-non-disclosable")
def note_non_disclosable(data, *, case_store):
    """Note that the certificate cannot be used and the case must wait (WF-2, WF-3)."""
    case_store.add_note(NON_DISCLOSABLE_NOTE)
    if data.get("disclosability_reason"):
        case_store.add_note(f"Why the certificate is not disclosable: {data['disclosability_reason']}")


@registry.topic("case-record.close-left-uk")
def close_left_uk(data, *, case_store):
    """Note that NBTC confirms the FNO left the UK (CW-2), with any exclusion decision (CW-3).
    The outcome and the closing are the end event's (its case_outcome and case_state)."""
    departed = f" on {day(data['departure_date'])}" if data.get("departure_date") else ""
    note = f"NBTC check confirms the FNO left the UK{departed}."
    decision = data.get("exclusion_decision")
    if decision:
        label = EXCLUSION_DECISIONS.get(decision, decision)
        note += (
            f" Exclusion considered with a senior caseworker: {label}. Reasons: {shown(data.get('exclusion_reasons'))}"
        )
    case_store.add_note(note)


@registry.topic("case-record.record-wanted-missing")
def record_wanted_missing(data, *, case_store):
    """Record that the FNO cannot be located; the case sleeps until they are (CW-6). The
    outcome and the dormant state are this step's case_outcome and case_state in the diagram."""
    details = f" Details: {data['location_details']}" if data.get("location_details") else ""
    case_store.add_note(
        "ICE tasking: unable to locate the FNO, or all avenues to detain exhausted. "
        f"Case dormant until the FNO is located.{details}"
    )


@registry.topic("case-record.record-located")
def record_located(data, *, case_store):
    """The FNO is found: the case is no longer dormant, its wanted/missing outcome no longer
    holds, and a case owner is allocated next (CW-6, CW-7)."""
    case_store.reopen()
    details = f" Details: {data['location']}" if data.get("location") else ""
    case_store.add_note(f"The FNO has been located; the case is open again.{details}")


@registry.topic("case-record.record-non-detained")
def record_non_detained(data, *, case_store):
    """Manage the FNO on a non-detained basis (DET-4), saying why detention was not possible (DET-1),
    with the detention power decided (DET-2, DET-3)."""
    case_store.set_custody("not_detained", data.get("detention_power"))
    if data.get("suitable_for_detention") is False:
        why = "The FNO is not suitable for detention."
    else:
        # a person at liberty and suitable comes here only from the DET-1 guard
        why = (
            "The overseas convictions are not recorded on the PNC and no ACRO certificate marked "
            "for immigration/deportation is held, so the FNO must not be detained (DET-1)."
        )
    case_store.add_note(f"Managed on a non-detained basis. {why} Reasons: {shown(data.get('detention_reasons'))}")
    return {"custody_status": "not_detained"}
