"""Questions that do not apply are not asked (a form field's ``asked_if``, written in the
diagram): the page hides them or reveals them under the option they follow, the server refuses
an answer to one, and the API says so in the same words and in its form schema."""

from tests.web.pages import DETENTION, HISTORY, POLICE, TO_DETENTION, TO_STAGE1, has_class, html, task_id, text, texts

DETAINED = ("record_detention_outcome", "caseworker", {"custody_status": "detained"})
AT_LIBERTY = (
    "consider_detention",
    "caseworker",
    {"custody_status": "at_liberty", "suitable_for_detention": "yes", "detention_reasons": "Risk of absconding."},
)
NOT_ASKED = "“Is the FNO's address known?” is not asked for this case"


def _deportation_decision(app, make_case, web, steps):
    reference = make_case(steps)
    client = web("caseworker")
    client.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    client.post(f"/cases/{reference}/events", {"event": "representations_received", "details": "By letter"})
    return reference, client, f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_deportation')}"


def test_a_question_on_another_answer_is_revealed_under_its_option(app, web, make_case):
    reference = make_case(TO_DETENTION)
    page = web("caseworker").get(f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_detention')}")
    tree = html(page)
    [reveal] = tree.xpath(f"//div[{has_class('govuk-radios__conditional')}]")
    # the reveal belongs to "Serving a prison sentence", and holds the question and only it
    [controls] = tree.xpath("//input[@name='custody_status' and @value='serving_sentence']/@data-aria-controls")
    assert reveal.get("id") == controls
    assert {i.get("name") for i in reveal.xpath(".//input")} == {"sufficient_time"}
    assert not tree.xpath("//input[@name='custody_status' and @value='at_liberty']/@data-aria-controls")
    # not chosen yet: hidden with JavaScript; without it, GOV.UK Frontend's CSS shows it
    assert has_class_name(reveal, "govuk-radios__conditional--hidden")


def has_class_name(element, name):
    return name in (element.get("class") or "").split()


def test_an_answer_hidden_under_an_option_not_chosen_is_no_answer(app, web, make_case):
    """GOV.UK reveals: what was typed under another option is dropped, not held against the person."""
    reference = make_case(TO_DETENTION)
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_detention')}"
    client = web("caseworker")
    check = client.post(url, {**AT_LIBERTY[2], "sufficient_time": "yes"})
    assert check.status_code == 200 and "Check your answers" in text(check)
    assert texts(check, f"//form//dt[{has_class('govuk-summary-list__key')}]") == [
        "Where is the FNO now?",
        "Is the FNO suitable for detention?",
        "What are the reasons for the detention decision?",
    ]


def _api_as_case_owner(app):
    """The API as "caseworker", the case owner the steps allocate (the task is theirs)."""
    from casework import tokens
    from tests.api.client import Api
    from webapp.db import db

    with app.app_context():
        token = tokens.create_token(db.session, "caseworker", "tests", app.extensions["acro"]["clock"].now())[1]
        db.session.commit()
    return Api(app.test_client(), {"caseworker": token})


def test_a_question_the_case_rules_out_is_not_shown_and_an_answer_to_it_is_refused(app, web, make_case):
    reference, client, url = _deportation_decision(
        app, make_case, web, TO_DETENTION + [AT_LIBERTY, DETAINED, HISTORY, POLICE]
    )
    page = client.get(url)
    names = {i.get("name") for i in html(page).xpath("//form//input | //form//textarea")}
    assert "deportation_decision" in names
    assert not names & {"address_known", "in_country_right_of_appeal"}
    answers = {
        "foreign_convictions_considered": "Theft (Romania, 2019)",
        "uk_convictions": "None",
        "outstanding_law_enforcement": "None",
        "deportation_decision": "deport",
        "decision_reasons": "Serious offending.",
    }
    refused = client.post(url, {**answers, "address_known": "yes"})
    assert refused.status_code == 400
    assert any(m.startswith(NOT_ASKED) for m in texts(refused, f"//div[{has_class('govuk-error-summary')}]//li"))
    # the API refuses the same answer in the same words, and its schema says the question is conditional
    task = task_id(app, reference, "consider_deportation")
    api = _api_as_case_owner(app)
    schema = {f["id"]: f for f in api.get(f"/tasks/{task}", user="caseworker").json["form"]["fields"]}
    assert schema["address_known"]["asked_if"] == 'custody_status != "detained"'
    assert schema["address_known"]["asked"] is False
    assert schema["deportation_decision"]["asked_if"] is None and schema["deportation_decision"]["asked"] is True
    response = api.post(f"/tasks/{task}/complete", {"answers": {**answers, "address_known": "yes"}}, user="caseworker")
    assert response.status_code == 422
    [message] = response.json["errors"]["answers.address_known"]
    assert message.startswith(NOT_ASKED)
    assert client.post(url, answers).status_code == 200  # without it: the check page


def test_the_same_question_is_asked_where_the_person_is_not_detained(app, web, make_case):
    _, client, url = _deportation_decision(app, make_case, web, TO_STAGE1)
    names = {i.get("name") for i in html(client.get(url)).xpath("//form//input")}
    assert {"address_known", "in_country_right_of_appeal"} <= names


def test_change_goes_back_to_the_form_with_the_answers_and_focus_on_that_question(app, web, make_case):
    reference = make_case(TO_DETENTION)
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'consider_detention')}"
    client = web("caseworker")
    check = client.post(url, DETENTION[2])
    buttons = html(check).xpath(f"//dd[{has_class('govuk-summary-list__actions')}]/button")
    assert [" ".join(b.text_content().split()) for b in buttons] == [
        "Change where is the fno now?",
        "Change is there sufficient time to respond before release?",
        "Change is the fno suitable for detention?",
        "Change what are the reasons for the detention decision?",
    ]
    change = buttons[3]
    assert change.get("formaction") == "#detention_reasons"
    hidden = {i.get("name"): i.get("value") for i in html(check).xpath("//form//input[@type='hidden']")}
    form = html(client.post(url, {**hidden, "action": change.get("value")}))
    [reasons] = form.xpath("//textarea[@name='detention_reasons']")
    assert reasons.get("autofocus") is not None and reasons.text_content() == "In prison"
    assert form.xpath("//input[@name='custody_status' and @value='serving_sentence']/@checked")
    assert form.xpath("//input[@name='sufficient_time' and @value='yes']/@checked")
    assert len(form.xpath("//*[@autofocus]")) == 1


def test_the_decision_record_has_no_row_for_a_question_not_asked(app, web, make_case):
    from tests.web.test_web_record import _summary

    reference, client, _ = _deportation_decision(
        app, make_case, web, TO_DETENTION + [AT_LIBERTY, DETAINED, HISTORY, POLICE]
    )
    rows = dict(_summary(client.get(f"/cases/{reference}"), "Consider detention"))
    assert rows["Where is the FNO now?"] == "At liberty"
    assert "Is there sufficient time to respond before release?" not in rows
    police = dict(_summary(client.get(f"/cases/{reference}"), "Record the police response"))
    assert police["Is a UK prosecution pending?"] == "No"
    assert "Will the police continue the prosecution?" not in police and "What are the UK charges?" not in police
    # asked but left blank: still said
    assert police["What do the police hold that helps re-documentation?"] == "Not answered"
