"""Issue 12, point 4 (second half, WF-2): a certificate's text and PDF are stored sealed with a
key of their own (Fernet), the key in a row of its own; destroying the certificate deletes the
key, so no copy of the sealed bytes (dead rows, the write-ahead log, a backup) can be opened.

Run on PostgreSQL too: ``ACRO_TEST_DATABASE_URL=postgresql+psycopg://... pytest`` this file."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from casework.config import Settings
from casework.models import Base, Certificate
from casework.permissions import Actor
from tests.databases import insert_old_case
from tests.referrals import persona
from tests.security.wf2 import destroy_certificate
from webapp import create_app
from webapp.bootstrap import casework
from webapp.db import db

INTAKE = Actor("acro-intake", frozenset({"cc-workflow"}), frozenset({"workflow"}))
WHY = {"X-Purpose": "Checking the certificate"}


def marked_certificate() -> tuple[str, bytes, dict]:
    """A certificate whose text and PDF carry a mark found nowhere else."""
    mark = f"ACRO-CERT-{uuid.uuid4().hex}"
    pdf = b"%PDF-1.4\n% " + mark.encode() + b" in the PDF\n%%EOF\n"
    certificate = {
        "request_purpose": "Criminal proceedings",
        "content": f"ACRO certificate {mark}: Robbery (Poland, 2015)",
        "file": pdf,
        "filename": "certificate.pdf",
    }
    return mark, pdf, certificate


def submit(app, certificate: dict, name: str = "kowalski") -> str:
    with app.app_context():
        case = casework().submit_referral(persona(name)["referral"], INTAKE, certificate=certificate, channel="system")
        return case.reference


def destroy(app, reference: str) -> None:
    with app.app_context():
        destroy_certificate(casework(), reference)


def stored_row(app, reference: str):
    with app.app_context():
        return db.session.execute(
            text(
                "SELECT c.id, c.sealed_content, c.sealed_file, k.key FROM certificate c "
                "JOIN case_record r ON r.id = c.case_id "
                "LEFT JOIN certificate_key k ON k.certificate_id = c.id WHERE r.reference = :reference"
            ),
            {"reference": reference},
        ).one()


def every_row_as_text(app) -> str:
    """Every column of every table, as raw SQL reads it."""
    out = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
                out.extend(bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v) for v in row)
    return "\n".join(out)


def test_the_certificate_is_stored_sealed_and_read_back_in_the_clear(app, api):
    mark, pdf, certificate = marked_certificate()
    reference = submit(app, certificate)

    row = stored_row(app, reference)
    # raw SQL sees only sealed bytes and a key of the certificate's own
    assert mark.encode() not in bytes(row.sealed_content) and mark.encode() not in bytes(row.sealed_file)
    assert mark not in every_row_as_text(app)
    key = bytes(row.key)
    assert Fernet(key).decrypt(bytes(row.sealed_file)) == pdf
    assert Fernet(key).decrypt(bytes(row.sealed_content)).decode() == certificate["content"]

    # the pages, the API and the PDF download read it as it came
    with app.app_context():
        held = db.session.get(Certificate, row.id)
        assert (held.content, held.file, held.has_file) == (certificate["content"], pdf, True)
    response = api.get(f"/cases/{reference}/documents/certificate-{row.id}", headers=WHY)
    assert response.status_code == 200 and response.data == pdf

    # a second certificate is sealed with another key: one key opens one certificate only
    other_reference = submit(app, marked_certificate()[2], "kowalski")
    other = stored_row(app, other_reference)
    assert bytes(other.key) != key
    with pytest.raises(InvalidToken):
        Fernet(bytes(other.key)).decrypt(bytes(row.sealed_file))


def test_destroying_the_certificate_deletes_its_key_and_nothing_of_it_can_be_read_afterwards(
    app, api, web, runner, tmp_path
):
    mark, pdf, certificate = marked_certificate()
    reference = submit(app, certificate)
    kept = submit(app, marked_certificate()[2])  # another case's certificate, still held
    before = stored_row(app, reference)
    # what a backup, a dead row or the write-ahead log kept of it: the sealed bytes
    backup = (bytes(before.sealed_content), bytes(before.sealed_file))

    destroy(app, reference)

    after = stored_row(app, reference)
    assert (after.sealed_content, after.sealed_file, after.key) == (None, None, None)
    with app.app_context():
        keys = [bytes(k) for k in db.session.scalars(text("SELECT key FROM certificate_key"))]
    assert keys == [bytes(stored_row(app, kept).key)]
    for key in keys:
        for sealed in backup:
            with pytest.raises(InvalidToken):
                Fernet(key).decrypt(sealed)

    # no channel shows any of it: raw SQL, the API, the case page, the log export, the files
    assert mark not in every_row_as_text(app)
    detail = api.get(f"/cases/{reference}", headers=WHY)
    assert detail.status_code == 200 and mark not in detail.get_data(as_text=True)
    documents = api.get(f"/cases/{reference}/documents", headers=WHY).get_json()["items"]
    assert [(d["id"], d["status"], d["downloadable"]) for d in documents if d["kind"] == "ACRO certificate"] == [
        (f"certificate-{before.id}", "destroyed", False)
    ]
    assert api.get(f"/cases/{reference}/documents/certificate-{before.id}", headers=WHY).status_code == 404
    client = web("wendy")
    client.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    page = client.get(f"/cases/{reference}")
    assert page.status_code == 200 and "destroyed" in page.get_data(as_text=True)
    assert mark not in page.get_data(as_text=True)
    exported = runner.invoke(args=["audit", "export", reference, "--as", "alex", "--purpose", "Subject access request"])
    assert exported.exit_code == 0, exported.output
    assert reference in exported.output and mark not in exported.output
    assert [p for p in tmp_path.rglob("*") if p.is_file() and mark.encode() in p.read_bytes()] == []


def _postgres_files(connection, wal_from: str) -> dict[str, bytes]:
    """The schema's table and TOAST files, and the write-ahead log written since ``wal_from``."""
    connection.execute(text("CHECKPOINT"))
    files = {}
    relations = connection.execute(
        text(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 't', 'i') "
            "UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.reltoastrelid <> 0"
        )
    ).scalars()
    for path in relations:
        files[path] = bytes(connection.execute(text("SELECT pg_read_binary_file(:p)"), {"p": path}).scalar() or b"")
    wal_to = connection.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())")).scalar()
    for (name,) in connection.execute(text("SELECT name FROM pg_ls_waldir() ORDER BY name")):
        if len(name) == 24 and wal_from <= name <= wal_to:
            files[f"pg_wal/{name}"] = bytes(
                connection.execute(text("SELECT pg_read_binary_file(:p)"), {"p": f"pg_wal/{name}"}).scalar()
            )
    return files


