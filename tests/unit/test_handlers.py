import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from engine.clock import FakeClock
from handlers import correspondence
from handlers.reference import EEA_COUNTRIES, is_eea_national
from handlers.registry import load_all
from tests.fakes import FakeCaseStore, FakeDocuments, FakeMailer, FakeProcessData, make_referral, make_settings

# what the diagram records (case_outcome, case_state), not the handler: a handler leaves them
UNTOUCHED = {"stage": None, "outcome": None, "state": "open"}
REFERENCE = "ACRO-2026-000012"
NAME = "Łukasz ŻÓŁĆ"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LIABILITY = "Stage 1 Liability to Deportation Notice"
DECISION = "Stage 1 Decision Notice"
GROUNDS = "Because of these convictions the Secretary of State is considering whether to deport you."
REG_24 = "regulation 24(1) of the Immigration (European Economic Area) Regulations 2006"


def diagram_wording(topic: str) -> dict:
    """The extension properties the project's diagrams give the service task of ``topic``: the
    wording a handler sends, as the engine would pass it."""
    camunda = "{http://camunda.org/schema/1.0/bpmn}"
    for path in sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn")):
        for task in etree.parse(str(path)).iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}serviceTask"):
            if task.get(f"{camunda}topic") == topic:
                return {prop.get("name"): prop.get("value") for prop in task.iter(f"{camunda}property")}
    return {}


class Case:
    """One case with fake adapters; ``run`` goes through the registry, as the engine does."""

    def __init__(self, referral=None, settings=None, certificate=None, subjects=None, render=False, task_data=None):
        self.clock = FakeClock(NOW)
        self.store = FakeCaseStore(referral, reference=REFERENCE, certificate=certificate, subjects=subjects)
        self.mailer = FakeMailer()
        self.documents = FakeDocuments(self.store, self.clock, render=render)
        self.settings = settings if settings is not None else make_settings()
        self.process_data = FakeProcessData(task_data)

    def run(self, topic, data=None, wording=None):
        return load_all().run(
            topic,
            dict(data or {}),
            case_store=self.store,
            mailer=self.mailer,
            documents=self.documents,
            clock=self.clock,
            settings=self.settings,
            process_data=self.process_data,
            wording=wording if wording is not None else diagram_wording(topic),
        )

    @property
    def email(self):
        assert len(self.mailer.sent) == 1, [m["subject"] for m in self.mailer.sent]
        return self.mailer.sent[0]


@pytest.fixture
def case():
    return Case()


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


DETAINABLE = {
    "custody_status": "at_liberty",
    "offences_on_pnc": False,
    "held_certificate_purpose": "immigration_deportation",
    "suitable_for_detention": True,
    "detention_power": REG_24,
    "detention_reasons": "Risk of absconding.",
}
DEP5 = {
    "deportation_decision": "deport",
    "custody_status": "not_detained",
    "address_known": True,
    "in_country_right_of_appeal": False,
    "offences_on_pnc": True,
    "held_certificate_purpose": "criminal_proceedings",
    "detention_power": REG_24,
    "current_address": "22 Tonbridge Road, Maidstone",
}
LOC8 = {
    "foreign_convictions_considered": "Robbery (Poland, 2015).",
    "uk_convictions": "None.",
    "outstanding_law_enforcement": "None known.",
    "decision_reasons": "Convictions are old and the person has lived lawfully since.",
}

