"""Forms, notices and submissions as PDF files.

The text is set in DejaVu Sans, a TrueType font embedded in the file, because subjects'
names come in every Latin, Cyrillic and Greek spelling and the PDF core fonts only know
Latin-1: "Łukasz Żółć" must print as written, not as question marks.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_FAMILY = "DejaVuSans"
MARKING = "OFFICIAL - SENSITIVE"


class FontMissing(FileNotFoundError):
    """The TrueType font the documents need is not installed."""


def font_paths(font_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """The regular and bold font files: from the argument, else ACRO_PDF_FONT_DIR, else Debian's."""
    folder = Path(font_dir or os.environ.get("ACRO_PDF_FONT_DIR") or DEFAULT_FONT_DIR)
    paths = {style: folder / name for style, name in FONT_FILES.items()}
    for path in paths.values():
        if not path.is_file():
            raise FontMissing(
                f"font file {path} not found: install the Debian package fonts-dejavu-core "
                f"(apt-get install fonts-dejavu-core) or set ACRO_PDF_FONT_DIR to a folder "
                f"holding {' and '.join(FONT_FILES.values())}"
            )
    return paths


class _Document(FPDF):
    """A4 pages with the security marking at the top and page numbers at the foot."""

    def header(self):
        self.set_font(FONT_FAMILY, "B", 9)
        self.cell(0, 5, MARKING, align="C")
        self.ln(4)

    def footer(self):
        self.set_y(-15)
        self.set_font(FONT_FAMILY, "", 8)
        self.cell(0, 5, MARKING, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def _paragraph(pdf: FPDF, height: float, text: str) -> None:
    """Full-width text, wrapped, then on to the next line."""
    # ragged right, as GOV.UK writes: fpdf2 justifies by default, which stretches the
    # spaces of short lines and makes the text harder to read (and to search)
    pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def render(
    title: str,
    case_reference: str,
    subject_name: str,
    sections: list[tuple[str, str]],
    generated_at: datetime,
    font_dir: str | os.PathLike | None = None,
) -> bytes:
    """The document as PDF bytes: marking, title, case reference, subject, then each section."""
    fonts = font_paths(font_dir)
    if generated_at.tzinfo is None:  # times we store are UTC
        generated_at = generated_at.replace(tzinfo=UTC)
    pdf = _Document(format="A4")
    for style, path in fonts.items():
        pdf.add_font(FONT_FAMILY, style, str(path))
    pdf.set_title(f"{case_reference}: {title}")
    pdf.set_author("Criminal Casework, Home Office")
    pdf.set_subject(title)
    # the same inputs give the same bytes, so a stored copy can be checked against its hash
    pdf.set_creation_date(generated_at)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.set_font(FONT_FAMILY, "B", 16)
    _paragraph(pdf, 8, title)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 11)
    for line in (
        f"Case reference: {case_reference}",
        f"Subject: {subject_name}",
        f"Generated: {generated_at.astimezone(UTC):%d %B %Y %H:%M} UTC",
    ):
        _paragraph(pdf, 6, line)

    for heading, text in sections:
        pdf.ln(4)
        pdf.set_font(FONT_FAMILY, "B", 12)
        _paragraph(pdf, 7, heading)
        pdf.set_font(FONT_FAMILY, "", 11)
        _paragraph(pdf, 6, text if text else "Not provided")
    return bytes(pdf.output())
