"""The service layer: every action on a case is one unit of work.

``Casework`` is what the pages, the API, the command line, intake and the worker call. Its
methods come from one module per concern:

- ``cases``: starting a case from a referral, delivering a message to a waiting case;
- ``tasks``: claiming, releasing, assigning and completing user tasks;
- ``operations``: due timers, incident retries, work for the background worker, the outbox;
- ``data_protection``: the access log and its export (FD-1);
- ``steps``: the step runner that each of them uses to move a case and save it.
"""

from __future__ import annotations

from ..errors import CaseworkError, Conflict, Forbidden, InvalidAnswers, NotFound, StepFailed
from ..permissions import SYSTEM, Actor, Policy
from ..unit_of_work import UnitOfWork
from .cases import AlreadyReceived, CaseActions
from .data_protection import DataProtection
from .operations import Operations
from .steps import StepRunner
from .tasks import TaskActions

__all__ = [
    "Casework",
    "Actor",
    "SYSTEM",
    "CaseworkError",
    "Conflict",
    "Forbidden",
    "InvalidAnswers",
    "NotFound",
    "StepFailed",
    "AlreadyReceived",
]


class Casework(CaseActions, TaskActions, Operations, DataProtection):
    def __init__(self, session, engine, registry, settings, sender=None, queue=None, policy: Policy | None = None):
        self.session = session
        self.uow = UnitOfWork(session)
        self.engine = engine
        self.registry = registry
        self.settings = settings
        self.sender = sender
        self.queue = queue
        self.policy = policy or Policy.from_settings(settings)
        self.steps = StepRunner(self.uow, engine, registry, settings, queue=queue, dispatch=self._send_outbox)

    @property
    def clock(self):
        return self.engine.clock

    def _send_outbox(self) -> None:
        if self.queue is not None:
            self.queue.dispatch_outbox()
        else:
            self.dispatch_outbox()