# each topic that emails, with data that lets it, and the party it must reach
EMAILS = [
    ("pnc-bureau.request-check", {}, "pnc-bureau@police.example"),
    ("pnc-bureau.request-marker", {}, "pnc-bureau@police.example"),
    ("pnc-bureau.remove-marker", {}, "pnc-bureau@police.example"),
    ("acro.request-immigration-referral", {}, "referrals@acro.police.example"),
    ("acro.request-further-check", {}, "referrals@acro.police.example"),
    ("acro.advise-not-pursued", {}, "referrals@acro.police.example"),
    ("nbtc.request-check", {}, "nbtc@homeoffice.example"),
    ("ice.refer-for-tasking", {}, "ice-tasking@homeoffice.example"),
    ("ice.request-detention", DETAINABLE, "ice-tasking@homeoffice.example"),
    ("ice.request-detention-after-decision", DEP5, "ice-tasking@homeoffice.example"),
    ("police.notify-interest", {}, "jane.smith@kent.police.example"),
    ("director.submit", LOC8, "cc-director@homeoffice.example"),
    ("removals.refer", {"removals_reasons": "No lawful basis of stay."}, "removals-casework@homeoffice.example"),
]


@pytest.mark.parametrize("topic, data, recipient", EMAILS)
def test_every_email_names_the_case_the_subject_and_the_purpose(topic, data, recipient):
    case = Case()
    case.run(topic, data)
    email = case.email
    assert email["to"] == [recipient]
    assert email["subject"].startswith(f"{REFERENCE}: ")
    assert f"Case reference: {REFERENCE}" in email["body"]
    assert f"Subject: {NAME}" in email["body"]
    assert "Purpose of this disclosure: " in email["body"]
    assert email["kind"]


@pytest.mark.parametrize(
    "topic, data, party",
    [
        ("pnc-bureau.request-check", {}, "pnc_bureau"),
        ("acro.advise-not-pursued", {}, "acro"),
        ("notices.post-deportation", {}, "post_deportation"),
    ],
)
def test_a_missing_address_is_an_error_naming_the_party(topic, data, party):
    settings = make_settings()
    del settings["addresses"][party]
    case = Case(settings=settings)
    with pytest.raises(correspondence.MissingAddress, match=party):
        case.run(topic, data)
    assert case.mailer.sent == []


# -- intake and the CC Workflow team ----------------------------------------------------


def test_record_referral_gives_the_reference_and_eea_status_and_notes_the_email_intake(case):
    # the flags' defaults are the diagram's (record_referral's output parameters), not Python's
    result = case.run("case-record.record-referral")
    assert result == {"case_reference": REFERENCE, "eea_national": True}
    assert case.store.notes == ["ACRO referral received by email; actioned by CC Workflow"]


@pytest.mark.parametrize(
    "nationality, eea",
    [
        ("Poland", True),
        ("POLAND", True),
        ("polish", True),
        ("Czech Republic", True),
        ("Switzerland", True),
        ("Norway", True),
        ("Albania", False),
        ("Nigeria", False),
        ("United Kingdom", False),
    ],
)
def test_eea_nationality_is_read_without_regard_to_case(nationality, eea):
    case = Case(referral=make_referral(subject={"nationality": nationality}))
    assert case.run("case-record.record-referral")["eea_national"] is eea


def test_the_eea_list_has_the_eu_27_the_eea_3_and_switzerland():
    assert len(EEA_COUNTRIES) == 31
    assert {"Iceland", "Liechtenstein", "Norway", "Switzerland", "Poland"} <= EEA_COUNTRIES
    assert "United Kingdom" not in EEA_COUNTRIES


def test_settings_can_replace_the_eea_list():
    case = Case(
        referral=make_referral(subject={"nationality": "Narnia"}), settings=make_settings(eea_countries={"Narnia"})
    )
    assert case.run("case-record.record-referral")["eea_national"] is True
    assert is_eea_national("Poland", {"Narnia"}) is False


def test_an_unknown_nationality_is_non_eea_with_a_note_to_check_it():
    case = Case(referral=make_referral(subject={"nationality": None}))
    assert case.run("case-record.record-referral")["eea_national"] is False
    assert any("EEA status must be checked" in note for note in case.store.notes)


