"""``acro tokens``: bearer tokens for the JSON API."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from casework.config import ROLE_NAMES


@click.group("tokens")
def tokens():
    """Bearer tokens for the JSON API (for people and for other systems)."""


@tokens.command("create")
@with_appcontext
@click.argument("username")
@click.option("--name", "label", default="API token", show_default=True, help="What the token is for.")
@click.option(
    "--service-account", is_flag=True, help="Create USERNAME as a service account first (a user nobody signs in as)."
)
@click.option("--full-name", default=None, help="The service account's name (with --service-account).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(sorted(ROLE_NAMES)),
    help="The service account's roles (with --service-account).",
)
def tokens_create(username, label, service_account, full_name, roles):
    """Make a token for USERNAME and print it, once: only its hash is kept."""
    from casework import tokens as api_tokens
    from casework.users import UserExists
    from webapp.db import db

    now = current_app.extensions["acro"]["clock"].now()
    try:
        if service_account:
            if not roles:
                raise click.ClickException("a service account needs at least one --role")
            api_tokens.create_service_account(db.session, username, full_name or username, list(roles))
        row, token = api_tokens.create_token(db.session, username, label, now)
    except (api_tokens.TokenError, UserExists, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"token {row.id} for {row.user.username} ({label}); keep it now, it is not shown again:")
    click.echo(token)


@tokens.command("list")
@with_appcontext
@click.argument("username", required=False)
def tokens_list(username):
    """List tokens (never the tokens themselves): id, user, name, made, last used, revoked."""
    from casework import tokens as api_tokens
    from webapp.db import db

    for row in api_tokens.tokens(db.session, username):
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "live"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(
            f"{row.id:>4}  {row.user.username:<20} {row.prefix}...  {row.name:<30} "
            f"made {row.created_at:%Y-%m-%d}  used {used}  {state}"
        )


@tokens.command("revoke")
@with_appcontext
@click.argument("token_id", type=int)
def tokens_revoke(token_id):
    """Revoke a token by its id (from ``acro tokens list``)."""
    from casework import tokens as api_tokens
    from webapp.db import db

    try:
        row = api_tokens.revoke(db.session, token_id, current_app.extensions["acro"]["clock"].now())
    except api_tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"token {row.id} of {row.user.username} revoked")
