"""The time the engine sees.

SpiffWorkflow's timers read ``datetime.now`` in their own module. The engine replaces that
name once with a class whose ``now`` asks the clock of the current context, so tests move
time instead of waiting and production uses the system clock.
"""

from __future__ import annotations

import contextlib
import contextvars
from datetime import UTC, datetime, timedelta

from . import spiff_compat


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


_SYSTEM = SystemClock()
# no default: a ContextVar's default is one shared object; the system clock is the fallback instead
_current: contextvars.ContextVar = contextvars.ContextVar("acro_clock")


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = _current.get(_SYSTEM).now()
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


spiff_compat.install_clock(_EngineDatetime)


@contextlib.contextmanager
def using(clock):
    """Run engine code with ``clock`` as the time its timers see."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