def test_absent_referral_details_are_noted_as_absent_not_invented():
    referral = make_referral(subject={"date_of_birth": None, "pnc_id": None}, last_known_address=None)
    case = Case(referral=referral)
    case.run("case-record.record-referral")
    absent = [n for n in case.store.notes if n.startswith("Not provided in the referral")]
    assert absent == ["Not provided in the referral: date of birth, PNC ID, last known UK address."]


def test_note_non_disclosable_says_no_further_action_and_waits(case):
    case.run("case-record.note-non-disclosable", {"certificate_disclosable": False})
    assert case.store.notes == [
        "Non-disclosable ACRO certificate received: no further action can be "
        "taken until a disclosable certificate is obtained."
    ]
    assert case.store.status == UNTOUCHED  # the stage is the wait state's (case_stage), not the handler's


def test_a_new_immigration_referral_is_asked_of_acro_with_the_purpose_it_must_carry(case):
    case.run("acro.request-immigration-referral")
    body = case.email["body"]
    assert "'Request for administrative purpose immigration/deportation'" in body
    assert "Your referral received: 2 January 2026" in body
    assert "Robbery" not in body  # ACRO knows the convictions; they are not repeated


def test_destroying_the_certificate_removes_its_content_everywhere():
    task_data = [
        {"certificate": "full text", "certificate_text": "x", "case_reference": REFERENCE},
        {"certificate_content": "y", "left_uk": False},
    ]
    case = Case(
        certificate={
            "request_purpose": "criminal proceedings",
            "received_at": "2026-01-02T10:00:00+00:00",
            "status": "held",
            "content": "Polish court record ...",
        },
        task_data=task_data,
    )
    case.run("certificate.destroy")
    assert case.store.certificate()["status"] == "destroyed"
    assert case.store.certificate_content() is None
    assert task_data == [{"case_reference": REFERENCE}, {"left_uk": False}]
    assert case.store.notes == [
        "Non-disclosable ACRO certificate destroyed: its content has been removed "
        "from the case record, its documents and the workflow data."
    ]


@pytest.mark.parametrize(
    "purpose, status, code",
    [
        ("Request for administrative purpose immigration/deportation", "held", "immigration_deportation"),
        ("request for administrative purpose immigration / deportation.", "held", "immigration_deportation"),
        ("Criminal proceedings", "held", "criminal_proceedings"),
        ("Firearms licensing", "held", "other"),
        (None, "held", "other"),
        (None, "destroyed", "none"),
    ],
)
def test_read_held_gives_the_recorded_purpose_as_the_process_names_it(purpose, status, code):
    held = Case(certificate={"request_purpose": purpose, "received_at": "2026-01-02T10:00:00+00:00", "status": status})
    assert held.run("certificate.read-held") == {"held_certificate_purpose": code}


def test_read_held_without_any_certificate_says_none(case):
    assert case.run("certificate.read-held") == {"held_certificate_purpose": "none"}


def test_destroy_without_a_held_certificate_does_not_claim_a_destruction(case):
    case.run("certificate.destroy")
    assert case.process_data.erased == ["certificate", "certificate_text", "certificate_content"]
    assert not any("destroyed" in note for note in case.store.notes)


def test_create_records_a_new_subject_convictions_and_the_calendar_event(case):
    result = case.run("case-record.create", {"certificate_disclosable": True})
    assert result == {"subject_id": 1, "subject_existing": False}
    assert len(case.store.subject["convictions"]) == 2
    assert case.store.calendar_events == [("CC - ACRO Referral", "Completed")]
    assert "new subject; 2 new overseas conviction(s)" in case.store.notes[0]


def test_the_same_person_referred_twice_is_one_subject():
    subjects = []
    Case(subjects=subjects).run("case-record.create", {"certificate_disclosable": True})
    second = Case(
        referral=make_referral(
            convictions=[
                {"country": "Poland", "offence": "Robbery", "date": "2015-06-01", "sentence": "4 years"},
                {"country": "France", "offence": "Burglary", "date": "2021-09-30", "sentence": "2 years"},
            ]
        ),
        subjects=subjects,
    )
    result = second.run("case-record.create", {"certificate_disclosable": True})
    assert result == {"subject_id": 1, "subject_existing": True}
    assert len(subjects) == 1
    assert len(subjects[0]["convictions"]) == 3
    assert "existing subject record 1" in second.store.notes[0]
    assert "1 new overseas conviction(s)" in second.store.notes[0]


