"""``acro tokens``: make, list and revoke API tokens; the token is printed once, kept hashed."""

from sqlalchemy import select

from casework import tokens
from casework.models import ApiToken, User
from webapp.db import db


def made_token(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_a_token_is_printed_once_and_kept_only_as_its_hash(app, runner):
    with app.app_context():
        db.session.add(User(username="wendy", full_name="Wendy", roles=["workflow"], password_hash="x"))
        db.session.commit()
    result = runner.invoke(args=["tokens", "create", "Wendy", "--name", "reporting tool"])
    assert result.exit_code == 0, result.output
    token = made_token(result.output)
    assert token.startswith("acro_") and len(token) > 40
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash == tokens.digest(token) and token not in (row.prefix + row.name)
    response = app.test_client().get(
        "/api/v1/cases", headers={"Authorization": f"Bearer {token}", "X-Purpose": "Trying the token"}
    )
    assert response.status_code == 200

    listed = runner.invoke(args=["tokens", "list"])
    assert "wendy" in listed.output and "reporting tool" in listed.output and token not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", str(row.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    response = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "revoked" in runner.invoke(args=["tokens", "list", "wendy"]).output


def test_a_service_account_is_made_with_its_token(app, runner):
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "acro-referrals",
            "--service-account",
            "--role",
            "workflow",
            "--full-name",
            "ACRO referrals system",
            "--name",
            "ACRO",
        ]
    )
    assert result.exit_code == 0, result.output
    token = made_token(result.output)
    with app.app_context():
        account = db.session.scalars(select(User).where(User.username == "acro-referrals")).one()
        assert account.roles == ["workflow"] and account.full_name == "ACRO referrals system"
    body = {"referral": {"subject": {"family_name": "Haddad"}}}
    response = app.test_client().post("/api/v1/referrals", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


def test_refusals(runner):
    assert "there is no user nobody" in runner.invoke(args=["tokens", "create", "nobody"]).output
    result = runner.invoke(args=["tokens", "create", "svc", "--service-account"])
    assert result.exit_code != 0 and "needs at least one --role" in result.output
    assert "there is no token 99" in runner.invoke(args=["tokens", "revoke", "99"]).output
