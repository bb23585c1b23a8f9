"""Bearer tokens for the JSON API, for people and for service accounts (other systems).

A token is ``acro_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored, so a copy of the database gives no working token; the token itself is printed once
when it is made. A token acts as its user, with that user's roles, so the API applies the
same group checks as the browser.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import event, select

from .models import ApiToken, User
from .users import create_user

PREFIX = "acro_"
# writing last_used_at on every call would make every read a write; once an hour is enough
TOUCH_EVERY = timedelta(hours=1)


# A worker that has just checked a token trusts it this long without asking the database:
# two statements fewer on every API call. A revocation, deactivation or change of roles made
# in this process empties the cache at once; one made elsewhere (`acro tokens revoke` is
# another process) reaches each web worker within this many seconds.
CACHE_SECONDS = 5.0
CACHE_SIZE = 1000


class TokenError(ValueError):
    pass


class Caller(NamedTuple):
    """Who a live token acts as."""

    username: str
    roles: tuple


class _Cache:
    def __init__(self):
        self.entries: dict[str, tuple[float, Caller]] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Caller | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self.entries[key]
                return None
            return found[1]

    def put(self, key: str, caller: Caller) -> None:
        with self.lock:
            if len(self.entries) >= CACHE_SIZE:
                self.entries.clear()
            self.entries[key] = (time.monotonic() + CACHE_SECONDS, caller)

    def clear(self, *_) -> None:
        with self.lock:
            self.entries.clear()


_cache = _Cache()
forget_all = _cache.clear
# whatever could end a token's use empties the cache in this process as soon as it is set
event.listen(ApiToken.revoked_at, "set", _cache.clear)
event.listen(User.active, "set", _cache.clear)
event.listen(User.roles, "set", _cache.clear)


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


def caller(session, token: str, now: datetime) -> Caller | None:
    """Who a live token acts as, or None; as ``authenticate``, remembered for ``CACHE_SECONDS``."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    key = digest(token)
    found = _cache.get(key)
    if found is not None:
        return found
    user = authenticate(session, token, now)
    if user is None:
        return None
    found = Caller(user.username, tuple(user.roles or ()))
    _cache.put(key, found)
    return found


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
