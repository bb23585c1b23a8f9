"""Writes the sample referral emails in tests/intake/corpus/ (run from the repository root:
``python -m tests.intake.make_corpus``). The files are kept in the repository; this script
says how each was made, so a new case is added here and the corpus written again.

Good messages follow docs/referral-email.md in the ways real mail varies (encodings,
character sets, line endings, missing details); bad ones break it in the ways mail breaks.
``expected.yaml`` beside them says what intake must make of each.
"""

from __future__ import annotations

import base64
import quopri
import random
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from casework.intake.layout import render, render_body

CORPUS = Path(__file__).resolve().parent / "corpus"
DATE = "Mon, 05 Jan 2026 09:00:00 +0000"
FROM = "ACRO Criminal Records Office <referrals@acro.police.example>"
TO = "CC Workflow <cc-workflow@homeoffice.example>"
IMMIGRATION = "Request for administrative purpose immigration/deportation"


def pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying ``text`` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def referral(**changes) -> dict:
    base = {
        "subject": {
            "family_name": "Kowalski",
            "given_names": "Piotr Jan",
            "aliases": ["Peter Kowal"],
            "date_of_birth": "1988-04-12",
            "nationality": "Poland",
            "identity_documents": [{"type": "passport", "number": "EA1234567", "issuing_country": "Poland"}],
            "pnc_id": "12/345678A",
        },
        "convictions": [
            {"country": "Poland", "offence": "Robbery", "date": "2015-06-01", "sentence": "4 years' imprisonment"},
            {
                "country": "Germany",
                "offence": "Assault occasioning actual bodily harm",
                "date": "2018-02-11",
                "sentence": "18 months' imprisonment",
            },
        ],
        "interpol_check_outcome": "No trace on i24/7",
        "officer": {
            "name": "DC Sarah Hughes",
            "force": "Metropolitan Police",
            "email": "sarah.hughes@met.police.example",
            "phone": "020 7946 0001",
        },
        "request_reason": "arrest",
        "last_known_address": "14 Acacia Road, London E1 2AB",
    }
    subject = changes.pop("subject", None)
    if subject:
        base["subject"] = {**base["subject"], **subject}
    base.update(changes)
    return base


def certificate(number: str = "26/0001", filename: str = "ACRO-certificate.pdf", purpose: str = IMMIGRATION) -> dict:
    return {
        "request_purpose": purpose,
        "content": f"ACRO certificate {number}",
        "file": pdf(f"ACRO certificate {number}"),
        "filename": filename,
    }


def standard(name: str, ref: dict, cert: dict | None, **kwargs) -> bytes:
    message = render(ref, cert, message_id=f"<{name}@acro.police.example>", **kwargs)
    message["Date"] = DATE
    return bytes(message)


def headers(name: str, subject: str = "ACRO referral", message_id: bool = True) -> str:
    lines = [f"From: {FROM}", f"To: {TO}", f"Subject: {subject}", f"Date: {DATE}", "MIME-Version: 1.0"]
    if message_id:
        lines.append(f"Message-ID: <{name}@acro.police.example>")
    return "\r\n".join(lines) + "\r\n"


def multipart(name: str, parts: list[bytes], subject: str = "ACRO referral", message_id: bool = True) -> bytes:
    boundary = f"=={name}=="
    out = (
        headers(name, subject, message_id).encode()
        + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    )
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def pdf_part(content: bytes, filename: str = "ACRO-certificate.pdf") -> bytes:
    return (
        f'Content-Type: application/pdf; name="{filename}"\r\nContent-Transfer-Encoding: base64\r\n'
        f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
    ).encode() + base64.encodebytes(content).replace(b"\n", b"\r\n")


