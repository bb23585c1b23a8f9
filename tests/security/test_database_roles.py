"""Issue 12, point 6: the app's own database user could disable the append-only triggers
(ALTER TABLE ... DISABLE TRIGGER, DROP TRIGGER) and then delete audit rows. The schema's
owner (MIGRATION_DATABASE_URL) runs the migrations; ``acro db grants ROLE`` gives the app's
role rows to read and write, and on the audit trail and the access log only SELECT and INSERT.

PostgreSQL only (roles are the server's): run with ACRO_TEST_DATABASE_URL. Roles are
cluster-wide, so the test's role has a name of its own and is dropped afterwards."""

from __future__ import annotations

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from casework.config import Settings
from casework.models import AccessLog, AuditEntry
from tests.databases import on_postgres
from tests.referrals import persona
from tests.security.wf2 import destroy_certificate
from webapp import create_app
from webapp.bootstrap import casework
from webapp.cli import db_grants
from webapp.db import db

INTAKE_ACTOR = "acro-intake"
LOGS = ("audit_entry", "access_log")


def app_on(tmp_path, database_url: str, owner_url: str):
    settings = Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-" + "k" * 32,
            "DATABASE_URL": database_url,
            "MIGRATION_DATABASE_URL": owner_url,
        }
    )
    return create_app({"TESTING": True}, settings=settings)


@pytest.fixture
def runtime_role(empty_database_url):
    """A login role of this test's own, with no privileges yet; its URL on the test's schema."""
    name = f"acro_runtime_{uuid.uuid4().hex[:10]}"
    owner = create_engine(empty_database_url)
    with owner.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD 'runtime'")
    try:
        yield (
            name,
            make_url(empty_database_url).set(username=name, password="runtime").render_as_string(hide_password=False),
        )
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {name}")
            connection.exec_driver_sql(f"DROP ROLE {name}")
        owner.dispose()


@pytest.mark.skipif(not on_postgres(), reason="database roles are PostgreSQL's: set ACRO_TEST_DATABASE_URL")
def test_the_runtime_role_works_cases_but_cannot_change_or_unprotect_the_logs(
    tmp_path, empty_database_url, runtime_role
):
    role, runtime_url = runtime_role
    app = app_on(tmp_path, runtime_url, empty_database_url)
    try:
        with app.app_context():
            # the migrations run as the owner: the runtime role could not create a table here
            upgrade()
            owners = db.session.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            assert role not in set(owners)
            db.session.remove()
        result = app.test_cli_runner().invoke(db_grants, [role])
        assert result.exit_code == 0, result.output
        assert f"{role}: SELECT and INSERT only on access_log, audit_entry, case_move, process_publication" in (
            result.output
        )

        with app.app_context():
            assert db.session.execute(text("SELECT current_user")).scalar() == role
            # the app works as the runtime role: a referral in, a view logged, a certificate destroyed
            from tests.people import INTAKE

            service = casework()
            reference = service.submit_referral(
                persona("haddad")["referral"],
                INTAKE,
                certificate=persona("haddad")["certificate"],
                channel="system",
            ).reference
            service.record_access(reference, INTAKE, "view", "Checking the certificate", {"what": "case"})
            destroy_certificate(service, reference)
            counts = {
                "audit_entry": db.session.scalar(select(func.count()).select_from(AuditEntry)),
                "access_log": db.session.scalar(select(func.count()).select_from(AccessLog)),
            }
            assert counts["audit_entry"] > 0 and counts["access_log"] > 0
            db.session.remove()

            refused = {}
            with db.engine.connect() as connection:
                for table in LOGS:
                    for statement in (
                        f"UPDATE {table} SET actor = 'someone else'",
                        f"DELETE FROM {table}",
                        f"TRUNCATE {table}",
                        f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
                        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                        f"DROP TRIGGER {table}_append_only ON {table}",
                        f"DROP TRIGGER {table}_no_truncate ON {table}",
                        f"ALTER TABLE {table} OWNER TO {role}",
                        f"DROP TABLE {table}",
                        f"CREATE TRIGGER {table}_undo BEFORE INSERT ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION acro_refuse_change()",
                        "SET session_replication_role = replica",
                        "CREATE OR REPLACE FUNCTION acro_refuse_change() RETURNS trigger AS $$ "
                        "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
                    ):
                        transaction = connection.begin()
                        try:
                            connection.exec_driver_sql(statement)
                            refused[statement] = None
                        except DBAPIError as exc:
                            refused[statement] = str(exc.orig).splitlines()[0]
                        finally:
                            transaction.rollback()
            allowed = [statement for statement, reason in refused.items() if reason is None]
            assert allowed == []
            reasons = {reason.split(" for ")[0].split(" of ")[0].split(" to ")[0] for reason in refused.values()}
            assert reasons == {"permission denied", "must be owner"}, refused

            for table in LOGS:
                assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == counts[table]
            db.session.remove()

        owner = create_engine(empty_database_url)
        with owner.connect() as connection:
            triggers = connection.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN ('audit_entry', "
                    "'access_log') AND NOT t.tgisinternal ORDER BY tgname"
                )
            ).all()
        owner.dispose()
        assert [(name, enabled) for name, enabled in triggers] == [
            ("access_log_append_only", "O"),
            ("access_log_no_truncate", "O"),
            ("audit_entry_append_only", "O"),
            ("audit_entry_no_truncate", "O"),
        ]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.skipif(not on_postgres(), reason="database roles are PostgreSQL's: set ACRO_TEST_DATABASE_URL")
def test_grants_refuse_a_superuser_or_an_owner_as_the_runtime_role(app, runner):
    with app.app_context():
        superuser = db.session.execute(text("SELECT current_user")).scalar()
    result = runner.invoke(db_grants, [superuser])
    assert result.exit_code != 0
    assert f"'{superuser}' is a superuser: it could disable the append-only triggers" in result.output

    # a role that is a member of the owner's role may do what the owner does
    member = f"acro_member_{uuid.uuid4().hex[:10]}"
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {member} NOLOGIN IN ROLE {superuser}")
        try:
            result = runner.invoke(db_grants, [member])
            assert result.exit_code != 0
            assert f"'{member}' owns access_log, alias, api_token, app_user, audit_entry" in result.output
            assert "or is a member of their owner's role" in result.output
        finally:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP OWNED BY {member}")
                connection.exec_driver_sql(f"DROP ROLE {member}")


@pytest.mark.skipif(on_postgres(), reason="the SQLite answer")
def test_grants_on_sqlite_say_there_are_no_roles(runner):
    result = runner.invoke(db_grants, ["acro_app"])
    assert result.exit_code != 0
    assert "database roles are PostgreSQL's: this database has none" in result.output
