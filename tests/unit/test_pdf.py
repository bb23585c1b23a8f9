import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from adapters import pdf

GENERATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _render(subject="Łukasz ŻÓŁĆ", sections=None, **kwargs):
    return pdf.render(
        "Stage 1 Decision Notice",
        "ACRO-2026-000012",
        subject,
        sections if sections is not None else [("Response deadline", "Thursday 15 January 2026")],
        GENERATED,
        **kwargs,
    )


def test_the_pdf_has_the_marking_reference_subject_and_sections():
    content = _render()
    assert content.startswith(b"%PDF-")
    text = _text(content)
    for expected in (
        "OFFICIAL - SENSITIVE",
        "Stage 1 Decision Notice",
        "Case reference: ACRO-2026-000012",
        "Subject: Łukasz ŻÓŁĆ",
        "Response deadline",
        "Thursday 15 January 2026",
        "Page 1 of 1",
    ):
        assert expected in text


@pytest.mark.parametrize("name", ["Łukasz Żółć", "Дмитрий Иванов", "Ελένη Παπαδοπούλου", "Zoë Ærøskøbing"])
def test_names_in_latin_cyrillic_and_greek_scripts_survive(name):
    text = _text(_render(subject=name, sections=[("To", name)]))
    assert f"Subject: {name}" in text
    assert text.count(name) >= 2


def test_long_text_wraps_onto_numbered_pages():
    content = _render(sections=[("Reasons", "The offences are serious. " * 600)])
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    last = len(reader.pages)
    assert f"Page {last} of {last}" in reader.pages[-1].extract_text()
    assert "OFFICIAL - SENSITIVE" in reader.pages[-1].extract_text()


def test_the_same_input_gives_the_same_bytes():
    assert _render() == _render()


def test_a_missing_font_names_the_path_and_the_debian_package(tmp_path):
    with pytest.raises(pdf.FontMissing) as caught:
        _render(font_dir=tmp_path)
    assert str(tmp_path / "DejaVuSans.ttf") in str(caught.value)
    assert "fonts-dejavu-core" in str(caught.value)


def test_the_font_folder_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ACRO_PDF_FONT_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        _render()
    monkeypatch.setenv("ACRO_PDF_FONT_DIR", pdf.DEFAULT_FONT_DIR)
    assert "Łukasz ŻÓŁĆ" in _text(_render())


def _fresh_font(document, style, path):
    document.add_font(pdf.FONT_FAMILY, style, str(path))


@pytest.mark.parametrize("order", [("Łukasz ŻÓŁĆ", "Дмитрий ИВАНОВ", "Γιώργος ΠΑΠΑΔΟΠΟΥΛΟΣ", "Ann LEE")])
def test_fonts_kept_across_documents_give_the_bytes_of_fonts_read_afresh(order, monkeypatch):
    # one after the other, so a glyph one document used must not reach the next one's subset
    kept = [_render(subject) for subject in order]
    monkeypatch.setattr(pdf, "_add_font", _fresh_font)
    fresh = [_render(subject) for subject in order]
    assert kept == fresh
    assert len(set(kept)) == len(order)
