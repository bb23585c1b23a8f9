"""Service-task handlers, one module per outside party or record.

Importing this package registers nothing and imports no Flask; call ``load_all()`` to
import the handler modules and fill ``registry``.
"""

from .registry import Registry, UnknownTopic, load_all, registry

__all__ = ["Registry", "UnknownTopic", "load_all", "registry"]
