"""What every email and form the handlers send has in common.

Each disclosure states the case reference, the subject and the purpose it serves (FD-1),
and shows a missing detail as "Not provided" rather than leaving a gap a reader might fill
in (INT-1). The handlers say what is asked and which details go; this module says how.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NOT_PROVIDED = "Not provided"

# the purpose ACRO sought the data for; any other use needs a new legal basis (FD-1)
PURPOSE = (
    "consideration of deportation action against a foreign national offender with "
    "overseas convictions referred by ACRO (immigration/deportation purposes only)"
)

# the same purpose, as a sentence for a form's "Purpose" section
PURPOSE_SENTENCE = PURPOSE[:1].upper() + PURPOSE[1:] + "."

FRAMEWORK_DECISION_WARNING = (
    "This message contains personal data obtained through ACRO, including data exchanged "
    "under Council Framework Decision 2009/315/JHA. Use it only for the purpose stated above "
    "and do not pass it on for any other purpose."
)

SIGNATURE = "Criminal Casework\nHome Office"

# dates a person must act by are UK dates, whatever the server's zone
_UK = ZoneInfo("Europe/London")


class MissingAddress(LookupError):
    """A party's email address is not configured; an address is never guessed."""


def shown(value) -> str:
    """A value as a reader sees it: absent values are said to be absent (INT-1)."""
    if value is None or value == "" or value == [] or value == ():
        return NOT_PROVIDED
    if isinstance(value, (list, tuple)):
        return "; ".join(shown(item) for item in value)
    return str(value)


def long_date(moment: datetime) -> str:
    """'26 January 2026' (GOV.UK style), in UK time."""
    if moment.tzinfo is None:  # stored times are UTC; a naive one must not take the server's zone
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(_UK)
    return f"{local.day} {local:%B %Y}"


def day(value) -> str:
    """A date the referral or a form gives ('1990-03-12') as GOV.UK writes it ('12 March 1990');
    anything that is not an ISO date is shown as it came."""
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            return shown(value)
        return f"{parsed.day} {parsed:%B %Y}"
    return shown(value)


def contact(settings: dict) -> dict:
    """The CC team's contact details (settings: CC_TEAM_NAME, CC_TEAM_EMAIL, ...)."""
    details = settings.get("contact") or {}
    missing = [key for key in ("team", "email", "phone", "postal_address") if not details.get(key)]
    if missing:
        raise MissingAddress(f"the CC team's contact details lack {', '.join(missing)} (settings['contact'])")
    return details


def contact_text(settings: dict) -> str:
    """Who to contact at CC, as a form or a notice gives it."""
    details = contact(settings)
    return (
        f"{details['team']}\nEmail: {details['email']}\nTelephone: {details['phone']}\n"
        f"Post:\n{details['postal_address']}"
    )


def case_link(settings: dict, reference: str) -> str:
    """Where the case is opened in the app (settings: ACRO_BASE_URL)."""
    base = (settings.get("base_url") or "").rstrip("/")
    if not base:
        raise MissingAddress("the app's address is not configured (settings['base_url'], ACRO_BASE_URL)")
    return f"{base}/cases/{reference}"


def referral_date(case_store) -> str:
    """When ACRO's referral arrived, as a reader at ACRO would look it up."""
    received = case_store.referral().get("received_at")
    if not received:
        return NOT_PROVIDED
    return long_date(datetime.fromisoformat(received))


class MissingWording(LookupError):
    """The diagram does not give a step the text its email needs; the text is never made up."""


def worded(wording: dict, name: str) -> str:
    """Text the diagram gives the step (an extension property the analysts write)."""
    text = (wording.get(name) or "").strip()
    if not text:
        raise MissingWording(f"the diagram gives this step no {name!r} (an extension property on the service task)")
    return text


def address(settings: dict, party: str) -> str:
    try:
        value = settings["addresses"][party]
    except KeyError:
        raise MissingAddress(
            f"no email address is configured for {party!r} (settings['addresses'][{party!r}])"
        ) from None
    if not value:
        raise MissingAddress(f"the email address configured for {party!r} is empty")
    return value


def identifiers(case_store, *, documents: bool = False, last_address: bool = False) -> list[tuple[str, str]]:
    """Who the subject is, and nothing more unless asked: each party gets what it needs."""
    subject = case_store.referral().get("subject") or {}
    details = [
        ("Name", case_store.subject_name()),
        ("Aliases", shown(subject.get("aliases"))),
        ("Date of birth", day(subject.get("date_of_birth"))),
        ("Nationality", shown(subject.get("nationality"))),
        ("PNC ID", shown(subject.get("pnc_id"))),
    ]
    if documents:
        details.append(("Identity documents", identity_documents_text(subject.get("identity_documents"))))
    if last_address:
        details.append(("Last known UK address", shown(case_store.referral().get("last_known_address"))))
    return details


def identity_documents_text(documents) -> str:
    if not documents:
        return NOT_PROVIDED
    return "; ".join(
        f"{shown(d.get('type'))} {shown(d.get('number'))} issued by {shown(d.get('issuing_country'))}"
        for d in documents
    )


def convictions_text(referral: dict) -> str:
    convictions = referral.get("convictions") or []
    if not convictions:
        return "No overseas convictions are recorded in the referral."
    return "\n".join(
        f"{day(c.get('date'))}, {shown(c.get('country'))}: {shown(c.get('offence'))}"
        f" (sentence: {shown(c.get('sentence'))})"
        for c in convictions
    )


def details_text(details) -> str:
    """Label: value lines; a value over several lines starts on the next line."""
    lines = []
    for label, value in details:
        value = shown(value)
        lines.append(f"{label}:\n{value}" if "\n" in value else f"{label}: {value}")
    return "\n".join(lines)


def subject_line(case_store, text: str) -> str:
    return f"{case_store.reference}: {text}"


def body(case_store, *, greeting: str, request: str, purpose: str = PURPOSE, details=()) -> str:
    parts = [
        f"Dear {greeting},",
        f"Case reference: {case_store.reference}\nSubject: {case_store.subject_name()}",
        request,
        f"Purpose of this disclosure: {purpose}.",
    ]
    if details:
        parts.append(details_text(details))
    parts += [FRAMEWORK_DECISION_WARNING, f"Please quote {case_store.reference} in any reply.", SIGNATURE]
    return "\n\n".join(parts) + "\n"


def send(
    mailer,
    case_store,
    *,
    to,
    greeting: str,
    subject: str,
    request: str,
    kind: str,
    details=(),
    purpose: str = PURPOSE,
    attachments=(),
) -> None:
    """Put one email in the case's outbox, written the one way all our emails are written."""
    recipients = [to] if isinstance(to, str) else list(to)
    mailer.send(
        recipients,
        subject_line(case_store, subject),
        body(case_store, greeting=greeting, request=request, purpose=purpose, details=details),
        attachments=list(attachments),
        kind=kind,
    )
