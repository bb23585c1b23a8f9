"""The referral email layout (docs/referral-email.md): the sample corpus, the round trip of
the scenario referrals, and each way a body can break it."""

from pathlib import Path

import pytest
import yaml

from casework.intake import ReferralEmailError, message_key, parse, parse_body, render, render_body
from casework.referral import empty_referral
from tests.intake.make_corpus import build, certificate, pdf, referral

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
REFERRALS = HERE.parent / "scenarios" / "referrals"


def test_the_corpus_on_disk_is_what_the_generator_writes():
    built = build()
    assert sorted(built) == sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)
    for name, data in built.items():
        assert (CORPUS / name).read_bytes() == data, f"{name} is stale: run python -m tests.intake.make_corpus"


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "accepted" in e))
def test_good_samples_read_as_referrals(name):
    data = (CORPUS / name).read_bytes()
    email = parse(data)
    want = EXPECTED[name]["accepted"]
    subject = email.referral["subject"]
    for key in ("family_name", "given_names", "date_of_birth", "aliases"):
        if key in want:
            assert subject[key] == want[key]
    for key in ("last_known_address", "request_reason"):
        if key in want:
            assert email.referral[key] == want[key]
    if "convictions" in want:
        assert len(email.referral["convictions"]) == want["convictions"]
    if "certificate" in want:
        assert email.certificate["filename"] == want["certificate"]
    if "request_purpose" in want:
        assert email.certificate["request_purpose"] == want["request_purpose"]
    if "message_id" in want:
        assert message_key(data).startswith(want["message_id"])
    assert email.certificate["file"].startswith(b"%PDF-")
    # every referral has the whole shape, absent details as null or []
    assert set(email.referral) == set(empty_referral())
    assert set(subject) == set(empty_referral()["subject"])


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "quarantined" in e))
def test_bad_samples_are_refused_with_a_reason(name):
    with pytest.raises(ReferralEmailError) as refused:
        parse((CORPUS / name).read_bytes())
    assert EXPECTED[name]["quarantined"] in str(refused.value)


@pytest.mark.parametrize("persona", ["kowalski", "haddad", "ionescu", "mensah"])
def test_scenario_referrals_round_trip(persona):
    data = yaml.safe_load((REFERRALS / f"{persona}.yaml").read_text())
    cert = dict(data["certificate"], file=pdf("certificate"), filename="certificate.pdf")
    email = parse(bytes(render(data["referral"], cert)))
    assert email.referral == data["referral"]
    assert email.certificate == cert


def test_absent_details_are_written_as_not_provided_and_read_as_absent():
    body = render_body(empty_referral() | {"subject": empty_referral()["subject"] | {"pnc_id": "12/1A"}})
    assert "Nationality: Not provided" in body and "Alias: Not provided" in body
    read, cert = parse_body(body)
    assert read["subject"]["nationality"] is None and read["subject"]["aliases"] == []
    assert read["officer"] == {"name": None, "force": None, "email": None, "phone": None}
    assert cert == {"request_purpose": None, "content": None}


def test_the_message_key_is_the_message_id_or_a_stable_hash():
    with_id = bytes(render(referral(), certificate(), message_id="<abc@x>"))
    assert message_key(with_id) == "<abc@x>"
    without = with_id.replace(b"Message-ID: <abc@x>\n", b"")
    assert message_key(without).startswith("sha256:") and message_key(without) == message_key(without)
    assert message_key(without) != message_key(without + b"\n")
    assert message_key(b"\xff\xfe garbage").startswith("sha256:")


def test_an_attachment_over_the_limit_is_refused_and_the_limit_is_configurable():
    big = certificate()
    big["file"] = big["file"] + b"%" + b"x" * 2048
    data = bytes(render(referral(), big))
    with pytest.raises(ReferralEmailError, match=r"is 2\.6 KB, over the 1\.0 KB limit"):
        parse(data, max_attachment=1024)
    assert parse(data, max_attachment=1024 * 1024).certificate["file"] == big["file"]


