"""Drafts: a copy of a process version, and of the scenarios kept with it, saved as the
analyst works."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from engine import bundle as engine_bundle
from engine.rules import load_catalogue
from engine.validate import Problem, validate_files

from .. import bundles
from ..errors import Conflict, InvalidAnswers, NotFound
from ..models import ProcessDraft, ProcessVersion
from ..scenarios import STEP_KINDS

SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.yaml$")
MAX_FILE_BYTES = 2 * 1024 * 1024


def digest(draft: ProcessDraft) -> str:
    """The draft as a scenario run sees it: its files and its scenarios."""
    payload = json.dumps(
        [sorted(draft.files.items()), sorted((draft.scenarios or {}).items(), key=str)], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def get(session, draft_id: int) -> ProcessDraft:
    draft = session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(f"there is no draft {draft_id}")
    return draft


def open_drafts(session) -> list[ProcessDraft]:
    return list(
        session.scalars(select(ProcessDraft).where(ProcessDraft.status == "open").order_by(ProcessDraft.id.desc()))
    )


def create(session, settings, actor, now, title: str = "", source: str = "current") -> ProcessDraft:
    """A new draft: a copy of the version new cases start on (``source="current"``) or of
    what is in the processes folder (``"folder"``), with the scenarios published with it."""
    if source == "folder":
        version, _ = bundles.from_folder(session, settings.processes_dir)
    else:
        version, _ = bundles.current(session, settings.processes_dir)
    scenarios = {}
    publication = bundles.latest_publication(session)
    if publication is not None and publication.version_id == version.id:
        scenarios = dict(publication.scenarios or {})
    title = " ".join((title or "").split())[:200] or f"Draft from version {version.digest[:12]}"
    draft = ProcessDraft(
        title=title,
        based_on_id=version.id,
        files=dict(version.files),
        scenarios=scenarios,
        status="open",
        created_by=actor.username,
        created_at=now,
        updated_by=actor.username,
        updated_at=now,
    )
    session.add(draft)
    session.commit()
    return draft


def _editable(draft: ProcessDraft) -> None:
    if draft.status != "open":
        raise Conflict(f"draft {draft.id} is {draft.status}: start a new draft to change the process")


def _check_revision(draft: ProcessDraft, revision) -> None:
    if revision is not None and str(revision) != str(draft.revision):
        raise Conflict(
            f"{draft.updated_by} saved this draft at {draft.updated_at:%d %B %Y %H:%M:%S} after you opened "
            f"it; reload it to see their changes",
            by=draft.updated_by,
            at=draft.updated_at,
        )


def _commit(session, draft) -> None:
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict("someone else saved this draft at the same moment; reload it") from None


def save_file(session, draft: ProcessDraft, name: str, text, revision, actor, now) -> ProcessDraft:
    """Keep the analyst's diagram or table as it is, even when it does not validate: the
    problems are shown, and nothing that does not validate runs."""
    _editable(draft)
    if name not in draft.files:
        raise NotFound(f"the draft has no file {name}")
    if not isinstance(text, str) or not text.strip():
        raise InvalidAnswers({"xml": ["The diagram is empty: nothing was saved."]})
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        megabytes = MAX_FILE_BYTES // 1024 // 1024
        raise InvalidAnswers({"xml": [f"The file is larger than {megabytes} MB: nothing was saved."]})
    _check_revision(draft, revision)
    files = dict(draft.files)
    files[name] = text
    draft.files = files
    draft.updated_by, draft.updated_at = actor.username, now
    _commit(session, draft)
    return draft


def discard(session, draft: ProcessDraft, actor, now) -> None:
    _editable(draft)
    draft.status = "discarded"
    draft.updated_by, draft.updated_at = actor.username, now
    _commit(session, draft)


# -- problems: `acro validate` on the draft ----------------------------------------------------
_problem_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def topics() -> dict[str, tuple[str, ...]]:
    from handlers import load_all

    return load_all().needs()


def catalogue(settings) -> dict[str, str]:
    return load_catalogue(settings.rules_file)


def problems(draft_or_files, settings) -> list[Problem]:
    """What `acro validate` says of the draft's files (cached by their content)."""
    files = draft_or_files.files if isinstance(draft_or_files, ProcessDraft) else draft_or_files
    key = engine_bundle.digest_of(files)
    with _cache_lock:
        if key in _problem_cache:
            _problem_cache.move_to_end(key)
            return _problem_cache[key]
    found = validate_files(files, topics(), set(catalogue(settings)), where="the draft")
    with _cache_lock:
        _problem_cache[key] = found
        while len(_problem_cache) > 64:
            _problem_cache.popitem(last=False)
    return found