def test_create_refuses_without_a_disclosable_certificate(case):
    with pytest.raises(ValueError, match="WF-3"):
        case.run("case-record.create", {"certificate_disclosable": False})
    assert case.store.subject is None and case.store.calendar_events == []


def test_pnc_check_sends_identifiers_only(case):
    case.run("pnc-bureau.request-check")
    body = case.email["body"]
    for expected in (
        "PNC ID: 12/345678A",
        "Date of birth: 12 March 1990",
        "Nationality: Poland",
        "Aliases: Lukas Zolc",
        "PNC print",
    ):
        assert expected in body
    for withheld in ("Robbery", "EA1234567", "High Street", "Kent Police"):
        assert withheld not in body


def test_create_paper_file_returns_its_reference(case):
    assert case.run("case-record.create-paper-file") == {"paper_file_reference": f"HO-{REFERENCE}"}
    assert case.store.paper_files == [f"HO-{REFERENCE}"]
    assert f"HO-{REFERENCE}" in case.store.notes[0]


def test_refer_to_team_assigns_the_team(case):
    assert case.run("case-record.refer-to-team", {"cc_team": "CC EEA team"}) == {}
    assert case.store.team == "CC EEA team"
    assert case.store.status == UNTOUCHED
    assert case.store.notes == ["Case referred to CC EEA team."]
    with pytest.raises(ValueError, match="cc_team"):
        case.run("case-record.refer-to-team", {})


# -- first actions ----------------------------------------------------------------------


def test_nbtc_check_sends_identity_documents_and_waits(case):
    case.run("nbtc.request-check")
    assert "Passport EA1234567 issued by Poland" in case.email["body"]
    assert "left the UK recently" in case.email["body"]
    assert case.store.status == UNTOUCHED


def test_close_left_uk_notes_the_departure_and_the_exclusion_decision(case):
    case.run(
        "case-record.close-left-uk",
        {
            "left_uk": True,
            "departure_date": "2025-12-20",
            "exclusion_decision": "exclusion_order",
            "exclusion_reasons": "Convicted of robbery.",
        },
    )
    assert case.store.status == UNTOUCHED
    note = case.store.notes[0]
    assert "on 20 December 2025" in note
    assert "Obtain an exclusion order" in note and "Convicted of robbery." in note


def test_close_left_uk_without_exclusion_mentions_none(case):
    case.run("case-record.close-left-uk", {"left_uk": True})
    assert "xclusion" not in case.store.notes[0]


def test_icd5079_asks_for_the_marker_with_the_subjects_details():
    case = Case(referral=make_referral(subject={"date_of_birth": None}))
    result = case.run("pnc-bureau.request-marker")
    assert result == {"wanted_marker": True}
    assert case.store.marker == "requested"
    [form] = case.documents.created
    assert form["kind"] == "ICD.5079"
    subject = case.documents.section(0, "Subject")
    for expected in (
        NAME,
        "Lukas Zolc",
        "Date of birth: Not provided",
        "Nationality: Poland",
        "PNC ID: 12/345678A",
        "1 High Street, Maidstone",
        "EA1234567",
    ):
        assert expected in subject
    assert "Wanted/missing" == case.documents.section(0, "Marker requested")
    assert "liable to deportation" in case.documents.section(0, "Reason").lower()
    assert case.email["attachments"] == [{k: form[k] for k in ("id", "kind", "title", "filename")}]
    assert case.email["subject"] == f"{REFERENCE}: ICD.5079 Request to add a wanted/missing marker to the PNC"


