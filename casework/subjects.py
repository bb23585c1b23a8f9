"""Who is the same person: the same PNC ID, or the same name, date of birth and nationality."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from .models import Alias, Subject


def display_name(referral: dict | None) -> str:
    """ "Given FAMILY" as the referral gives it, or "Unknown subject"."""
    subject = (referral or {}).get("subject") or {}
    family = subject.get("family_name") if isinstance(subject.get("family_name"), str) else None
    given = subject.get("given_names") if isinstance(subject.get("given_names"), str) else None
    return " ".join(p for p in (given, (family or "").upper() or None) if p) or "Unknown subject"


def normalise(text: str | None) -> str:
    """Case, accents and spacing do not make a different person."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def name_key(family_name, given_names) -> str:
    return normalise(f"{given_names or ''} {family_name or ''}")


def identity_key(family_name, given_names, date_of_birth, nationality) -> str | None:
    """The matching key, or None when a part is missing (then only the PNC ID can match)."""
    if not (family_name and date_of_birth and nationality):
        return None
    return "|".join([name_key(family_name, given_names), date_of_birth, normalise(nationality)])


def pnc_key(details: dict) -> str:
    return (details.get("pnc_id") or "").strip().upper()


def referred_names(details: dict) -> list[str]:
    """The names a referral gives the subject: as referred, then each alias."""
    referred_as = " ".join(p for p in (details.get("given_names"), details.get("family_name")) if p)
    return [referred_as, *(details.get("aliases") or [])]


def find_same_person(session, details: dict) -> Subject | None:
    """The subject the referral is about, if already known: by PNC ID first, then by name,
    date of birth and nationality, then by a name they were known by before (an alias)."""
    pnc_id = pnc_key(details)
    if pnc_id:
        found = session.scalars(select(Subject).where(Subject.pnc_id == pnc_id)).first()
        if found:
            return found
    key = identity_key(
        details.get("family_name"), details.get("given_names"), details.get("date_of_birth"), details.get("nationality")
    )
    if not key:
        return None
    found = session.scalars(select(Subject).where(Subject.search_key == key)).first()
    if found:
        return found
    # a name the subject was recorded under before (kept as an alias) counts as theirs
    name = name_key(details.get("family_name"), details.get("given_names"))
    for subject in session.scalars(select(Subject).join(Alias).where(Alias.search_key == name)):
        if subject.date_of_birth == details.get("date_of_birth") and normalise(subject.nationality) == normalise(
            details.get("nationality")
        ):
            return subject
    return None


def find_or_create(session, details: dict) -> tuple[Subject, bool, bool]:
    """The subject, whether it is new, and whether the names it is known by changed (then the
    search columns of its other cases need refreshing, ``refresh_search``)."""
    subject = find_same_person(session, details)
    created = subject is None
    if created:
        subject = Subject()
        session.add(subject)
    before = _known_names(subject)
    update(subject, details)
    return subject, created, _known_names(subject) != before


def _known_names(subject: Subject) -> tuple:
    return (subject.family_name, subject.given_names, subject.pnc_id, tuple(a.search_key for a in subject.aliases))


def update(subject: Subject, details: dict) -> None:
    """Fill in what the record lacks; a different name becomes an alias, never a replacement."""
    for attr in ("family_name", "given_names", "date_of_birth", "nationality"):
        if details.get(attr) and not getattr(subject, attr):
            setattr(subject, attr, details[attr])
    if pnc_key(details) and not subject.pnc_id:
        subject.pnc_id = pnc_key(details)
    subject.search_key = identity_key(
        subject.family_name, subject.given_names, subject.date_of_birth, subject.nationality
    )
    documents = list(subject.identity_documents or [])
    for doc in details.get("identity_documents") or []:
        if doc not in documents:
            documents.append(doc)
    subject.identity_documents = documents
    known = {alias.search_key for alias in subject.aliases}
    known.add(name_key(subject.family_name, subject.given_names))
    for alias in referred_names(details):
        key = normalise(alias)
        if key and key not in known:
            subject.aliases.append(Alias(name=alias, search_key=key))
            known.add(key)


def _referral_names(referral: dict) -> list[str]:
    subject = (referral or {}).get("subject") or {}
    names = [name_key(subject.get("family_name"), subject.get("given_names"))]
    names += [normalise(alias) for alias in subject.get("aliases") or [] if isinstance(alias, str)]
    if isinstance(subject.get("pnc_id"), str):
        names.append(normalise(subject["pnc_id"]))
    return names


def search_fields(referral: dict, subject: Subject | None = None) -> dict:
    """The columns of a case a search reads: every name and PNC ID the referral gives and,
    once the subject is recorded, every name and alias they are known by from other
    referrals too; one text column, so that one (trigram) index serves every search."""
    names = _referral_names(referral)
    if subject is not None:
        names.append(name_key(subject.family_name, subject.given_names))
        names += [alias.search_key for alias in subject.aliases]
        if subject.pnc_id:
            names.append(normalise(subject.pnc_id))
    subject_details = (referral or {}).get("subject") or {}
    pnc_id = subject_details.get("pnc_id")
    return {
        "search_names": " | ".join(dict.fromkeys(n for n in names if n)),
        "referred_pnc_id": pnc_id.strip().upper() if isinstance(pnc_id, str) and pnc_id.strip() else None,
        "referred_date_of_birth": subject_details.get("date_of_birth") or None,
    }


def refresh_search(session, subject: Subject, *also, stored: bool = True) -> None:
    """A subject's cases find each other's names: refresh their search columns (of ``also``,
    cases just given the subject, and unless ``stored`` is false, of the cases stored with it:
    only needed when its names changed, since a repeat offender's every case would be read)."""
    from .models import Case

    theirs = (
        session.scalars(select(Case).where(Case.subject_id == subject.id)) if stored and subject.id is not None else []
    )
    for case in dict.fromkeys([*theirs, *also]):
        case.search_names = search_fields(case.referral, subject)["search_names"]
