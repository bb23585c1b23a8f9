"""People: users by name, the signed-in user, colleagues to assign a task to."""

from __future__ import annotations

from sqlalchemy import select

from ..models import User


def user(session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()


def active_user(session, user_id) -> User | None:
    found = session.get(User, user_id) if user_id is not None else None
    return found if found is not None and found.active else None


def colleagues(session, groups, role_groups: dict) -> list[User]:
    """Active people whose roles put them in any of ``groups`` (for "assign to")."""
    wanted = set(groups)
    roles = {role for role, role_gs in role_groups.items() if wanted & set(role_gs)}
    people = session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name)).all()
    return [p for p in people if roles & set(p.roles or [])]