def test_a_huge_attachment_is_refused_at_the_default_limit():
    huge = certificate()
    huge["file"] = huge["file"] + b"%" + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ReferralEmailError, match=r"is 10\.0 MB, over the 10\.0 MB limit"):
        parse(bytes(render(referral(), huge)))


def body(*lines: str) -> str:
    return "\n".join(["ACRO REFERRAL", "SUBJECT", "Family name: Smith", *lines, "END OF REFERRAL"])


@pytest.mark.parametrize(
    "lines, message",
    [
        (["Family name: Jones"], "Family name is given twice, with different values"),
        (["Nickname: Smithy"], "'Nickname' is not a field of SUBJECT"),
        (["SUBJECT"], "the section SUBJECT is given twice"),
        (["a stray line of text"], "not a labelled field"),
        (["| Country | Offence |"], "a table row outside the tables"),
        (["OVERSEAS CONVICTIONS", "| Poland | Robbery | 2015-06-01 | 4 years |"], "must start with its header row"),
        (
            ["OVERSEAS CONVICTIONS", "| Country | Offence | Date | Sentence |", "| Poland | Robbery |"],
            "this OVERSEAS CONVICTIONS row has 2 cells; the header has 4",
        ),
        (
            [
                "OVERSEAS CONVICTIONS",
                "| Country | Offence | Date | Sentence |",
                "| Poland | Robbery | 2015 | 4 years |",
            ],
            "Date: '2015' is not a date",
        ),
        (["OVERSEAS CONVICTIONS", "Country: Poland"], "is a table"),
        (["REQUEST", "Reason for request: curiosity"], "'curiosity' is not one of victim, witness, arrest"),
        (["Nationality: " + "x" * 101], "Nationality is 101 characters long; at most 100 are kept"),
        (["ACRO REFERRAL"], "2 'ACRO REFERRAL' lines"),
        (["Nationality: Pol\x00and"], "Nationality has control characters"),
    ],
)
def test_a_body_that_breaks_the_layout_is_refused_with_the_line(lines, message):
    with pytest.raises(ReferralEmailError, match=None) as refused:
        parse_body(body(*lines))
    assert message in str(refused.value)


def test_table_cells_may_hold_escaped_pipes_and_backslashes():
    text = body(
        "OVERSEAS CONVICTIONS",
        "| Sentence | Offence | Country | Date |",
        "|:---|---|---|---:|",
        r"| 2 years \| suspended | Theft \\ fraud | Not provided |  |",
    )
    read, _ = parse_body(text)
    assert read["convictions"] == [
        {"country": None, "offence": "Theft \\ fraud", "date": None, "sentence": "2 years | suspended"}
    ]


def test_text_outside_the_markers_is_ignored_and_labels_ignore_case_and_spacing():
    read, _ = parse_body(
        "Dear colleague,\nSee below: thanks\n\n"
        + body("  date   OF birth :  12/04/1988", "aliases: Bob")
        + "\nRegards:\nACRO"
    )
    assert read["subject"]["date_of_birth"] == "1988-04-12" and read["subject"]["aliases"] == ["Bob"]


def test_the_same_field_given_twice_with_the_same_value_is_fine():
    read, _ = parse_body(body("Family name: Smith"))
    assert read["subject"]["family_name"] == "Smith"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"Content-Type: text/plain; charset=x-unknown-charset\n\nACRO REFERRAL\n", "unknown character set"),
        (b"Content-Type: text/plain; charset=rot13\n\nACRO REFERRAL\n", "unknown character set 'rot13'"),
        (
            b"Content-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nACRO REFERRAL\n"
            b"--zz\nContent-Type: text/plain\n\nmore\n--zz--\n",
            "more than one plain-text body",
        ),
    ],
)
def test_messages_that_cannot_be_read(data, message):
    with pytest.raises(ReferralEmailError) as refused:
        parse(data)
    assert message in str(refused.value)