@pytest.mark.parametrize("topic", ["pnc-bureau.request-marker", "pnc-bureau.remove-marker"])
def test_the_marker_forms_give_the_diagram_s_reason_and_request(case, topic):
    """An analyst rewords a form's reason or its email in the service task's properties alone."""
    wording = {"form_reason": "Reason as the analyst wrote it.", "email_request": "Request as the analyst wrote it."}
    case.run(topic, wording=wording)
    assert case.documents.section(0, "Reason") == "Reason as the analyst wrote it."
    assert "Request as the analyst wrote it." in case.email["body"]
    with pytest.raises(LookupError, match="form_reason"):
        case.run(topic, wording={"email_request": "Request as the analyst wrote it."})


ICE_WORDING = {"email_subject": "Referral for ICE tasking", "email_request": "Please task the relevant ICE team."}


def test_ice_tasking_refers_the_case_in_the_diagram_s_words(case):
    case.run("ice.refer-for-tasking", wording=ICE_WORDING)
    assert case.email["subject"].endswith("Referral for ICE tasking")
    body = case.email["body"]
    assert "ICE tasking and detention gatekeeper" in body and "Please task the relevant ICE team." in body
    assert "Robbery" in body and "1 High Street" in body
    assert case.store.status == UNTOUCHED
    assert case.store.notes == ["Case referred to ICE for tasking."]


def test_ice_tasking_without_its_wording_in_the_diagram_sends_nothing(case):
    with pytest.raises(LookupError, match="email_request"):
        case.run("ice.refer-for-tasking", wording={"email_subject": "Referral for ICE tasking"})
    assert case.mailer.sent == []


def test_wanted_missing_leaves_the_state_and_stage_to_the_model(case):
    case.run("case-record.record-wanted-missing", {"ice_outcome": "not_located"})
    assert case.store.status == UNTOUCHED


def test_located_opens_the_dormant_case_again(case):
    case.store.set_status(stage="Dormant: wanted/missing", outcome="Wanted", state="dormant")
    case.run("case-record.record-located", {"location": "Arrested in Salford"})
    assert case.store.status == {"stage": "Dormant: wanted/missing", "outcome": None, "state": "open"}
    assert "located; the case is open again. Details: Arrested in Salford" in case.store.notes[-1]


# -- FNO located ------------------------------------------------------------------------


def test_icd5080_asks_for_the_marker_to_be_removed(case):
    assert case.run("pnc-bureau.remove-marker", {"wanted_marker": True}) == {"wanted_marker": False}
    assert case.store.marker == "removal requested"
    assert [d["kind"] for d in case.documents.created] == ["ICD.5080"]
    assert "located" in case.documents.section(0, "Reason")
    assert case.email["attachments"][0]["kind"] == "ICD.5080"


def test_further_acro_check_gives_acro_the_identity_documents(case):
    case.run("acro.request-further-check", {"further_offending_overseas": True})
    assert "further overseas conviction check" in case.email["body"]
    assert "EA1234567" in case.email["body"]


def test_police_are_told_of_our_interest_by_email(case):
    case.run("police.notify-interest")
    email = case.email
    assert email["body"].startswith("Dear DC Jane Smith,")
    assert "re-document" in email["body"] and "pending prosecution" in email["body"]
    assert "Reason for your request to ACRO: arrest" in email["body"]
    assert "by email" in case.store.notes[0]


def test_without_an_officer_email_the_case_owner_is_told_to_phone():
    case = Case(
        referral=make_referral(
            officer={"name": "DC Jane Smith", "force": "Kent Police", "email": None, "phone": "01622 000000"}
        )
    )
    assert case.run("police.notify-interest") == {}
    assert case.mailer.sent == []
    assert "by phone on 01622 000000" in case.store.notes[0]
    assert "DC Jane Smith (Kent Police)" in case.store.notes[0]


