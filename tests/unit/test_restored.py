"""Workflows kept between steps are used only while they are what the database holds."""

from casework.restored import RestoredWorkflows

BUNDLE, OTHER_BUNDLE = object(), object()
WORKFLOW = object()


def test_a_kept_workflow_is_given_once_for_the_state_it_was_saved_as():
    kept = RestoredWorkflows()
    kept.keep(1, BUNDLE, {"revision": 2}, WORKFLOW)
    assert kept.take(1, BUNDLE, {"revision": 2}) is WORKFLOW
    assert kept.take(1, BUNDLE, {"revision": 2}) is None  # taken: no two requests share it


def test_another_state_or_bundle_is_restored_instead():
    kept = RestoredWorkflows()
    kept.keep(1, BUNDLE, {"revision": 2}, WORKFLOW)
    assert kept.take(1, BUNDLE, {"revision": 1}) is None  # the step that saved it rolled back
    kept.keep(1, BUNDLE, {"revision": 2}, WORKFLOW)
    assert kept.take(1, OTHER_BUNDLE, {"revision": 2}) is None  # moved to another version


def test_only_the_most_recent_cases_are_kept():
    kept = RestoredWorkflows(size=2)
    for case_id in (1, 2, 3):
        kept.keep(case_id, BUNDLE, {"case": case_id}, WORKFLOW)
    assert kept.take(1, BUNDLE, {"case": 1}) is None
    assert kept.take(3, BUNDLE, {"case": 3}) is WORKFLOW
    kept.keep(None, BUNDLE, {}, WORKFLOW)  # a case with no id yet is not kept
    assert kept.take(None, BUNDLE, {}) is None
