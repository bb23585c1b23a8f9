"""One transaction per action on a case.

``with uow:`` opens the unit; ``uow.commit()`` commits it. Leaving the block by an exception,
or with work nobody committed, rolls back, so a half-done step is never saved. Work that must follow
the commit (queueing service tasks for the worker, sending the outbox) is registered with
``after_commit``; undoing what a transaction cannot (removing files a failed step wrote) with
``on_rollback``. Commit and rollback happen here and nowhere else in the service layer.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import scoped_session


class UnitOfWork:
    def __init__(self, session):
        self.session = session
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []
        self._depth = 0

    def __enter__(self) -> UnitOfWork:
        self._depth += 1
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self._depth -= 1
        if self._depth:
            return  # an inner unit (a service method calling another): the outer one decides
        # a unit that ends without committing ends its transaction too, so that no row lock
        # (a step's FOR UPDATE) outlives it
        session = self.session() if isinstance(self.session, scoped_session) else self.session
        if exc_type is not None or session.in_transaction():
            self.rollback()

    def after_commit(self, job: Callable[[], None]) -> None:
        self._after_commit.append(job)

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._on_rollback.append(undo)

    def commit(self) -> None:
        self.session.commit()
        self._on_rollback.clear()
        jobs, self._after_commit = self._after_commit, []
        for job in jobs:
            job()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit.clear()
        undo, self._on_rollback = self._on_rollback, []
        for job in undo:
            job()
