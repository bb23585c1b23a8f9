"""The schema comes from Alembic migrations; they must make exactly what the models say."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DatabaseError

from casework.config import Settings
from casework.search_indexes import is_search_index
from tests.databases import insert_old_case
from webapp import create_app
from webapp.db import db


@pytest.fixture
def app(tmp_path, empty_database_url):
    settings = Settings.from_env(
        {"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "test", "DATABASE_URL": empty_database_url}
    )
    app = create_app({"TESTING": True}, settings=settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_migrations_make_what_the_models_describe(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_object": lambda obj, name, type_, reflected, compare_to: (
                        not (type_ == "index" and is_search_index(name))
                    ),
                },
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: run `acro db migrate`: {differences}"


def test_the_migrated_logs_are_append_only(app):
    with app.app_context():
        upgrade()
        db.session.execute(
            text(
                "INSERT INTO audit_entry (actor, action, at, details) "
                "VALUES ('system', 'test', CURRENT_TIMESTAMP, '{}')"
            )
        )
        db.session.commit()
        for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(statement))
                db.session.commit()
            db.session.rollback()


def test_the_migrations_go_down_as_well_as_up(app):
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "case_record" in inspect(db.engine).get_table_names()


def test_cases_made_before_the_search_columns_can_be_found_after_the_upgrade(app):
    import json

    with app.app_context():
        upgrade(revision="87120c63e21f")
        referral = {
            "subject": {
                "family_name": "Kowalski",
                "given_names": "Piotr",
                "aliases": ["Peter Kowal"],
                "date_of_birth": "1988-04-12",
                "pnc_id": "12/345678a",
            }
        }
        insert_old_case(db.session, "ACRO-2025-000001", json.dumps(referral))
        db.session.commit()
        upgrade()
        from casework.queries import cases as case_queries

        for criteria in ({"name": "kowal"}, {"pnc_id": "12/345678A"}, {"date_of_birth": "1988-04-12"}):
            assert [r["reference"] for r in case_queries.search(db.session, **criteria)] == ["ACRO-2025-000001"]


def test_a_state_stored_as_json_before_is_compressed_by_the_upgrade_and_back_by_the_downgrade(app):
    import json

    from casework.models import Case

    tasks = {f"task-{n}": {"state": 64, "data": {"case_reference": "ACRO-2025-000001"}} for n in range(20)}
    state = {"format": "test", "workflow": {"tasks": tasks}}
    with app.app_context():
        upgrade(revision="b3c1d5e7f902")
        insert_old_case(db.session, "ACRO-2025-000001")
        db.session.execute(text("UPDATE case_record SET instance_state = :s"), {"s": json.dumps(state)})
        db.session.commit()
        upgrade()
        assert db.session.scalars(select(Case.instance_state)).one() == state
        stored = db.session.execute(text("SELECT instance_state FROM case_record")).scalar_one()
        assert isinstance(stored, (bytes, memoryview)) and len(bytes(stored)) < len(json.dumps(state))
        db.session.commit()
        downgrade(revision="b3c1d5e7f902")
        back = db.session.execute(text("SELECT instance_state FROM case_record")).scalar_one()
        assert (json.loads(back) if isinstance(back, str) else back) == state
        db.session.commit()


def test_on_postgresql_a_search_for_part_of_a_name_can_use_an_index(app):
    with app.app_context():
        upgrade()
        if db.engine.dialect.name != "postgresql":
            pytest.skip("trigram indexes are PostgreSQL's")
        names = {
            row[0] for row in db.session.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'"))
        }
        assert {"ix_case_record_search_names_trgm", "ix_alias_search_key_trgm"} <= names
        db.session.execute(text("SET enable_seqscan = off"))
        plan = " ".join(
            r[0]
            for r in db.session.execute(text("EXPLAIN SELECT id FROM case_record WHERE search_names LIKE '%kowal%'"))
        )
        assert "ix_case_record_search_names_trgm" in plan
