"""Workflows kept in this process from one step of a case to the next, so that a step does not
restore the state the step before it saved a moment ago (restoring was 11% of a referral's CPU
in the service layer, issue 14).

A kept workflow is used only while it is exactly what the database holds: the state it was
saved as must equal the case's stored state, on the same bundle. A step that rolled back, a
case moved to another version, another process's step, a test that wrote the state itself:
each makes the two differ, and the case is restored as before. A workflow is taken out while a
request uses it, so no two requests share one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

SIZE = 64  # cases kept per process: a finished referral's workflow is about 150 KB of objects, so 10 MB


class RestoredWorkflows:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id, bundle, state: dict):
        """The workflow kept for this case, if it is the one ``state`` on ``bundle`` describes."""
        with self._lock:
            kept = self._kept.pop(case_id, None)
        if kept is None:
            return None
        kept_bundle, kept_state, workflow = kept
        if kept_bundle is not bundle or kept_state != state:
            return None
        return workflow

    def keep(self, case_id, bundle, state: dict, workflow) -> None:
        """Call only once ``state`` is committed: it is what the next step will find."""
        if case_id is None:
            return
        with self._lock:
            self._kept[case_id] = (bundle, state, workflow)
            self._kept.move_to_end(case_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


WORKFLOWS = RestoredWorkflows()
