import re
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.registry import AdapterMismatch, DuplicateTopic, Registry, UnknownTopic, load_all

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def reg():
    return Registry()


def test_run_passes_only_the_adapters_the_handler_declares(reg):
    seen = {}

    @reg.topic("case-record.example")
    def handler(data, *, case_store, clock):
        seen.update(data=data, case_store=case_store, clock=clock)
        return {"done": True}

    result = reg.run(
        "case-record.example", {"a": 1}, case_store="store", clock="clock", mailer="mailer", documents="documents"
    )
    assert result == {"done": True}
    assert seen == {"data": {"a": 1}, "case_store": "store", "clock": "clock"}
    assert reg.adapters_for("case-record.example") == ("case_store", "clock")


def test_a_handler_returning_none_gives_an_empty_dict(reg):
    reg.topic("x.none")(lambda data: None)
    assert reg.run("x.none", {}) == {}


def test_a_handler_gets_a_copy_of_the_data(reg):
    @reg.topic("x.mutate")
    def handler(data):
        data["changed"] = True

    data = {"kept": 1}
    reg.run("x.mutate", data)
    assert data == {"kept": 1}


def test_registering_a_topic_twice_raises(reg):
    reg.topic("x.once")(lambda data: None)
    with pytest.raises(DuplicateTopic, match="x.once"):
        reg.topic("x.once")(lambda data: None)


def test_unknown_topic_is_a_lookup_error_naming_the_topic(reg):
    reg.topic("x.known")(lambda data: None)
    with pytest.raises(UnknownTopic, match=r"'x\.unknown'.*x\.known") as caught:
        reg.run("x.unknown", {})
    assert isinstance(caught.value, LookupError)


def test_an_adapter_not_offered_is_a_clear_error(reg):
    @reg.topic("x.mail")
    def handler(data, *, mailer):
        return None

    with pytest.raises(AdapterMismatch, match="needs the adapter.*mailer"):
        reg.run("x.mail", {}, case_store="store")


@pytest.mark.parametrize(
    "source, message",
    [
        ("def handler(data, *, mailbox): pass", "unknown adapter 'mailbox'"),
        ("def handler(data, mailer): pass", "must be keyword-only"),
        ("def handler(*, mailer): pass", "process data as its first parameter"),
    ],
)
def test_bad_signatures_are_refused_at_registration(reg, source, message):
    namespace = {}
    exec(source, namespace)
    with pytest.raises(AdapterMismatch, match=message):
        reg.topic("x.bad")(namespace["handler"])
    assert reg.topics() == []


def test_a_result_that_is_not_a_dict_is_refused(reg):
    reg.topic("x.list")(lambda data: ["not", "a", "dict"])
    with pytest.raises(TypeError, match="x.list"):
        reg.run("x.list", {})


def _documented_topics() -> set[str]:
    text = (REPO / "docs" / "process.md").read_text(encoding="utf-8")
    return set(re.findall(r"\(`([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*)`\)", text)) | set(
        re.findall(r"topic `([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*)`", text)
    )


def _modelled_topics() -> set[str]:
    topics = set()
    for path in (REPO / "processes").glob("*.bpmn"):
        topics |= set(re.findall(r'camunda:topic="([^"]+)"', path.read_text(encoding="utf-8")))
    return topics


def test_every_topic_of_the_process_has_exactly_one_handler():
    documented = _documented_topics()
    assert len(documented) >= 23  # the parser above must keep finding them
    registered = set(load_all().topics())
    assert documented - registered == set(), "topics in docs/process.md without a handler"
    assert _modelled_topics() - registered == set(), "topics in processes/*.bpmn without a handler"
    assert registered - documented == set(), "handlers for topics the process does not use"


def test_load_all_can_be_called_again():
    first = load_all().topics()
    assert load_all().topics() == first


def test_importing_handlers_imports_no_flask():
    code = (
        "import sys, handlers; handlers.load_all(); "
        "assert 'flask' not in sys.modules, sorted(m for m in sys.modules if 'flask' in m)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert completed.returncode == 0, completed.stderr
