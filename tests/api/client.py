"""The JSON API as a caller sees it: the test client with a person's bearer token."""

from __future__ import annotations

# who calls the API in these tests (tests/people.py), and an ACRO system account
API_PEOPLE = ["wendy", "carl", "cora", "sita", "dana", "alex", "acro-system"]


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