def test_the_database_files_and_log_never_hold_the_certificate_in_the_clear(app):
    """Below SQL: the pages the database wrote (SQLite's file and journal; PostgreSQL's table
    and TOAST files and its write-ahead log) carry neither the text nor the PDF, before or after
    the destruction, because only sealed bytes were ever written."""
    mark, _pdf, certificate = marked_certificate()
    with app.app_context():
        on_postgres = db.engine.dialect.name == "postgresql"
        if on_postgres:
            wal_from = db.session.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())")).scalar()
        db.session.remove()
    reference = submit(app, certificate)
    destroy(app, reference)
    with app.app_context():
        if on_postgres:
            with db.engine.connect() as connection:
                files = _postgres_files(connection, wal_from)
            assert any(name.startswith("pg_wal/") for name in files)
        else:
            db.engine.dispose()
            database = Path(make_url(db.engine.url).database)
            files = {p.name: p.read_bytes() for p in database.parent.glob(database.name + "*")}
    # what the case wrote in the clear is there to be found: the search reads what was written
    assert [name for name, data in files.items() if reference.encode() in data]
    assert sorted(name for name, data in files.items() if mark.encode() in data) == []


def test_the_migration_seals_certificates_stored_before_it(tmp_path, empty_database_url):
    settings = Settings.from_env(
        {"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "test", "DATABASE_URL": empty_database_url}
    )
    app = create_app({"TESTING": True}, settings=settings)
    try:
        with app.app_context():
            upgrade(revision="f18929878a58")
            insert_old_case(db.session, "ACRO-2025-000001")
            for content, file, status in (
                ("Certificate 25/1: robbery", b"%PDF-1.4 25/1", "held"),
                ("Certificate 25/2: text only", None, "held"),
                (None, None, "destroyed"),
            ):
                db.session.execute(
                    text(
                        "INSERT INTO certificate (case_id, content, file, status, received_at) "
                        "VALUES ((SELECT id FROM case_record), :content, :file, :status, CURRENT_TIMESTAMP)"
                    ),
                    {"content": content, "file": file, "status": status},
                )
            db.session.commit()
            upgrade()

            columns = db.session.execute(text("SELECT * FROM certificate")).keys()
            assert "content" not in columns and "file" not in columns
            certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
            assert [(c.content, c.file, c.key is not None) for c in certificates] == [
                ("Certificate 25/1: robbery", b"%PDF-1.4 25/1", True),
                ("Certificate 25/2: text only", None, True),
                (None, None, False),
            ]
            assert b"robbery" not in bytes(certificates[0].sealed_content)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
