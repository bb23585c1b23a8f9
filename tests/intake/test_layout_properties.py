"""Property-based tests of the referral email parser (hypothesis).

Whatever arrives, ``parse`` gives a referral or raises ReferralEmailError, never anything
else; and any referral written in the documented layout reads back as itself.
"""

import os
import string
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casework.intake import ReferralEmailError, parse, parse_body, render, render_body
from casework.referral import LIMITS
from tests.intake.make_corpus import pdf

SETTINGS = settings(
    max_examples=int(os.environ.get("ACRO_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# text as people write it in one field: no line breaks or control characters; surrounding
# spaces are not kept (the layout trims them), and "Not provided" means absent
CHARS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))


def text(limit: int = 60):
    return (
        st.text(CHARS, min_size=1, max_size=min(limit, 60))
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: s and s.casefold() != "not provided")
    )


def maybe(strategy):
    return st.one_of(st.none(), strategy)


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
documents = st.fixed_dictionaries(
    {
        "type": maybe(text(LIMITS["document_type"])),
        "number": maybe(text(LIMITS["document_number"])),
        "issuing_country": maybe(text(LIMITS["issuing_country"])),
    }
)
convictions = st.fixed_dictionaries(
    {
        "country": maybe(text(LIMITS["country"])),
        "offence": maybe(text()),
        "date": maybe(dates),
        "sentence": maybe(text()),
    }
)


def _has_something(row: dict) -> bool:
    return any(v is not None for v in row.values())


@st.composite
def referrals(draw):
    subject = {
        "family_name": draw(maybe(text(LIMITS["family_name"]))),
        "given_names": draw(maybe(text(LIMITS["given_names"]))),
        "aliases": draw(st.lists(text(LIMITS["alias"]), max_size=3, unique=True)),
        "date_of_birth": draw(maybe(dates)),
        "nationality": draw(maybe(text(LIMITS["nationality"]))),
        "identity_documents": draw(st.lists(documents.filter(_has_something), max_size=2)),
        "pnc_id": draw(maybe(text(LIMITS["pnc_id"]))),
    }
    if not (subject["family_name"] or subject["given_names"] or subject["pnc_id"]):
        subject["family_name"] = draw(text(LIMITS["family_name"]))
    return {
        "subject": subject,
        "convictions": draw(st.lists(convictions.filter(_has_something), max_size=3)),
        "interpol_check_outcome": draw(maybe(text())),
        "officer": {
            "name": draw(maybe(text(LIMITS["officer_name"]))),
            "force": draw(maybe(text(LIMITS["force"]))),
            "email": draw(maybe(text(LIMITS["email"]))),
            "phone": draw(maybe(text(LIMITS["phone"]))),
        },
        "request_reason": draw(st.sampled_from([None, "victim", "witness", "arrest"])),
        "last_known_address": draw(maybe(text())),
    }


certificates = st.fixed_dictionaries(
    {
        "request_purpose": maybe(text()),
        "content": maybe(text()),
        "filename": text(40).map(lambda s: s.replace("/", "_").replace("\\", "_").strip() + ".pdf"),
    }
)


@SETTINGS
@given(referral=referrals(), certificate=certificates)
def test_a_referral_written_in_the_layout_reads_back_as_itself(referral, certificate):
    certificate = {**certificate, "file": pdf("certificate")}
    email = parse(bytes(render(referral, certificate)))
    assert email.referral == referral
    assert email.certificate["request_purpose"] == certificate["request_purpose"]
    assert email.certificate["content"] == certificate["content"]
    assert email.certificate["file"] == certificate["file"]


@SETTINGS
@given(data=st.binary(max_size=4000))
@example(data=b"\x00")
@example(data=b'Content-Type: multipart/mixed; boundary=""\n\n--\n')
@example(data=b"Content-Type: text/plain; charset*=''\n\nx")
@example(data=b"Content-Type: text/plain; charset=\"utf-8\"; format*=utf-8''flowed\n\nx")
def test_any_bytes_give_a_referral_or_the_parsers_own_error(data):
    try:
        parse(data)
    except ReferralEmailError:
        pass


HEADER_LINES = st.sampled_from(
    [
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Type: text/plain; format=flowed; delsp=yes",
        "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Type: multipart/mixed; boundary=b",
        "Content-Type: application/pdf; name=x.pdf",
        "Content-Disposition: attachment; filename*=UTF-8''%C5%BB.pdf",
        "Content-Type: text/html",
        "MIME-Version: 1.0",
        "Message-ID: <x@y>",
        "Subject: =?utf-8?b?w4Q=?=",
        "From: =?bogus?q?x?= <a@b>",
        'Content-Type: text/plain; charset="unknown-8bit"',
    ]
)


@SETTINGS
@given(
    headers=st.lists(HEADER_LINES, max_size=5),
    body=st.text(max_size=500),
    parts=st.lists(st.tuples(st.lists(HEADER_LINES, max_size=3), st.binary(max_size=200)), max_size=3),
)
def test_mangled_mime_gives_a_referral_or_the_parsers_own_error(headers, body, parts):
    data = ("\n".join(headers) + "\n\n" + body).encode("utf-8", "surrogatepass")
    for part_headers, payload in parts:
        data += b"\n--b\n" + "\n".join(part_headers).encode() + b"\n\n" + payload
    try:
        parse(data)
    except ReferralEmailError:
        pass


LINES = st.one_of(
    st.text(CHARS, max_size=40),
    st.sampled_from(
        [
            "SUBJECT",
            "IDENTITY DOCUMENTS",
            "OVERSEAS CONVICTIONS",
            "REQUEST",
            "CERTIFICATE",
            "",
            "| Country | Offence | Date | Sentence |",
            "|---|---|---|---|",
            "| a | b | c | d |",
            "| \\| |",
            "Date of birth: 1990-13-45",
            "Date of birth: 01/01/0000",
            "Reason for request: arrest",
            "Alias: Not provided",
            "  continued",
            "\t| x",
            "Family name:",
            "PNC ID: 1/2",
            "ACRO REFERRAL",
            "END OF REFERRAL",
            "== REQUESTING OFFICER ==",
            "Name: x",
        ]
    ),
    st.builds(
        lambda label, value: f"{label}: {value}",
        st.sampled_from(
            [
                "Family name",
                "Given names",
                "Nationality",
                "Email",
                "Summary",
                "Date",
                "i24/7 check outcome",
                "Last known UK address",
            ]
        ),
        st.text(CHARS, max_size=30),
    ),
)


@SETTINGS
@given(lines=st.lists(LINES, max_size=30))
def test_any_body_gives_a_referral_or_the_parsers_own_error(lines):
    text = "\n".join(["ACRO REFERRAL", "SUBJECT", "Family name: X", *lines, "END OF REFERRAL"])
    try:
        referral, _ = parse_body(text)
    except ReferralEmailError:
        return
    # what it reads, it reads completely: writing it again and reading that gives the same
    again, _ = parse_body(render_body(referral))
    assert again == referral


@SETTINGS
@given(referral=referrals(), cut=st.integers(min_value=0, max_value=5000), junk=st.text(string.printable, max_size=20))
def test_a_damaged_referral_gives_a_referral_or_the_parsers_own_error(referral, cut, junk):
    data = bytes(render(referral, {"request_purpose": None, "content": None, "file": pdf("c"), "filename": "c.pdf"}))
    cut = min(cut, len(data))
    try:
        parse(data[:cut] + junk.encode() + data[cut:])
    except ReferralEmailError:
        pass
