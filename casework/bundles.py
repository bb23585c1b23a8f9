"""Process versions: the files of ``processes/`` stored once per content hash, parsed once
per process run."""
from __future__ import annotations

import threading

from sqlalchemy import select

from engine import bundle as engine_bundle

from .models import ProcessVersion

_parsed: dict[str, engine_bundle.Bundle] = {}
_lock = threading.Lock()


def parsed(files: dict[str, str], main: str) -> engine_bundle.Bundle:
    digest = engine_bundle.digest_of(files)
    with _lock:
        if digest not in _parsed:
            _parsed[digest] = engine_bundle.parse(files, main)
        return _parsed[digest]


def current(session, processes_dir, main: str = engine_bundle.MAIN_PROCESS) -> tuple[ProcessVersion, engine_bundle.Bundle]:
    """The version new cases start on: what is in ``processes_dir`` now."""
    files = engine_bundle.read_dir(processes_dir)
    bundle = parsed(files, main)
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.digest == bundle.digest)).first()
    if version is None:
        version = ProcessVersion(digest=bundle.digest, main_process=main, files=files)
        session.add(version)
        session.flush()
    return version, bundle


def for_version(version: ProcessVersion) -> engine_bundle.Bundle:
    """The version a running case started on, whatever is in ``processes/`` now."""
    with _lock:
        cached = _parsed.get(version.digest)
    # the files column is deferred: read only when this process has not parsed the version
    return cached or parsed(version.files, version.main_process)
