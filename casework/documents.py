"""Generated documents (``documents``): rendered to PDF, written under the documents folder,
recorded with the case. Files of a step that fails are removed with its rollback."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from adapters import pdf

from .models import Case, Document


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "document"


class DocumentStore:
    def __init__(self, session, case: Case, subject_name: str, documents_dir: Path, clock):
        self.session = session
        self.case = case
        self.subject_name = subject_name
        self.documents_dir = Path(documents_dir)
        self.clock = clock
        self.written: list[Path] = []
        self.created: list[int] = []  # the ids of the documents written, in order

    def create(self, kind: str, title: str, sections: list[tuple[str, str]]) -> dict:
        now = self.clock.now()
        content = pdf.render(title, self.case.reference, self.subject_name, sections, now)
        document = Document(
            case_id=self.case.id,
            kind=kind,
            title=title,
            filename="",
            path="",
            sha256=hashlib.sha256(content).hexdigest(),
            created_at=now,
        )
        self.session.add(document)
        self.session.flush()
        folder = self.documents_dir / self.case.reference
        folder.mkdir(parents=True, exist_ok=True)
        document.filename = f"{self.case.reference}-{document.id}-{_slug(kind)}.pdf"
        path = folder / document.filename
        path.write_bytes(content)
        document.path = str(path)
        self.written.append(path)
        self.created.append(document.id)
        return {"id": document.id, "kind": kind, "title": title, "filename": document.filename}

    def discard_written(self, since: int = 0) -> None:
        """The step (or, from ``since`` on, one handler) failed: its rows are rolled back, so
        its files go too."""
        for path in self.written[since:]:
            path.unlink(missing_ok=True)
        del self.written[since:]
