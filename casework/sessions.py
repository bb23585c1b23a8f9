"""Browser sign-ins kept on the server (SignInSession), so that one ends for good when the
person signs out, is deactivated or has their password changed: a copy of the session
cookie taken before then opens nothing afterwards.

The cookie holds a random token of 256 bits; the table holds its SHA-256. No Flask here:
the pages (webapp/views/auth.py) and the `acro users` commands use these functions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .models import SignInSession, User

SIGNED_OUT, DEACTIVATED, PASSWORD_CHANGED, EXPIRED = "signed out", "deactivated", "password changed", "expired"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _fingerprint(user: User) -> str:
    return digest(user.password_hash)


def start(session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new sign-in for ``user``; returns the token for the cookie (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            token_hash=digest(token),
            user_id=user.id,
            started_at=now,
            expires_at=now + lifetime,
            password_fingerprint=_fingerprint(user),
        )
    )
    return token


def signed_in_user(session, token: str | None, now: datetime) -> User | None:
    """The active user of a live sign-in, or None: unknown, ended or expired, or its user
    deactivated since (which ends it for good, so that reactivation does not revive it)."""
    if not token or len(token) > 100:
        return None
    row = session.scalars(select(SignInSession).where(SignInSession.token_hash == digest(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = row.user
    because = (
        EXPIRED
        if row.expires_at <= now
        else DEACTIVATED
        if user is None or not user.active
        else PASSWORD_CHANGED
        if row.password_fingerprint != _fingerprint(user)
        else None
    )
    if because is not None:
        row.ended_at, row.ended_because = now, because
        session.commit()
        return None
    return user


def end(session, token: str | None, now: datetime, because: str = SIGNED_OUT) -> None:
    """End one sign-in (signing out)."""
    if token:
        session.execute(
            update(SignInSession)
            .where(SignInSession.token_hash == digest(token), SignInSession.ended_at.is_(None))
            .values(ended_at=now, ended_because=because)
        )


def end_all(session, user_id: int, now: datetime, because: str) -> int:
    """End every live sign-in of a user (deactivation, a new password); how many there were."""
    result = session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
        .values(ended_at=now, ended_because=because)
    )
    return result.rowcount
