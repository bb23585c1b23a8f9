"""Process versions: the files of ``processes/`` stored once per content hash, parsed once
per process run."""

from __future__ import annotations

import threading

from sqlalchemy import select

from engine import bundle as engine_bundle

from .models import ProcessPublication, ProcessVersion

_parsed: dict[str, engine_bundle.Bundle] = {}
_lock = threading.Lock()


def parsed(files: dict[str, str], main: str) -> engine_bundle.Bundle:
    digest = engine_bundle.digest_of(files)
    with _lock:
        if digest not in _parsed:
            _parsed[digest] = engine_bundle.parse(files, main)
        return _parsed[digest]


def current(
    session, processes_dir, main: str = engine_bundle.MAIN_PROCESS
) -> tuple[ProcessVersion, engine_bundle.Bundle]:
    """The version new cases start on: the one an analyst published last (the workbench), or,
    before anyone has published, what is in ``processes_dir`` now."""
    published = latest_publication(session)
    if published is not None:
        version = session.get(ProcessVersion, published.version_id)
        return version, for_version(version)
    return from_folder(session, processes_dir, main)


def latest_publication(session) -> ProcessPublication | None:
    return session.scalars(select(ProcessPublication).order_by(ProcessPublication.id.desc()).limit(1)).first()


def from_folder(
    session, processes_dir, main: str = engine_bundle.MAIN_PROCESS
) -> tuple[ProcessVersion, engine_bundle.Bundle]:
    """The version in ``processes_dir``, stored once by its hash."""
    files = engine_bundle.read_dir(processes_dir)
    bundle = parsed(files, main)
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.digest == bundle.digest)).first()
    if version is None:
        version = stored(session, files, main)
    return version, bundle


def stored(session, files: dict[str, str], main: str = engine_bundle.MAIN_PROCESS) -> ProcessVersion:
    """The version row of these files, added when it is new."""
    digest = engine_bundle.digest_of(files)
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.digest == digest)).first()
    if version is None:
        version = ProcessVersion(digest=digest, main_process=main, files=files)
        session.add(version)
        session.flush()
    return version


def for_version(version: ProcessVersion) -> engine_bundle.Bundle:
    """The version a running case started on, whatever is in ``processes/`` now."""
    with _lock:
        cached = _parsed.get(version.digest)
    # the files column is deferred: read only when this process has not parsed the version
    return cached or parsed(version.files, version.main_process)
