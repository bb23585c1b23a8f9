"""casework.forms.clean with questions that are asked only sometimes (a form field's
``asked_if``): what the page, the API and the scenarios all go through."""

import pytest

from casework.forms import ValidationError, asked, clean, placement

SERVING = 'custody_status == "serving_sentence"'


def _form(case_data=None, **extra_fields):
    fields = [
        {
            "id": "custody_status",
            "label": "Where is the FNO now?",
            "type": "enum",
            "validation": {"required": None},
            "options": [
                {"id": "serving_sentence", "name": "Serving a prison sentence"},
                {"id": "at_liberty", "name": "At liberty"},
            ],
        },
        {
            "id": "sufficient_time",
            "label": "Is there sufficient time to respond before release?",
            "type": "boolean",
            "validation": {"required": None},
            "properties": {"asked_if": SERVING},
        },
        {
            "id": "address_known",
            "label": "Is the FNO's address known?",
            "type": "boolean",
            "validation": {"required": None},
            "properties": {"asked_if": 'marker != "detained"'},
        },
    ]
    fields += [{"id": k, **v} for k, v in extra_fields.items()]
    form = {"fields": fields}
    if case_data is not None:
        form["case_data"] = case_data
    return form


def _messages(form, answers):
    with pytest.raises(ValidationError) as caught:
        clean(form, answers)
    return caught.value.messages


def test_a_question_that_applies_is_required_and_kept():
    form = _form({"marker": "at_liberty"})
    assert _messages(form, {"custody_status": "serving_sentence", "address_known": "no"}) == {
        "sufficient_time": ["Select an answer: Is there sufficient time to respond before release?"]
    }
    assert clean(form, {"custody_status": "serving_sentence", "sufficient_time": "yes", "address_known": "no"}) == {
        "custody_status": "serving_sentence",
        "sufficient_time": True,
        "address_known": False,
    }


def test_a_question_that_does_not_apply_is_not_required_and_recorded_as_none():
    # None, not absent: a later condition reads "not answered", not an earlier pass's answer
    cleaned = clean(_form({"marker": "detained"}), {"custody_status": "at_liberty"})
    assert cleaned == {"custody_status": "at_liberty", "sufficient_time": None, "address_known": None}


def test_an_answer_to_a_question_on_another_answer_is_refused_naming_that_answer():
    messages = _messages(
        _form({"marker": "at_liberty"}),
        {"custody_status": "at_liberty", "sufficient_time": "no", "address_known": "yes"},
    )
    assert messages == {
        "sufficient_time": [
            "“Is there sufficient time to respond before release?” is asked only when the answer to "
            "“Where is the FNO now?” is “Serving a prison sentence”: leave it out, or change that answer"
        ]
    }


def test_an_answer_to_a_question_the_case_data_rules_out_is_refused_with_the_condition():
    messages = _messages(_form({"marker": "detained"}), {"custody_status": "at_liberty", "address_known": "yes"})
    assert messages == {
        "address_known": [
            "“Is the FNO's address known?” is not asked for this case (it is asked only when "
            'marker != "detained"): leave it out'
        ]
    }


def test_an_answer_to_a_question_on_two_answers_is_refused_naming_both():
    form = _form(
        {"marker": "at_liberty"},
        release_date={
            "label": "When is the release date?",
            "type": "date",
            "properties": {"asked_if": 'custody_status == "serving_sentence" and sufficient_time == False'},
        },
    )
    answers = {"custody_status": "serving_sentence", "sufficient_time": "yes", "address_known": "no"}
    messages = _messages(form, {**answers, "release_date": "2027-01-05"})
    assert messages == {
        "release_date": [
            "“When is the release date?” is not asked with these answers to “Where is the FNO now?” and "
            "“Is there sufficient time to respond before release?” (it is asked only when "
            'custody_status == "serving_sentence" and sufficient_time == False): leave it out, or change those answers'
        ]
    }
    cleaned = clean(form, {**answers, "sufficient_time": "no", "release_date": "2027-01-05"})
    assert cleaned["release_date"] == "2027-01-05"


def test_a_variable_the_case_has_not_set_reads_as_none():
    # no case data at all: marker is None, which is not "detained", so the question is asked
    assert _messages(_form(), {"custody_status": "at_liberty"}) == {
        "address_known": ["Select an answer: Is the FNO's address known?"]
    }


def test_a_wrong_answer_to_the_question_it_depends_on_is_reported_alone():
    messages = _messages(_form({}), {"custody_status": "in_orbit", "sufficient_time": "yes", "address_known": "no"})
    assert set(messages) == {"custody_status"}


def test_a_question_after_one_not_asked_is_not_asked_either():
    form = _form(
        {"marker": "detained"},
        release_date={
            "label": "When is the release date?",
            "type": "date",
            "validation": {"required": None},
            "properties": {"asked_if": "sufficient_time == False"},
        },
    )
    assert asked(form, {"custody_status": "at_liberty"}) == {"custody_status"}
    assert asked(form, {"custody_status": "serving_sentence", "sufficient_time": "no"}) == {
        "custody_status",
        "sufficient_time",
        "release_date",
    }
    assert clean(form, {"custody_status": "at_liberty"})["release_date"] is None


def test_placement_puts_a_question_under_the_one_option_it_follows():
    form = _form({"marker": "detained"})
    by_id = {f["id"]: f for f in form["fields"]}
    assert placement(form, by_id["custody_status"]).kind == "always"
    under = placement(form, by_id["sufficient_time"])
    assert (under.kind, under.parent, under.values) == ("under", "custody_status", ("serving_sentence",))
    assert placement(form, by_id["address_known"]).kind == "hidden"
    assert placement(_form({"marker": "at_liberty"}), by_id["address_known"]).kind == "always"