def test_without_any_officer_details_nothing_is_invented():
    case = Case(referral=make_referral(officer={"name": None, "force": None, "email": None, "phone": None}))
    case.run("police.notify-interest")
    assert case.mailer.sent == []
    assert "the requesting officer (force not stated)" in case.store.notes[0]
    assert "no phone number" in case.store.notes[0]


# -- detention --------------------------------------------------------------------------


def test_detention_is_requested_under_the_decided_power(case):
    # DET-4: asking is not detaining; the case owner records what ICE did
    assert case.run("ice.request-detention", DETAINABLE) == {}
    assert case.store.custody is None
    assert "to be recorded once ICE confirms" in case.store.notes[0]
    assert f"Please detain the subject below under {REG_24}" in case.email["body"]
    assert "Detention power: " + REG_24 in case.email["body"]
    # the email states the DET-1 ground that holds, and no other
    assert "an ACRO certificate marked for immigration/deportation purposes is held" in case.email["body"]
    assert "recorded on the PNC" not in case.email["body"]


@pytest.mark.parametrize(
    "change, rule",
    [
        ({"held_certificate_purpose": "criminal_proceedings"}, "DET-1"),
        ({"held_certificate_purpose": "none"}, "DET-1"),
        ({"suitable_for_detention": False}, "DET-4"),
        ({"detention_power": None}, "DET-2"),
    ],
)
def test_detention_is_never_requested_without_its_conditions(case, change, rule):
    with pytest.raises(ValueError, match=rule):
        case.run("ice.request-detention", {**DETAINABLE, **change})
    assert case.mailer.sent == []
    assert case.store.custody is None


def test_non_detained_records_custody_and_why(case):
    result = case.run(
        "case-record.record-non-detained",
        {**DETAINABLE, "suitable_for_detention": False, "detention_reasons": "Serious illness."},
    )
    assert result == {"custody_status": "not_detained"}
    assert case.store.custody == "not_detained"
    assert "not suitable for detention" in case.store.notes[0] and "Serious illness." in case.store.notes[0]


def test_non_detained_because_convictions_cannot_be_disclosed(case):
    case.run(
        "case-record.record-non-detained",
        {**DETAINABLE, "held_certificate_purpose": "criminal_proceedings", "detention_power": REG_24},
    )
    assert "must not be detained (DET-1)" in case.store.notes[0]
    # DET-2: the power decided is on the case whatever the custody status
    assert case.store.detention_power == REG_24


# -- deportation ------------------------------------------------------------------------


@pytest.mark.parametrize("eea, notice, days", [(True, LIABILITY, 20), (False, DECISION, 10)])
def test_stage1_notice_states_the_deadline_and_sets_it_on_the_case(eea, notice, days):
    case = Case(render=True)
    data = {"eea_national": eea, "notice_type": notice, "notice_grounds": GROUNDS, "response_period": f"P{days}D"}
    result = case.run("notices.serve-stage1", data)
    due = NOW + timedelta(days=days)
    assert result == {"response_deadline": due.isoformat(), "stage1_document_id": 1}
    assert case.store.deadlines == {"Stage 1 response": due}
    assert case.store.status == UNTOUCHED
    [document] = case.documents.created
    assert document["kind"] == notice and document["title"] == notice
    deadline = correspondence.long_date(due)
    assert deadline in case.documents.section(0, "Response deadline")
    assert f"{days} days" in case.store.notes[0] and deadline in case.store.notes[0]
    assert case.documents.section(0, "Why you are receiving this notice") == GROUNDS  # the table's words
    text = _pdf_text(document["pdf"])
    assert deadline in text and REFERENCE in text and NAME in text and "Robbery" in text


def test_stage1_period_in_weeks_is_printed_in_days(case):
    case.run(
        "notices.serve-stage1",
        {"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": "P4W"},
    )
    assert case.store.deadlines["Stage 1 response"] == NOW + timedelta(days=28)
    assert "28 days" in case.documents.section(0, "Response deadline")


