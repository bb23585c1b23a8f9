"""The read side: what the pages and the API show. Nothing here changes data.

One module per area: ``tasks`` (queues, counts, a case's tasks), ``cases`` (a case as its
page and the API show it, its documents, search), ``dashboard``, ``people``. Task lists read
the ``user_task`` table and cases their own row, never a workflow; only a case's progress
(casework/progress.py) restores its instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_SIZE = 20


@dataclass
class Page:
    """One page of a longer list: its items, how many there are in all, which page this is."""

    items: list
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def page_of(session, query, count_query, number: int, size: int = PAGE_SIZE, scalars: bool = True) -> Page:
    number = max(1, number)
    total = session.scalar(count_query) or 0
    rows = (session.scalars if scalars else session.execute)(query.offset((number - 1) * size).limit(size))
    return Page(list(rows), total, number, size)
