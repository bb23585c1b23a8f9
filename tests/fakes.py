"""In-memory adapters for handler tests: the same interface as the real ones, recording what
they were asked so a test can check the effect without a database or a mail server."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from adapters import pdf
from casework import outbox, subjects


def make_referral(**overrides) -> dict:
    """A complete referral; pass ``subject={...}`` or any top-level key to change it."""
    referral = {
        "subject": {
            "family_name": "Żółć",
            "given_names": "Łukasz",
            "aliases": ["Lukas Zolc"],
            "date_of_birth": "1990-03-12",
            "nationality": "Poland",
            "identity_documents": [{"type": "Passport", "number": "EA1234567", "issuing_country": "Poland"}],
            "pnc_id": "12/345678A",
        },
        "convictions": [
            {"country": "Poland", "offence": "Robbery", "date": "2015-06-01", "sentence": "4 years"},
            {"country": "Germany", "offence": "Assault", "date": "2018-02-11", "sentence": "18 months"},
        ],
        "interpol_check_outcome": "No trace",
        "officer": {
            "name": "DC Jane Smith",
            "force": "Kent Police",
            "email": "jane.smith@kent.police.example",
            "phone": "01622 000000",
        },
        "request_reason": "arrest",
        "last_known_address": "1 High Street, Maidstone ME14 1AA",
        "received_at": "2026-01-02T10:15:00+00:00",
    }
    subject = overrides.pop("subject", None)
    if subject is not None:
        referral["subject"] = {**referral["subject"], **subject}
    referral.update(overrides)
    return referral


def make_settings(**overrides) -> dict:
    settings = {
        "addresses": {
            "acro": "referrals@acro.police.example",
            "pnc_bureau": "pnc-bureau@police.example",
            "nbtc": "nbtc@homeoffice.example",
            "ice": "ice-tasking@homeoffice.example",
            "removals": "removals-casework@homeoffice.example",
            "cc_director": "cc-director@homeoffice.example",
            "post_deportation": ["post-deportation@homeoffice.example", "acro-updates@acro.police.example"],
        },
        "restricted_steps": {},
        "contact": {
            "team": "Criminal Casework, Home Office",
            "email": "cc-team@homeoffice.example",
            "phone": "020 7946 0123",
            "postal_address": "Criminal Casework\nPO Box 99\nLondon\nSW1A 2AA",
        },
        "base_url": "https://casework.homeoffice.example",
    }
    settings.update(overrides)
    return settings


class FakeCaseStore:
    """One case. ``subjects`` is the subject index, shared between stores to model repeat referrals."""

    def __init__(
        self,
        referral: dict | None = None,
        *,
        reference: str = "ACRO-2026-000012",
        certificate: dict | None = None,
        subjects: list | None = None,
    ):
        self.reference = reference
        self._referral = referral if referral is not None else make_referral()
        self._certificate = copy.deepcopy(certificate)
        self.subjects = subjects if subjects is not None else []
        self.subject: dict | None = None
        self.notes: list[str] = []
        self.calendar_events: list[tuple[str, str]] = []
        self.status = {"stage": None, "outcome": None, "state": "open"}
        self.team: str | None = None
        self.paper_files: list[str] = []
        self.marker: str | None = None
        self.custody: str | None = None
        self.detention_power: str | None = None
        self.deadlines: dict = {}

    def referral(self) -> dict:
        return copy.deepcopy(self._referral)

    def subject_name(self) -> str:
        subject = self._referral.get("subject") or {}
        parts = [subject.get("given_names"), (subject.get("family_name") or "").upper() or None]
        return " ".join(p for p in parts if p) or "Unknown subject"

    def _same_person(self, details: dict) -> dict | None:
        # the order and the keys of casework.subjects.find_same_person, over dicts
        pnc_id = subjects.pnc_key(details)
        for known in self.subjects if pnc_id else ():
            if known["pnc_id"] == pnc_id:
                return known
        key = subjects.identity_key(
            details.get("family_name"),
            details.get("given_names"),
            details.get("date_of_birth"),
            details.get("nationality"),
        )
        if not key:
            return None
        for known in self.subjects:
            if known["search_key"] == key:
                return known
        name = subjects.name_key(details.get("family_name"), details.get("given_names"))
        for known in self.subjects:
            if (
                name in known["alias_keys"]
                and known["date_of_birth"] == details.get("date_of_birth")
                and subjects.normalise(known["nationality"]) == subjects.normalise(details.get("nationality"))
            ):
                return known
        return None

    def _update(self, known: dict, details: dict) -> None:
        for attr in ("family_name", "given_names", "date_of_birth", "nationality"):
            if details.get(attr) and not known.get(attr):
                known[attr] = details[attr]
        if subjects.pnc_key(details) and not known.get("pnc_id"):
            known["pnc_id"] = subjects.pnc_key(details)
        known["search_key"] = subjects.identity_key(
            known["family_name"], known["given_names"], known["date_of_birth"], known["nationality"]
        )
        own = subjects.name_key(known["family_name"], known["given_names"])
        for alias in subjects.referred_names(details):
            key = subjects.normalise(alias)
            if key and key != own and key not in known["alias_keys"]:
                known["aliases"].append(alias)
                known["alias_keys"].add(key)

    def find_or_create_subject(self) -> tuple[dict, bool]:
        details = self._referral.get("subject") or {}
        known = self._same_person(details)
        created = known is None
        if created:
            known = {
                "id": len(self.subjects) + 1,
                "convictions": [],
                "aliases": [],
                "alias_keys": set(),
                "family_name": None,
                "given_names": None,
                "date_of_birth": None,
                "nationality": None,
                "pnc_id": None,
            }
            self.subjects.append(known)
        self._update(known, details)
        self.subject = known
        return {
            k: known[k]
            for k in ("id", "family_name", "given_names", "date_of_birth", "nationality", "pnc_id", "aliases")
        }, created

    def record_convictions(self) -> int:
        if self.subject is None:
            raise RuntimeError("record the subject before the convictions")
        known = {(c["country"], c["offence"], c["date"]) for c in self.subject["convictions"]}
        added = 0
        for conviction in self._referral.get("convictions") or []:
            key = (conviction.get("country"), conviction.get("offence"), conviction.get("date"))
            if key not in known:
                self.subject["convictions"].append(dict(conviction))
                known.add(key)
                added += 1
        return added

    def add_calendar_event(self, event_type: str, status: str) -> None:
        self.calendar_events.append((event_type, status))

    def add_note(self, text: str) -> None:
        self.notes.append(text)

    def set_status(self, stage=None, outcome=None, state=None) -> None:
        if state not in (None, "open", "dormant", "closed"):
            raise ValueError(f"case state {state!r} is not open, dormant or closed")
        for key, value in (("stage", stage), ("outcome", outcome), ("state", state)):
            if value is not None:
                self.status[key] = value

    def reopen(self) -> None:
        self.status.update(state="open", outcome=None)

    def assign_team(self, team: str) -> None:
        self.team = team

    def create_paper_file(self) -> str:
        if not self.paper_files:
            self.paper_files.append(f"HO-{self.reference}")
        return self.paper_files[0]

    def set_marker(self, status: str) -> None:
        self.marker = status

    def set_custody(self, status: str, detention_power: str | None = None) -> None:
        self.custody = status
        if detention_power is not None:
            self.detention_power = detention_power

    def set_deadline(self, kind: str, due_at) -> None:
        self.deadlines[kind] = due_at

    def certificate(self) -> dict | None:
        if self._certificate is None:
            return None
        return {k: self._certificate.get(k) for k in ("request_purpose", "received_at", "status")}

    def certificate_content(self):
        """What a test can use to prove destruction: the content, or None once destroyed."""
        return None if self._certificate is None else self._certificate.get("content")

    def destroy_certificate(self) -> None:
        if self._certificate and self._certificate.get("status") == "held":
            self._certificate.update(content=None, request_purpose=None, status="destroyed")


class FakeMailer:
    """Records each email; refuses what the real outbox refuses (no, malformed or unknown recipients)."""

    def __init__(self, allowed=None):
        # by default, every address the fake settings and referrals give
        settings, referral = make_settings(), make_referral()
        self.allowed = (
            allowed
            if allowed is not None
            else outbox.allowed_recipients(SimpleNamespace(referral=referral), settings["addresses"])
        )
        self.sent: list[dict] = []

    def send(self, to, subject, body, attachments=(), kind=""):
        recipients = outbox.check_recipients(subject, to, self.allowed)
        self.sent.append(
            {"to": recipients, "subject": subject, "body": body, "attachments": list(attachments), "kind": kind}
        )


class FakeDocuments:
    """Records each document; with ``render=True`` also renders it through adapters.pdf."""

    def __init__(self, case_store, clock, render: bool = False):
        self.case_store = case_store
        self.clock = clock
        self.render = render
        self.created: list[dict] = []

    def create(self, kind: str, title: str, sections) -> dict:
        document = {
            "id": len(self.created) + 1,
            "kind": kind,
            "title": title,
            "filename": f"{self.case_store.reference}-{len(self.created) + 1}.pdf",
        }
        record = {**document, "sections": list(sections)}
        if self.render:
            record["pdf"] = pdf.render(
                title, self.case_store.reference, self.case_store.subject_name(), list(sections), self.clock.now()
            )
        self.created.append(record)
        return document

    def section(self, index: int, heading: str) -> str:
        """The text under ``heading`` in the ``index``th document created."""
        matches = [text for h, text in self.created[index]["sections"] if h == heading]
        if not matches:
            raise AssertionError(f"no section {heading!r} in {self.created[index]['kind']}")
        return matches[0]


class FakeProcessData:
    """The workflow's task data, as plain dicts, for erase."""

    def __init__(self, task_data: list[dict] | None = None):
        self.task_data = task_data if task_data is not None else []
        self.erased: list[str] = []

    def erase(self, keys) -> None:
        keys = list(keys)
        self.erased.extend(keys)
        for data in self.task_data:
            for key in keys:
                data.pop(key, None)


class RecordingQueue:
    """The worker's queue: records each job instead of sending it to a broker."""

    def __init__(self):
        self.jobs: list[tuple] = []

    def continue_case(self, reference: str, on_behalf_of: str) -> None:
        self.jobs.append(("continue_case", reference, on_behalf_of))

    def dispatch_outbox(self) -> None:
        self.jobs.append(("dispatch_outbox",))

    def run_scenarios(self, run_id: int) -> None:
        self.jobs.append(("run_scenarios", run_id))