def test_stage1_deadline_is_ten_days_on(case):
    case.run(
        "notices.serve-stage1",
        {"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": "P10D"},
    )
    assert case.store.deadlines["Stage 1 response"] == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    assert "15 January 2026" in case.documents.section(0, "Response deadline")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"eea_national": False, "notice_type": None, "notice_grounds": GROUNDS, "response_period": "P20D"}, "DEP-2"),
        ({"eea_national": False, "notice_type": DECISION, "response_period": "P20D"}, "DEP-2"),
        (
            {"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": "P0D"},
            "DEP-3",
        ),
        (
            {"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": "P1M"},
            "DEP-3",
        ),
        ({"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": 20}, "DEP-3"),
        ({"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS}, "DEP-3"),
    ],
)
def test_a_wrong_notice_or_period_is_refused(case, data, message):
    with pytest.raises(ValueError, match=message):
        case.run("notices.serve-stage1", data)
    assert case.documents.created == [] and case.store.deadlines == {}


def test_dep5_asks_the_local_ice_team_to_detain_without_changing_custody(case):
    assert case.run("ice.request-detention-after-decision", DEP5) == {"detention_requested": True}
    body = case.email["body"]
    assert body.startswith("Dear Local ICE team,")
    assert "A decision to deport the subject has been made" in body
    assert "Current address: 22 Tonbridge Road, Maidstone" in body
    assert case.store.custody is None
    assert "Local ICE team asked to detain" in case.store.notes[0]


def test_dep5_after_the_director_disagrees_counts_as_a_decision_to_deport(case):
    result = case.run(
        "ice.request-detention-after-decision", {**DEP5, "deportation_decision": "not_pursue", "director_agrees": False}
    )
    assert result == {"detention_requested": True}
    assert "The CC Director has decided that deportation of the subject is to be pursued" in case.email["body"]


def test_dep5_says_the_det1_ground_and_refuses_without_one(case):
    case.run("ice.request-detention-after-decision", DEP5)
    assert "the convictions can be used: they are recorded on the PNC." in case.email["body"]
    # the DET-1 guard gateway stops such a case before this step: reaching it is a wiring fault
    other = Case()
    with pytest.raises(ValueError, match="DET-1"):
        other.run("ice.request-detention-after-decision", {**DEP5, "offences_on_pnc": False})
    assert other.mailer.sent == []


def test_dep5_without_its_conditions_is_a_wiring_fault(case):
    with pytest.raises(ValueError, match="address_known"):
        case.run("ice.request-detention-after-decision", {**DEP5, "address_known": False})
    assert case.mailer.sent == []


def test_post_deportation_informs_each_department_separately(case):
    case.run("notices.post-deportation")
    assert [m["to"] for m in case.mailer.sent] == [
        ["post-deportation@homeoffice.example"],
        ["acro-updates@acro.police.example"],
    ]
    assert all("Deportation reported: 5 January 2026" in m["body"] for m in case.mailer.sent)
    assert case.store.status == UNTOUCHED


def test_post_deportation_with_no_departments_configured_is_an_error():
    settings = make_settings()
    settings["addresses"]["post_deportation"] = []
    case = Case(settings=settings)
    with pytest.raises(correspondence.MissingAddress, match="post_deportation"):
        case.run("notices.post-deportation")
    assert case.store.status["state"] == "open"


# -- deportation not pursued ------------------------------------------------------------


def test_director_submission_records_reasons_and_the_three_loc8_considerations(case):
    case.run("director.submit", {**LOC8, "deportation_decision": "not_pursue"})
    [document] = case.documents.created
    assert document["kind"] == "Submission to the CC Director"
    assert case.documents.section(0, "Foreign convictions considered") == LOC8["foreign_convictions_considered"]
    assert case.documents.section(0, "UK convictions") == "None."
    assert case.documents.section(0, "Outstanding UK law-enforcement activity") == "None known."
    assert case.documents.section(0, "Why deportation is not appropriate") == LOC8["decision_reasons"]
    assert "Robbery" in case.documents.section(0, "Overseas convictions referred by ACRO")
    assert case.email["attachments"][0]["id"] == document["id"]
    assert case.store.status == UNTOUCHED


