"""Bearer tokens for the JSON API, for people and for service accounts (other systems).

A token is ``acro_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored, so a copy of the database gives no working token; the token itself is printed once
when it is made. A token acts as its user, with that user's roles, so the API applies the
same group checks as the browser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from .models import ApiToken, User
from .users import create_user

PREFIX = "acro_"
# writing last_used_at on every call would make every read a write; once an hour is enough
TOUCH_EVERY = timedelta(hours=1)


class TokenError(ValueError):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session, username: str, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for an existing, active user; returns the row and the token (shown once)."""
    user = session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None:
        raise TokenError(f"there is no user {username}")
    if not user.active:
        raise TokenError(f"{user.username} is not active")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=(name or "API token").strip()[:200],
        token_hash=digest(token),
        prefix=token[: len(PREFIX) + 6],
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, token


def create_service_account(session, username: str, full_name: str, roles: list[str]):
    """A user that only other systems act as: it has no password anyone knows, so it cannot
    sign in to the browser; it works through its API tokens."""
    # a random password that is never shown or kept: nobody can sign in as the account
    return create_user(session, username, full_name, roles, secrets.token_urlsafe(32))


def authenticate(session, token: str, now: datetime) -> User | None:
    """The active user a live token belongs to, or None."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.revoked_at is not None or row.user is None or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        session.commit()
    return row.user


def revoke(session, token_id: int, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"there is no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row


def tokens(session, username: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == username.strip().lower())
    return list(session.scalars(query))
