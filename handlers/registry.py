"""Which function does the work of each service-task topic.

A handler is a plain function ``handler(data, *, case_store, ...)`` registered with
``@registry.topic("case-record.create")``. It declares, as keyword-only parameters, only
the adapters it needs; ``Registry.run`` passes exactly those, so a handler cannot reach an
edge (the mailer, the clock) it did not ask for, and a test can see from the signature what
a handler touches.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

# every edge a handler may ask for (``wording``: the text the diagram gives the step, its
# extension properties, so correspondence is the analysts' to write); a parameter outside this
# set is a typo, refused at registration rather than at 2 a.m. when the task first runs
ADAPTERS = frozenset({"case_store", "mailer", "documents", "clock", "settings", "process_data", "wording"})

# one module per outside party or record; load_all imports them so their topics register
HANDLER_MODULES = (
    "handlers.case_record",
    "handlers.certificate",
    "handlers.acro",
    "handlers.pnc_bureau",
    "handlers.nbtc",
    "handlers.ice",
    "handlers.police",
    "handlers.notices",
    "handlers.director",
    "handlers.removals",
)


class UnknownTopic(LookupError):
    """No handler is registered for a service task's topic."""


class DuplicateTopic(ValueError):
    """Two handlers claim the same topic."""


class AdapterMismatch(TypeError):
    """A handler's signature and the adapters offered to it do not fit."""


@dataclass(frozen=True)
class _Entry:
    function: Callable
    adapters: tuple[str, ...]
    wording: tuple[str, ...] = ()


def _declared_adapters(function: Callable) -> tuple[str, ...]:
    """The adapters a handler asks for, checked once so that run() needs no guessing."""
    parameters = list(inspect.signature(function).parameters.values())
    name = getattr(function, "__qualname__", repr(function))
    if not parameters or parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise AdapterMismatch(f"handler {name} must take the process data as its first parameter")
    adapters = []
    for parameter in parameters[1:]:
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise AdapterMismatch(
                f"handler {name}: parameter {parameter.name!r} must be keyword-only "
                f"(write it after '*'); handlers receive adapters by name only"
            )
        if parameter.name not in ADAPTERS:
            raise AdapterMismatch(
                f"handler {name} asks for an unknown adapter {parameter.name!r}; "
                f"known adapters: {', '.join(sorted(ADAPTERS))}"
            )
        adapters.append(parameter.name)
    return tuple(adapters)


class Registry:
    """Topic -> handler function."""

    def __init__(self):
        self._entries: dict[str, _Entry] = {}

    def topic(self, name: str, wording: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
        """Register the decorated function as the handler of ``name``; ``wording``: the extension
        properties its service task must carry (the text it sends), checked by ``acro validate``."""

        def register(function: Callable) -> Callable:
            if name in self._entries:
                existing = self._entries[name].function
                raise DuplicateTopic(
                    f"topic {name!r} is already handled by {existing.__module__}.{existing.__qualname__}; "
                    f"cannot register {function.__module__}.{function.__qualname__} as well"
                )
            self._entries[name] = _Entry(function, _declared_adapters(function), tuple(wording))
            return function

        return register

    def topics(self) -> list[str]:
        return sorted(self._entries)

    def needs(self) -> dict[str, tuple[str, ...]]:
        """Each topic with the wording its service task must give it."""
        return {topic: entry.wording for topic, entry in sorted(self._entries.items())}

    def adapters_for(self, topic: str) -> tuple[str, ...]:
        """The adapters the handler of ``topic`` declares."""
        return self._entry(topic).adapters

    def _entry(self, topic: str) -> _Entry:
        try:
            return self._entries[topic]
        except KeyError:
            known = ", ".join(self.topics()) or "none (was handlers.load_all() called?)"
            raise UnknownTopic(f"no handler is registered for topic {topic!r}; registered topics: {known}") from None

    def run(self, topic: str, data: dict, **adapters) -> dict:
        """Do the work of ``topic`` on a copy of ``data`` and return what to merge into it."""
        entry = self._entry(topic)
        missing = [name for name in entry.adapters if name not in adapters]
        if missing:
            raise AdapterMismatch(
                f"handler for topic {topic!r} needs the adapter(s) {', '.join(missing)}, "
                f"which were not offered (offered: {', '.join(sorted(adapters)) or 'none'})"
            )
        # a copy: a handler changes the case only through what it returns
        result = entry.function(dict(data), **{name: adapters[name] for name in entry.adapters})
        if result is None:
            return {}
        if not isinstance(result, dict):
            raise TypeError(f"handler for topic {topic!r} returned {type(result).__name__}, not a dict or None")
        return result


registry = Registry()


def load_all() -> Registry:
    """Import every handler module so that its topics are registered; safe to call twice."""
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    return registry
