"""A token checked a moment ago is trusted for a few seconds without asking the database;
whatever ends a token's use in this process is seen at once."""

import pytest
from sqlalchemy import event, select

from casework import tokens
from casework.models import ApiToken, User
from webapp.db import db

READ = "/cases?purpose=Checking access"


@pytest.fixture
def statements(app):
    """The SQL statements the app sends, as a list that grows."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def token_queries(seen):
    return [s for s in seen if "FROM api_token" in s]


def test_a_second_call_does_not_look_the_token_up(api, statements):
    tokens.forget_all()
    assert api.get(READ, user="carl").status_code == 200
    assert token_queries(statements)
    statements.clear()
    assert api.get(READ, user="carl").status_code == 200
    assert token_queries(statements) == []


def test_the_token_is_looked_up_again_after_the_cache_seconds(api, statements, monkeypatch):
    tokens.forget_all()
    assert api.get(READ, user="carl").status_code == 200
    later = tokens.time.monotonic() + tokens.CACHE_SECONDS + 1
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    statements.clear()
    assert api.get(READ, user="carl").status_code == 200
    assert token_queries(statements)


def test_revoking_in_this_process_ends_a_cached_token_at_once(app, api, runner):
    assert api.get(READ, user="carl").status_code == 200
    with app.app_context():
        carl = db.session.scalars(select(User).where(User.username == "carl")).one()
        token_id = db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == carl.id)).one()
    result = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    assert api.get(READ, user="carl").status_code == 401


def test_a_change_of_roles_is_seen_at_once(app, api):
    assert api.get(READ, user="carl").status_code == 200
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "carl")).one().roles = []
        db.session.commit()
    assert api.get(READ, user="carl").status_code == 403
