"""People who sign in, with roles that map to the diagrams' candidate groups."""

from __future__ import annotations

import secrets
from functools import lru_cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import permissions, sessions
from .config import ROLE_NAMES
from .models import User
from .permissions import Actor

MIN_PASSWORD = 10


class UserExists(ValueError):
    pass


def create_user(
    session, username: str, full_name: str, roles: list[str], password: str, email: str | None = None
) -> User:
    username = username.strip().lower()
    if not username or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise ValueError(f"user name {username!r}: use letters, digits, '.', '-' or '_'")
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown or not roles:
        raise ValueError(f"roles must be some of {', '.join(ROLE_NAMES)}; got {roles!r}")
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.scalars(select(User).where(User.username == username)).first():
        raise UserExists(f"there is already a user {username}")
    # Werkzeug's default is scrypt, a current memory-hard algorithm
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        roles=list(roles),
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    return user


@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    """A hash of a password nobody knows, made as create_user makes real ones (same algorithm
    and cost), so that checking it takes as long as checking a real user's."""
    return generate_password_hash(secrets.token_urlsafe(32))


def authenticate(session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None.

    Exactly one password hash is checked whatever the answer, so the time taken does not
    tell whether the user name exists or is active.
    """
    user = session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()
    matches = check_password_hash(user.password_hash if user is not None else _unknown_user_hash(), password or "")
    if user is None or not user.active or not matches:
        return None
    return user


def _user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None:
        raise ValueError(f"there is no user {username}")
    return user


def deactivate(session, username: str, now) -> User:
    """The user can no longer sign in or use a token; their sessions end now."""
    user = _user(session, username)
    user.active = False
    sessions.end_all(session, user.id, now, sessions.DEACTIVATED)
    return user


def set_password(session, username: str, password: str, now) -> User:
    """A new password; every session signed in with the old one ends now."""
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    user = _user(session, username)
    user.password_hash = generate_password_hash(password)
    sessions.end_all(session, user.id, now, sessions.PASSWORD_CHANGED)
    return user


def actor_for(user: User, role_groups: dict) -> Actor:
    return permissions.actor_for(user.username, user.roles, role_groups)
