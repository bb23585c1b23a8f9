"""engine.forms: what an ``asked_if`` condition reads, and when a question is asked."""

from engine.forms import asked_fields, case_data_for, holds, names_in


def test_the_names_a_condition_reads_leave_out_functions_and_comprehension_names():
    assert names_in('len(charges) > 0 and custody_status == "at_liberty"') == {"charges", "custody_status"}
    assert names_in("any_answer in [x for x in options]") == {"any_answer", "options"}


def test_a_condition_that_fails_asks_the_question():
    # comparing None with a number fails: asking costs a click, refusing could lose an answer
    assert holds("months_left > 3", {}) is True
    assert holds("months_left > 3", {"months_left": 2}) is False


def test_the_form_carries_only_the_variables_its_conditions_read():
    fields = [
        {"id": "a", "properties": {"asked_if": "custody_status != 'detained' and b == True"}},
        {"id": "b", "properties": {}},
    ]
    data = {"custody_status": "detained", "b": False, "subject_name": "Jan KOWALSKI"}
    assert case_data_for(fields, data) == {"custody_status": "detained"}
    assert asked_fields({"fields": fields}, {**data, "b": True}) == {"b"}
    assert asked_fields({"fields": fields}, {"custody_status": "at_liberty", "b": True}) == {"a", "b"}
