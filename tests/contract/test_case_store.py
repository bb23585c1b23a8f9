"""The case store's contract, on the fake and on the real one (SqlCaseStore)."""

from __future__ import annotations

import pytest

from casework.ports import CaseStore


def _referral(referral, **subject):
    return referral(subject={"aliases": [], "identity_documents": [], **subject})


POLISH = {
    "family_name": "Kowalski",
    "given_names": "Piotr",
    "date_of_birth": "1988-04-12",
    "nationality": "Poland",
    "pnc_id": None,
}


def test_it_is_a_case_store(cases, referral):
    assert isinstance(cases.store(_referral(referral, **POLISH)), CaseStore)


@pytest.mark.parametrize(
    "first, second, same",
    [
        # the PNC ID decides, whatever the name and however it is written
        ({**POLISH, "pnc_id": "12/345678A"}, {"family_name": "Other", "pnc_id": " 12/345678a "}, True),
        # case, accents and spacing do not make a different person
        ({**POLISH, "given_names": "José"}, {**POLISH, "family_name": "KOWALSKI", "given_names": "jose  "}, True),
        # without a nationality only the PNC ID can match
        (POLISH, {**POLISH, "nationality": None}, False),
        ({**POLISH, "nationality": None}, {**POLISH, "nationality": None}, False),
        # a different date of birth is a different person
        (POLISH, {**POLISH, "date_of_birth": "1988-04-13"}, False),
        # a name the subject was known by (an alias) counts as theirs, with the same birth date and nationality
        ({**POLISH, "aliases": ["Peter Kowal"]}, {**POLISH, "family_name": "Kowal", "given_names": "Peter"}, True),
        (
            {**POLISH, "aliases": ["Peter Kowal"]},
            {**POLISH, "family_name": "Kowal", "given_names": "Peter", "nationality": "Germany"},
            False,
        ),
    ],
)
def test_the_same_person_referred_twice_is_one_subject(cases, referral, first, second, same):
    subject, created = cases.store(_referral(referral, **first)).find_or_create_subject()
    assert created
    again, created = cases.store(_referral(referral, **second)).find_or_create_subject()
    assert (again["id"] == subject["id"]) is same
    assert created is not same


def test_a_name_given_under_the_same_pnc_id_becomes_an_alias_that_matches_later(cases, referral):
    first, _ = cases.store(_referral(referral, **{**POLISH, "pnc_id": "12/345678A"})).find_or_create_subject()
    second, _ = cases.store(
        _referral(referral, family_name="Kowal", given_names="Peter", pnc_id="12/345678A")
    ).find_or_create_subject()
    assert second["id"] == first["id"] and "Peter Kowal" in second["aliases"]
    third, created = cases.store(
        _referral(referral, **{**POLISH, "family_name": "Kowal", "given_names": "Peter"})
    ).find_or_create_subject()
    assert third["id"] == first["id"] and not created
    # what the record lacked is filled in; nothing it had is replaced
    assert third["family_name"] == "Kowalski" and third["pnc_id"] == "12/345678A"


def test_convictions_are_recorded_once(cases, referral):
    store = cases.store(referral())
    with pytest.raises(RuntimeError):
        store.record_convictions()
    store.find_or_create_subject()
    assert store.record_convictions() == 2
    assert store.record_convictions() == 0
    again = cases.store(referral())
    again.find_or_create_subject()
    assert again.record_convictions() == 0


def test_status_takes_only_the_known_states_and_keeps_what_is_not_given(cases, referral):
    store = cases.store(referral())
    with pytest.raises(ValueError):
        store.set_status(state="archived")
    store.set_status(stage="Stage one", outcome="An outcome")
    store.set_status(state="dormant")
    assert cases.status(store) == {"stage": "Stage one", "outcome": "An outcome", "state": "dormant"}


def test_reopening_a_dormant_case_clears_its_outcome(cases, referral):
    store = cases.store(referral())
    store.set_status(stage="Dormant", outcome="Wanted", state="dormant")
    store.reopen()
    assert cases.status(store) == {"stage": "Dormant", "outcome": None, "state": "open"}


def test_the_paper_file_is_made_once(cases, referral):
    store = cases.store(referral())
    first = store.create_paper_file()
    assert store.create_paper_file() == first and store.reference in first


def test_a_destroyed_certificate_keeps_only_the_fact(cases, referral):
    store = cases.store(
        referral(),
        certificate={"request_purpose": "Criminal proceedings", "content": "Conviction for robbery, Warsaw 2015"},
    )
    held = store.certificate()
    assert held["status"] == "held" and held["request_purpose"] == "Criminal proceedings"
    assert cases.certificate_content(store) == "Conviction for robbery, Warsaw 2015"
    store.destroy_certificate()
    destroyed = store.certificate()
    assert destroyed["status"] == "destroyed" and destroyed["request_purpose"] is None
    assert cases.certificate_content(store) is None
    store.destroy_certificate()  # a retry destroys nothing more and does not fail


def test_no_certificate_is_none(cases, referral):
    assert cases.store(referral()).certificate() is None


def test_a_subject_s_earlier_cases_are_found_by_a_name_learned_later_and_read_only_then(session, referral):
    """Search columns: the earlier case learns the alias the later referral gives; a referral
    that teaches nothing new does not read the subject's other cases (a repeat offender's many)."""
    from sqlalchemy import event

    from casework.models import Case
    from casework.queries.cases import search
    from tests.contract.edges import RealCases

    cases = RealCases(session)
    first = cases.store(_referral(referral, **{**POLISH, "pnc_id": "12/345678A"}))
    first.find_or_create_subject()
    learns = cases.store(_referral(referral, family_name="Kowal", given_names="Peter", pnc_id="12/345678A"))
    learns.find_or_create_subject()
    session.flush()
    assert {c["reference"] for c in search(session, name="Peter Kowal")} == {
        first.case.reference,
        learns.case.reference,
    }

    case_reads = []

    def count(conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT") and "FROM case_record" in statement:
            case_reads.append(statement)

    event.listen(session.bind, "before_cursor_execute", count)
    try:
        again = cases.store(_referral(referral, **{**POLISH, "pnc_id": "12/345678A"}))
        again.find_or_create_subject()
    finally:
        event.remove(session.bind, "before_cursor_execute", count)
    assert case_reads == []
    assert "peter kowal" in again.case.search_names and session.get(Case, first.case.id).search_names
