import base64
from pathlib import Path

import pytest
import yaml

from casework import tokens
from casework.models import User
from webapp.db import db

REFERRALS = Path(__file__).resolve().parents[1] / "scenarios" / "referrals"

PEOPLE = {
    "wendy": ["workflow"],
    "carl": ["caseworker"],
    "cora": ["caseworker"],
    "sita": ["senior_caseworker"],
    "dana": ["director"],
    "alex": ["admin"],
}


@pytest.fixture
def api_tokens(app) -> dict:
    """A bearer token for each person (by user name) and for an ACRO system account."""
    made = {}
    clock = app.extensions["acro"]["clock"]
    with app.app_context():
        # no passwords (hashing them is slow, and the API never uses them): only tokens
        for username, roles in {**PEOPLE, "acro-system": ["workflow"]}.items():
            db.session.add(User(username=username, full_name=username.title(), roles=roles,
                                password_hash="pbkdf2:sha256:1$none$none"))
            db.session.flush()
            made[username] = tokens.create_token(db.session, username, "tests", clock.now())[1]
        db.session.commit()
    return made


class Api:
    """The test client, calling as someone (a user name from PEOPLE) with their token."""

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


def persona(name: str = "kowalski", pdf: bytes | None = b"%PDF-1.4\n% test certificate\n%%EOF\n") -> dict:
    """A POST /referrals body from a scenario persona, the certificate as base64."""
    data = yaml.safe_load((REFERRALS / f"{name}.yaml").read_text())
    certificate = dict(data["certificate"])
    if pdf is not None:
        certificate.update(file=base64.b64encode(pdf).decode(), filename=f"{name}-certificate.pdf")
    return {"referral": data["referral"], "certificate": certificate}


