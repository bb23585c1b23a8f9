"""People who sign in, with roles that map to the diagrams' candidate groups."""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import permissions
from .config import ROLE_NAMES
from .models import User
from .permissions import Actor

MIN_PASSWORD = 10


class UserExists(ValueError):
    pass


def create_user(session, username: str, full_name: str, roles: list[str], password: str,
                email: str | None = None) -> User:
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
    user = User(username=username, full_name=full_name, email=email, roles=list(roles),
                password_hash=generate_password_hash(password))
    session.add(user)
    return user


def authenticate(session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def actor_for(user: User, role_groups: dict) -> Actor:
    return permissions.actor_for(user.username, user.roles, role_groups)