def problem_element(problem: Problem) -> str | None:
    """The element id a problem names, for a marker on the diagram (None for a whole file)."""
    element = problem.element.split(" (line")[0].strip()
    return None if element.startswith("(") else element


# -- scenarios kept with the draft -------------------------------------------------------------
def suite_files(settings) -> dict[str, str]:
    folder = Path(settings.scenarios_dir)
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def scenarios(draft: ProcessDraft, settings) -> list[dict]:
    """Every scenario a run of this draft runs: the suite's, changed or withdrawn by the
    draft, and the draft's own."""
    suite = suite_files(settings)
    kept = draft.scenarios or {}
    rows = []
    for name in sorted(set(suite) | set(kept)):
        if name in kept and kept[name] is None:
            origin, text = "withdrawn", suite.get(name, "")
        elif name in kept and name in suite:
            origin, text = ("changed" if kept[name] != suite[name] else "suite"), kept[name]
        elif name in kept:
            origin, text = "draft", kept[name]
        else:
            origin, text = "suite", suite[name]
        rows.append({"file": name, "origin": origin, "text": text, "title": _title(text, name)})
    return rows


def scenario_text(draft: ProcessDraft, settings, name: str) -> str | None:
    kept = draft.scenarios or {}
    if name in kept and kept[name] is not None:
        return kept[name]
    return suite_files(settings).get(name)


def _title(text: str, name: str) -> str:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return name
    return str(data.get("name") or name) if isinstance(data, dict) else name


def check_scenario(text: str) -> dict:
    """The scenario's YAML, read the way the runner reads it; a clear message otherwise."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidAnswers({"text": [f"The scenario is not valid YAML: {exc}"]}) from None
    if not isinstance(data, dict) or "referral" not in data or not isinstance(data.get("steps"), list):
        raise InvalidAnswers({"text": ["A scenario needs a name, a referral, steps and expect (docs/scenarios.md)."]})
    for number, step in enumerate(data["steps"], 1):
        if not isinstance(step, dict) or not any(k in step for k in STEP_KINDS):
            raise InvalidAnswers({"text": [f"Step {number} must be one of {', '.join(STEP_KINDS)}."]})
    return data


def save_scenario(session, draft: ProcessDraft, name: str, text: str, actor, now, settings) -> ProcessDraft:
    _editable(draft)
    name = (name or "").strip()
    if not SCENARIO_NAME.match(name):
        raise InvalidAnswers(
            {
                "name": [
                    "Give the file a name of lower-case letters, digits, - or _, "
                    "ending .yaml (for example pending_prosecution.yaml)."
                ]
            }
        )
    check_scenario(text)
    kept = dict(draft.scenarios or {})
    kept[name] = text.replace("\r\n", "\n")
    draft.scenarios = kept
    draft.updated_by, draft.updated_at = actor.username, now
    _commit(session, draft)
    return draft


def withdraw_scenario(session, draft: ProcessDraft, name: str, actor, now, settings) -> ProcessDraft:
    """Take a scenario out of this draft's suite (the suite's own is kept on disk until publishing)."""
    _editable(draft)
    kept = dict(draft.scenarios or {})
    if name in suite_files(settings):
        kept[name] = None
    elif name in kept:
        del kept[name]
    else:
        raise NotFound(f"there is no scenario {name}")
    draft.scenarios = kept
    draft.updated_by, draft.updated_at = actor.username, now
    _commit(session, draft)
    return draft


def version_by_digest(session, prefix: str) -> ProcessVersion:
    prefix = (prefix or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{6,64}", prefix):
        raise NotFound(f"there is no version {prefix}")
    found = list(session.scalars(select(ProcessVersion).where(ProcessVersion.digest.startswith(prefix)).limit(2)))
    if len(found) != 1:
        raise NotFound(f"there is no version {prefix}")
    return found[0]
