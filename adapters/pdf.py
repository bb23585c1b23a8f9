"""Forms, notices and submissions as PDF files.

The text is set in DejaVu Sans, a TrueType font embedded in the file, because subjects'
names come in every Latin, Cyrillic and Greek spelling and the PDF core fonts only know
Latin-1: "Łukasz Żółć" must print as written, not as question marks.
"""

from __future__ import annotations

import copy
import io
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap

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


# Parsing a TrueType file (its character map, widths and glyph ids) is about a third of a
# document's time, and the result is the same for every document: each font is parsed once per
# process and each document gets a copy with its own per-document state. fpdf2 writes the
# embedded subset into the font's fontTools object, so every copy opens its own from the
# file's bytes (cheap: the tables are read when the subset is made). Tied to fpdf2 2.8's
# TTFFont; tests/unit/test_pdf.py checks the bytes are those of a font added afresh.
_parsed: dict[tuple[str, str, float], tuple] = {}
_parsed_lock = threading.Lock()


def _add_font(pdf: FPDF, style: str, path: Path) -> None:
    fontkey = f"{FONT_FAMILY.lower()}{style}"
    key = (str(path), style, path.stat().st_mtime)
    with _parsed_lock:
        found = _parsed.get(key)
        if found is None:
            scratch = FPDF()
            scratch.add_font(FONT_FAMILY, style, str(path))
            # the parsed tables are kept; the file the parse left open is not needed again
            scratch.fonts[fontkey].ttfont.close()
            found = _parsed[key] = (scratch.fonts[fontkey], path.read_bytes())
    parsed, data = found
    font = copy.copy(parsed)  # what fpdf2 only reads is shared: widths, character map, glyph ids
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    pdf.fonts[fontkey] = font


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
        _add_font(pdf, style, path)
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
