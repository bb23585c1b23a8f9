"""Publishing a draft: it becomes the version new cases start on. Nothing else changes:
running cases stay on their versions until an analyst moves them."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from engine import bundle as engine_bundle

from .. import bundles
from ..errors import Conflict, InvalidAnswers
from ..models import Case, ProcessDraft, ProcessPublication, ProcessVersion
from . import drafts, runs


def blockers(session, draft: ProcessDraft, settings) -> list[str]:
    """Why the draft cannot be published yet; none means it can."""
    reasons = []
    if draft.status != "open":
        return [f"the draft is {draft.status}"]
    found = drafts.problems(draft, settings)
    if found:
        reasons.append(f"it has {len(found)} validation problem{'s' if len(found) != 1 else ''}")
    run = runs.latest(session, draft)
    if run is None:
        reasons.append("the scenarios have not been run")
    elif run.digest != drafts.digest(draft):
        reasons.append("the draft has changed since the scenarios were last run: run them again")
    elif run.state == "running":
        reasons.append("the scenarios are still running")
    elif run.state == "error":
        reasons.append("the last run of the scenarios could not finish")
    else:
        summary = runs.summary(run)
        if summary["failed"]:
            reasons.append(f"{summary['failed']} scenario{'s' if summary['failed'] != 1 else ''} failed")
        if not summary["complete"]:
            reasons.append("the scenarios do not cover every step, flow and rule")
    current, _ = bundles.current(session, settings.processes_dir)
    if engine_bundle.digest_of(draft.files) == current.digest and not draft.scenarios:
        reasons.append("it is the same as the version cases start on now")
    return reasons


def publish(session, draft: ProcessDraft, reason: str, actor, settings, now) -> ProcessPublication:
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidAnswers({"reason": ["Enter why you are publishing this version"]})
    problems = blockers(session, draft, settings)
    if problems:
        raise Conflict("the draft cannot be published: " + "; ".join(problems))
    previous, _ = bundles.current(session, settings.processes_dir)
    version = bundles.stored(session, dict(draft.files))
    run = runs.latest(session, draft)
    publication = ProcessPublication(
        version_id=version.id,
        previous_version_id=previous.id,
        draft_id=draft.id,
        run_id=run.id,
        published_by=actor.username,
        published_at=now,
        reason=reason,
        scenarios=dict(draft.scenarios or {}),
    )
    if settings.publish_to_folder:
        publication.written_to = write_folder(settings, draft.files, draft.scenarios or {})
    draft.status = "published"
    draft.updated_by, draft.updated_at = actor.username, now
    session.add(publication)
    session.commit()
    return publication


def write_folder(settings, files: dict[str, str], scenarios: dict) -> str | None:
    """Write the version into the processes folder, and the scenarios kept with it into the
    scenario folder, so that they can be committed. A folder that cannot be written is left
    alone (the version is offered as a zip instead)."""
    folder = Path(settings.processes_dir)
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        return None
    for name, text in files.items():
        _write(folder / name, text)
    for stale in folder.iterdir():
        if stale.suffix in (".bpmn", ".dmn") and stale.name not in files:
            stale.unlink()
    suite = Path(settings.scenarios_dir)
    if scenarios and suite.is_dir() and os.access(suite, os.W_OK):
        for name, text in scenarios.items():
            if text is None:
                (suite / name).unlink(missing_ok=True)
            else:
                _write(suite / name, text)
    return str(folder)


def _write(path: Path, text: str) -> None:
    # a reader of the folder sees the old file or the new one, never half of one
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def zip_of(version: ProcessVersion, scenarios: dict | None) -> bytes:
    """The version's files under processes/, and its scenarios under tests/scenarios/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(version.files.items()):
            archive.writestr(f"processes/{name}", text)
        for name, text in sorted((scenarios or {}).items()):
            if text is not None:
                archive.writestr(f"tests/scenarios/{name}", text)
    return buffer.getvalue()


def folder_state(session, settings) -> dict:
    """Whether the folder on disk holds the version cases start on (it should, once committed)."""
    current, _ = bundles.current(session, settings.processes_dir)
    try:
        folder_digest = engine_bundle.digest_of(engine_bundle.read_dir(settings.processes_dir))
    except (FileNotFoundError, NotADirectoryError, OSError) as exc:
        return {"differs": True, "folder": str(settings.processes_dir), "error": str(exc), "folder_digest": None}
    return {
        "differs": folder_digest != current.digest,
        "folder": str(settings.processes_dir),
        "folder_digest": folder_digest,
        "error": None,
    }


def history(session) -> list[dict]:
    """Every version known, newest first: who published it, when and why, and how many open
    cases run on it."""
    open_counts = dict(
        session.execute(
            select(Case.process_version_id, func.count())
            .where(Case.state != "closed")
            .group_by(Case.process_version_id)
        ).all()
    )
    publications = {}
    for publication in session.scalars(select(ProcessPublication).order_by(ProcessPublication.id)):
        publications.setdefault(publication.version_id, []).append(publication)
    rows = []
    for version in session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())):
        published = publications.get(version.id, [])
        rows.append(
            {
                "version": version,
                "digest": version.digest,
                "short": version.digest[:12],
                "publications": published,
                "last_published": published[-1] if published else None,
                "open_cases": open_counts.get(version.id, 0),
            }
        )
    return rows


def scenarios_of(session, version: ProcessVersion) -> dict:
    publication = session.scalars(
        select(ProcessPublication)
        .where(ProcessPublication.version_id == version.id)
        .order_by(ProcessPublication.id.desc())
        .limit(1)
    ).first()
    return dict(publication.scenarios or {}) if publication is not None else {}
