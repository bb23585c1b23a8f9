"""Issue 12, point 9: signing in as a user name that does not exist took 30 ms, as one that
does 240 ms, so the answer's time told which names exist. The work is now the same: one
password hash checked, of the algorithm and cost real passwords are stored with. Counted,
never timed."""

import pytest
from sqlalchemy import select

from casework import users
from casework.models import User
from webapp.db import db


@pytest.fixture
def hashes_checked(monkeypatch):
    """Each hash that casework.users checks a password against, in order."""
    checked = []
    real = users.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", counting)
    return checked


@pytest.fixture
def person(app):
    """A user made as `acro users create` makes one (scrypt), and one deactivated."""
    with app.app_context():
        users.create_user(db.session, "priya", "Priya Patel", ["caseworker"], "a long enough password")
        gone = users.create_user(db.session, "gone", "Gone Away", ["caseworker"], "a long enough password")
        gone.active = False
        db.session.commit()
        return db.session.scalars(select(User.password_hash).where(User.username == "priya")).one()


def method_of(pwhash: str) -> str:
    """'scrypt:32768:8:1': the algorithm and its cost, without the salt and the hash."""
    return pwhash.split("$", 1)[0]


@pytest.mark.parametrize(
    "username, password, signs_in",
    [
        ("priya", "a long enough password", True),
        ("priya", "the wrong password", False),
        ("gone", "a long enough password", False),  # deactivated
        ("nobody", "a long enough password", False),  # no such user
        ("", "anything", False),
    ],
)
def test_one_password_hash_is_checked_whoever_signs_in(app, person, hashes_checked, username, password, signs_in):
    with app.app_context():
        user = users.authenticate(db.session, username, password)
    assert (user is not None) is signs_in
    assert len(hashes_checked) == 1, f"{username or 'no name'}: {len(hashes_checked)} hashes checked"
    # the same algorithm at the same cost as a real user's stored hash
    assert method_of(hashes_checked[0]) == method_of(person)


def test_an_unknown_name_costs_the_same_work_as_a_known_one_through_the_sign_in_page(app, person, hashes_checked):
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/sign-in", data={"username": "nobody", "password": "a long enough password"})
    client.post("/sign-in", data={"username": "priya", "password": "not this one"})
    assert [method_of(h) for h in hashes_checked] == [method_of(person)] * 2
