"""Immigration Compliance and Enforcement: locating and detaining the FNO."""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry

GREETING = "ICE tasking and detention gatekeeper"


def _whereabouts(case_store, data) -> list[tuple[str, str]]:
    """Where ICE should look: the address the case owner recorded, else the referral's."""
    if data.get("current_address"):
        return [("Current address", data["current_address"])]
    return [("Last known UK address", mail.shown(case_store.referral().get("last_known_address")))]


def _case_for_ice(case_store, data) -> list[tuple[str, str]]:
    return [
        *mail.identifiers(case_store, documents=True),
        *_whereabouts(case_store, data),
        ("Overseas convictions", mail.convictions_text(case_store.referral())),
    ]


@registry.topic("ice.refer-for-tasking", wording=("email_subject", "email_request"))
def refer_for_tasking(data, *, case_store, mailer, settings, wording):
    """Refer the case to ICE through the tasking and detention gatekeeper processes (CW-5, FD-1).

    What the email asks is the diagram's (the step's ``email_subject`` and ``email_request``
    properties); this says only which details go and to whom."""
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "ice"),
        greeting=GREETING,
        subject=mail.worded(wording, "email_subject"),
        request=mail.worded(wording, "email_request"),
        details=_case_for_ice(case_store, data),
        kind="ICE tasking referral",
    )
    case_store.add_note("Case referred to ICE for tasking.")


@registry.topic("ice.request-detention")
def request_detention(data, *, case_store, mailer, settings):
    """Ask ICE to detain the FNO at liberty (DET-2, DET-3, FD-1), under the power the decision
    chose. DET-1 is the guard gateway before this step; the email says which of its two grounds
    holds, never one that does not. The FNO counts as detained only once the case owner records
    that ICE did (DET-4): asking is not detaining."""
    if data.get("suitable_for_detention") is False:
        raise ValueError("detention refused: the FNO was found unsuitable for detention (DET-4)")
    power = data.get("detention_power")
    if not power:
        raise ValueError("detention refused: no detention power was decided (detention_power; DET-2, DET-3)")
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "ice"),
        greeting=GREETING,
        subject="Request to detain under immigration powers",
        request=(
            f"Please detain the subject below under {power}. The overseas convictions can be "
            f"disclosed for immigration purposes: {_usable_because(data)}."
        ),
        details=[
            *_case_for_ice(case_store, data),
            ("Detention power", power),
            ("Reasons for detention", data.get("detention_reasons")),
        ],
        kind="ICE detention request",
    )
    case_store.add_note(f"ICE asked to detain the FNO under {power}; to be recorded once ICE confirms.")


def _usable_because(data) -> str:
    """The DET-1 ground(s) the process recorded, in words."""
    grounds = []
    if data.get("offences_on_pnc") is True:
        grounds.append("they are recorded on the PNC")
    if data.get("held_certificate_purpose") == "immigration_deportation":
        grounds.append("an ACRO certificate marked for immigration/deportation purposes is held")
    if not grounds:
        # the DET-1 guard lets no case through without one: reaching here is a wiring fault
        raise ValueError("detention refused: neither DET-1 ground holds (offences_on_pnc, held_certificate_purpose)")
    return ", and ".join(grounds)


@registry.topic("ice.request-detention-after-decision")
def request_detention_after_decision(data, *, case_store, mailer, settings):
    """DEP-5: not detained, deportation decided, address known, no in-country right of appeal;
    the DET-1 guard gateway of the deportation stage let the case through (FD-1)."""
    # the gateway checks these; reaching here without them is a wiring fault, so fail loudly
    if data.get("address_known") is not True or data.get("in_country_right_of_appeal") is not False:
        raise ValueError(
            "ice.request-detention (DEP-5) needs address_known == True and in_country_right_of_appeal == False"
        )
    decided = (
        "A decision to deport the subject has been made"
        if data["deportation_decision"] == "deport"
        else "The CC Director has decided that deportation of the subject is to be pursued"
    )
    power = data.get("detention_power")
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "ice"),
        greeting="Local ICE team",
        subject="Request to detain: decision to deport made",
        request=(
            f"{decided}. The subject is not detained, the address is known and there is no "
            f"in-country right of appeal, and the convictions can be used: {_usable_because(data)}. "
            "Please detain the subject" + (f" under {power}" if power else "") + " pending deportation."
        ),
        details=[*_case_for_ice(case_store, data), ("Detention power", power)],
        kind="ICE detention request (deportation)",
    )
    case_store.add_note(
        "Local ICE team asked to detain the FNO: decision to deport made, not detained, "
        "address known and no in-country right of appeal."
    )
    return {"detention_requested": True}