def text_part(body: bytes, charset: str = "utf-8", encoding: str = "8bit", extra: str = "") -> bytes:
    return (
        f"Content-Type: text/plain; charset={charset}{extra}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode() + body


def build() -> dict[str, bytes]:
    files = {}

    # -- good --------------------------------------------------------------------------
    files["good-plain-utf8.eml"] = standard("good-plain-utf8", referral(), certificate())

    latin = referral(
        subject={
            "family_name": "Müller",
            "given_names": "François Zoë",
            "aliases": ["Francois Muller"],
            "nationality": "France",
            "pnc_id": "15/100200B",
            "identity_documents": [{"type": "carte d'identité", "number": "FR123456", "issuing_country": "France"}],
        },
        convictions=[
            {
                "country": "Belgique",
                "offence": "Escroquerie (fraude)",
                "date": "2016-03-04",
                "sentence": "2 années d'emprisonnement",
            }
        ],
        last_known_address="5 Rue de la Paix, Londres — now 7 Elm Row, Leeds LS1 1AA".replace("—", "-"),
    )
    body = render_body(latin, certificate("26/0002")).encode("iso-8859-1")
    files["good-quoted-printable-latin1.eml"] = multipart(
        "good-quoted-printable-latin1",
        [
            text_part(quopri.encodestring(body).replace(b"\n", b"\r\n"), "iso-8859-1", "quoted-printable"),
            pdf_part(certificate("26/0002")["file"]),
        ],
        subject="=?iso-8859-1?q?ACRO_referral=3A_M=FCller?=",
    )

    slavic = referral(
        subject={
            "family_name": "Żółć",
            "given_names": "Łukasz",
            "aliases": ["Лукаш Жолч", "Λουκάς"],
            "nationality": "Poland",
            "pnc_id": "19/555666C",
        },
        officer={
            "name": "DS Siobhán Ó Briain",
            "force": "Police Service of Northern Ireland",
            "email": None,
            "phone": "028 9065 0222",
        },
    )
    body = render_body(slavic, certificate("26/0003"))
    pdf_bytes = certificate("26/0003")["file"]
    files["good-base64-utf8-names.eml"] = multipart(
        "good-base64-utf8-names",
        [
            text_part(base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n"), "UTF-8", "base64"),
            (
                b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
                b"Content-Disposition: attachment; filename*=UTF-8''Certyfikat-%C5%BB%C3%B3%C5%82%C4%87.pdf\r\n\r\n"
            )
            + base64.encodebytes(pdf_bytes).replace(b"\n", b"\r\n"),
        ],
        subject="=?UTF-8?B?" + base64.b64encode("ACRO referral: ŻÓŁĆ Łukasz".encode()).decode() + "?=",
    )

    # most details left out: some lines say "Not provided", others are missing altogether
    text = (
        "Dear colleagues,\n\nPlease find the referral below.\n\nACRO REFERRAL\n\nSUBJECT\nFamily name: Haddad\n"
        "Given names: Not provided\nDate of birth:\n\nOVERSEAS CONVICTIONS\n"
        "| Country | Offence | Date | Sentence |\n|---|---|---|---|\n\n"
        "CERTIFICATE\nRequest purpose: Criminal proceedings\n\nEND OF REFERRAL\n\nRegards,\nACRO\n"
    )
    files["good-missing-fields.eml"] = multipart(
        "good-missing-fields",
        [text_part(text.replace("\n", "\r\n").encode()), pdf_part(pdf("ACRO certificate 26/0004"))],
    )

    long_address = (
        "Flat 12, Block C, The Old Biscuit Factory, 100 Clements Road, Bermondsey, London, "
        "Greater London SE16 4DG, United Kingdom"
    )
    flowed_ref = referral(last_known_address=long_address)
    lines = []
    for line in render_body(flowed_ref, certificate("26/0005")).split("\n"):
        # a sender that wraps at 60 characters with soft (space-ended) breaks, RFC 3676
        while len(line) > 60:
            cut = line.rfind(" ", 0, 60)
            if cut <= 0:
                break
            lines.append(line[: cut + 1])
            line = line[cut + 1 :]
        lines.append(line)
    files["good-format-flowed.eml"] = multipart(
        "good-format-flowed",
        [text_part("\r\n".join(lines).encode(), extra="; format=flowed"), pdf_part(pdf("ACRO certificate 26/0005"))],
    )

    alt = MIMEMultipart("mixed", boundary="==mixed-boundary==")
    related = MIMEMultipart("related", boundary="==related-boundary==")
    alternative = MIMEMultipart("alternative", boundary="==alternative-boundary==")
    alternative.attach(
        MIMEText(
            render_body(
                referral(
                    subject={"family_name": "Ionescu", "given_names": "Maria", "pnc_id": "19/112233C", "aliases": []}
                ),
                certificate("26/0006"),
            ),
            "plain",
            "utf-8",
        )
    )
    alternative.attach(
        MIMEText(
            "<html><body><p>ACRO REFERRAL</p><p>(see the plain text)</p><img src='cid:logo'></body></html>",
            "html",
            "utf-8",
        )
    )
    related.attach(alternative)
    logo = MIMEImage(b"\x89PNG\r\n\x1a\n" + bytes(32), "png")
    logo.add_header("Content-ID", "<logo>")
    logo.add_header("Content-Disposition", "inline", filename="acro-logo.png")
    related.attach(logo)
    alt.attach(related)
    attachment = MIMEApplication(pdf("ACRO certificate 26/0006"), "pdf")
    attachment.add_header("Content-Disposition", "attachment", filename="certificate.pdf")
    alt.attach(attachment)
    for key, value in (
        ("From", FROM),
        ("To", TO),
        ("Subject", "ACRO referral: IONESCU Maria"),
        ("Date", DATE),
        ("Message-ID", "<good-multipart-alternative@acro.police.example>"),
    ):
        alt[key] = value
    files["good-multipart-alternative.eml"] = alt.as_bytes()

    files["good-no-message-id.eml"] = multipart(
        "good-no-message-id",
        [
            text_part(
                render_body(
                    referral(
                        subject={
                            "family_name": "Mensah",
                            "given_names": "Kwame",
                            "pnc_id": "08/998877Q",
                            "aliases": ["K. Mensa"],
                            "nationality": "Ghana",
                        }
                    ),
                    certificate("26/0007"),
                ).encode()
            ),
            pdf_part(pdf("ACRO certificate 26/0007")),
        ],
        message_id=False,
    )

    # a hand-written one: CRLF, headings in '==', UK dates, a value continued on an indented line
    text = (
        "ACRO REFERRAL\r\n\r\n== SUBJECT ==\r\nFamily name: Okonkwo\r\nGiven names: Chidi\r\n"
        "Date of birth: 07/09/1990\r\nNationality: Nigeria\r\nPNC ID: 11/223344D\r\n\r\n"
        "== OVERSEAS CONVICTIONS ==\r\n| Country | Offence | Date | Sentence |\r\n| --- | --- | --- | --- |\r\n"
        "| Spain | Burglary | 15/01/2019 | 3 years \\| suspended 1 year |\r\n\r\n"
        "== REQUEST ==\r\nReason for request: Witness\r\nLast known UK address: 22 Long Lane,\r\n"
        "   Southwark, London SE1 4PL\r\n\r\n== CERTIFICATE ==\r\nRequest purpose: "
        + IMMIGRATION
        + "\r\n\r\nEND OF REFERRAL\r\n"
    )
    files["good-uk-dates-crlf.eml"] = multipart(
        "good-uk-dates-crlf", [text_part(text.encode()), pdf_part(pdf("ACRO certificate 26/0008"))]
    )

    # -- bad ---------------------------------------------------------------------------
    html = EmailMessage()
    for key, value in (
        ("From", FROM),
        ("To", TO),
        ("Subject", "ACRO referral"),
        ("Date", DATE),
        ("Message-ID", "<bad-html-only@acro.police.example>"),
    ):
        html[key] = value
    html.set_content(
        "<html><body><h1>ACRO REFERRAL</h1><p>Family name: Smith</p><p>END OF REFERRAL</p></body></html>",
        subtype="html",
    )
    html.add_attachment(
        pdf("ACRO certificate 26/0101"), maintype="application", subtype="pdf", filename="certificate.pdf"
    )
    html.set_boundary("==html-only-boundary==")
    files["bad-html-only.eml"] = bytes(html)

    files["bad-no-attachment.eml"] = standard("bad-no-attachment", referral(), None)

    files["bad-garbage.eml"] = random.Random(5).randbytes(3000)

    files["bad-not-a-referral.eml"] = multipart(
        "bad-not-a-referral",
        [
            text_part(b"Hello,\r\n\r\nPlease see the attached certificate. Details to follow.\r\n\r\nACRO\r\n"),
            pdf_part(pdf("ACRO certificate 26/0102")),
        ],
        subject="Re: your query",
    )

    body = render_body(referral(), certificate()).split("CERTIFICATE")[0]
    files["bad-truncated.eml"] = multipart(
        "bad-truncated", [text_part(body.encode()), pdf_part(pdf("ACRO certificate 26/0103"))]
    )

    body = render_body(referral(), certificate()).replace("Date of birth:", "Date of brith:")
    files["bad-unknown-label.eml"] = multipart(
        "bad-unknown-label", [text_part(body.encode()), pdf_part(pdf("ACRO certificate 26/0104"))]
    )

    body = render_body(referral(), certificate()).replace("Date of birth: 1988-04-12", "Date of birth: 31/02/1988")
    files["bad-impossible-date.eml"] = multipart(
        "bad-impossible-date", [text_part(body.encode()), pdf_part(pdf("ACRO certificate 26/0105"))]
    )

    body = render_body(latin, certificate()).encode("iso-8859-1")
    files["bad-wrong-charset.eml"] = multipart(
        "bad-wrong-charset", [text_part(body, "utf-8"), pdf_part(pdf("ACRO certificate 26/0106"))]
    )

    files["bad-not-a-pdf.eml"] = multipart(
        "bad-not-a-pdf",
        [
            text_part(render_body(referral(), certificate()).encode()),
            pdf_part(b"PK\x03\x04 this is a zip file, not a PDF" + bytes(64), "certificate.pdf"),
        ],
    )

    files["bad-two-certificates.eml"] = multipart(
        "bad-two-certificates",
        [
            text_part(render_body(referral(), certificate()).encode()),
            pdf_part(pdf("ACRO certificate 26/0107"), "certificate-1.pdf"),
            pdf_part(pdf("ACRO certificate 26/0108"), "certificate-2.pdf"),
        ],
    )

    nobody = referral(subject={"family_name": None, "given_names": None, "pnc_id": None, "aliases": ["Unknown"]})
    files["bad-names-no-one.eml"] = standard("bad-names-no-one", nobody, certificate("26/0109"))

    files["bad-unexpected-attachment.eml"] = multipart(
        "bad-unexpected-attachment",
        [
            text_part(render_body(referral(), certificate()).encode()),
            pdf_part(pdf("ACRO certificate 26/0110")),
            (
                b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; "
                b'name="notes.docx"\r\nContent-Transfer-Encoding: base64\r\n'
                b'Content-Disposition: attachment; filename="notes.docx"\r\n\r\n'
                + base64.encodebytes(b"PK\x03\x04" + bytes(100)).replace(b"\n", b"\r\n")
            ),
        ],
    )
    return files


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for name, data in build().items():
        (CORPUS / name).write_bytes(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