def test_director_submission_needs_every_loc8_consideration(case):
    with pytest.raises(ValueError, match="UK convictions"):
        case.run("director.submit", {**LOC8, "uk_convictions": ""})
    assert case.documents.created == [] and case.mailer.sent == []


def test_removals_referral_carries_the_reasons(case):
    case.run("removals.refer", {"removals_reasons": "No lawful basis of stay.", "director_comments": "Agreed."})
    assert "administrative" in case.email["body"]
    assert "No lawful basis of stay." in case.email["body"] and "Agreed." in case.email["body"]


def test_acro_is_told_deportation_is_not_pursued(case):
    case.run("acro.advise-not-pursued", {**LOC8, "director_agrees": True})
    assert "not being pursued" in case.email["body"]
    assert LOC8["decision_reasons"] not in case.email["body"]
    assert case.store.status == UNTOUCHED


# -- letters and emails in GOV.UK style, with who to contact (issue 11.10) ------------------
def test_dates_in_letters_and_emails_are_written_the_gov_uk_way():
    assert correspondence.long_date(datetime(2012, 5, 2, 9, 0, tzinfo=UTC)) == "2 May 2012"
    # a date just before midnight UTC in summer is the next day in the UK
    assert correspondence.long_date(datetime(2012, 5, 2, 23, 30, tzinfo=UTC)) == "3 May 2012"
    assert correspondence.day("1990-03-12") == "12 March 1990"
    assert correspondence.day("about 1990") == "about 1990"
    assert correspondence.day(None) == "Not provided"


def test_the_stage1_notice_carries_the_recipient_s_address_and_where_to_reply(case):
    case.run(
        "notices.serve-stage1",
        {
            "eea_national": False,
            "notice_type": DECISION,
            "notice_grounds": GROUNDS,
            "response_period": "P10D",
            "current_address": "HMP Wandsworth",
        },
    )
    assert case.documents.section(0, "To") == f"{NAME}\nHMP Wandsworth"
    assert case.documents.section(0, "Date of this notice") == "5 January 2026"
    reply = case.documents.section(0, "Where to send your reply")
    for expected in ("Criminal Casework\nPO Box 99\nLondon\nSW1A 2AA", "cc-team@homeoffice.example", "020 7946 0123"):
        assert expected in reply


def test_the_stage1_notice_without_a_found_address_goes_to_the_last_known_one(case):
    case.run(
        "notices.serve-stage1",
        {"eea_national": False, "notice_type": DECISION, "notice_grounds": GROUNDS, "response_period": "P10D"},
    )
    assert case.documents.section(0, "To") == f"{NAME}\n{case.store.referral()['last_known_address']}"


@pytest.mark.parametrize("topic", ["pnc-bureau.request-marker", "pnc-bureau.remove-marker"])
def test_icd_forms_carry_the_team_s_contact_details(case, topic):
    case.run(topic)
    assert case.documents.section(0, "Requested by") == (
        "Criminal Casework, Home Office\nEmail: cc-team@homeoffice.example\nTelephone: 020 7946 0123\n"
        "Post:\nCriminal Casework\nPO Box 99\nLondon\nSW1A 2AA"
    )


def test_the_director_s_email_links_to_the_case(case):
    case.run("director.submit", {**LOC8, "deportation_decision": "not_pursue"})
    assert f"https://casework.homeoffice.example/cases/{REFERENCE}" in case.email["body"]


def test_without_contact_details_a_form_is_not_sent():
    case = Case(settings=make_settings(contact={}))
    with pytest.raises(correspondence.MissingAddress, match="contact details"):
        case.run("pnc-bureau.request-marker")
