import pytest

from casework import tokens
from tests.people import add_users
from webapp.db import db

# who calls the API in these tests (tests/people.py), and an ACRO system account
API_PEOPLE = ["wendy", "carl", "cora", "sita", "dana", "alex", "acro-system"]


@pytest.fixture
def api_tokens(app) -> dict:
    """A bearer token for each person (by user name) and for an ACRO system account."""
    made = {}
    clock = app.extensions["acro"]["clock"]
    with app.app_context():
        add_users(db.session, API_PEOPLE)
        for username in API_PEOPLE:
            made[username] = tokens.create_token(db.session, username, "tests", clock.now())[1]
        db.session.commit()
    return made


class Api:
    """The test client, calling as someone (a user name from API_PEOPLE) with their token."""

    def __init__(self, client, tokens_by_user):
        self.client = client
        self.tokens = tokens_by_user

    def _headers(self, user, headers):
        out = dict(headers or {})
        if user is not None:
            out["Authorization"] = f"Bearer {self.tokens[user]}"
        return out

    def get(self, path, user="wendy", headers=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(user, headers), **kwargs)

    def post(self, path, json=None, user="wendy", headers=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(user, headers), **kwargs)


@pytest.fixture
def api(app, api_tokens):
    return Api(app.test_client(), api_tokens)
