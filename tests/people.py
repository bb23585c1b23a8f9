"""The people the tests act as, and the one way to make them: as users in a database (with a
cheap password hash) and as actors for the service layer. The demo users (casework/demo.py)
are the browser's people; a few more stand in for colleagues."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from casework.config import DEFAULT_ROLE_GROUPS
from casework.demo import DEMO_USERS
from casework.models import User
from casework.permissions import Actor, actor_for

# user name -> (full name, roles)
PEOPLE = {username: (full_name, [role]) for username, full_name, role in DEMO_USERS}
PEOPLE.update(
    {
        "wendy": ("Wendy Okoro", ["workflow"]),
        "walter": ("Walter Ames", ["workflow"]),
        "carl": ("Carl Byrne", ["caseworker"]),
        "cora": ("Cora Hale", ["caseworker"]),
        "sita": ("Sita Rao", ["senior_caseworker"]),
        "dana": ("Dana Frost", ["director"]),
        "alex": ("Alex Ward", ["admin"]),
        "acro-system": ("ACRO system", ["workflow"]),
    }
)
DEMO = [username for username, _, _ in DEMO_USERS]  # workflow, caseworker, senior, director, admin
ROLE_OF = {username: roles[0] for username, (_, roles) in PEOPLE.items()}
USERNAME_OF = {role: username for username, _, role in DEMO_USERS}


def password(username: str) -> str:
    return f"demo-{username}-pass"


def add_users(session, usernames=None) -> list[str]:
    """Add these people (all of them by default) as active users; the password of ``name`` is
    ``demo-<name>-pass``. A cheap hash keeps hundreds of sign-ins fast; real users get scrypt
    (tests/web/test_cli.py checks it)."""
    made = []
    for username in usernames or PEOPLE:
        full_name, roles = PEOPLE[username]
        session.add(
            User(
                username=username,
                full_name=full_name,
                roles=list(roles),
                email=None,
                password_hash=generate_password_hash(password(username), method="pbkdf2:sha256:1000"),
            )
        )
        made.append(username)
    session.commit()
    return made


def actor(username: str, role_groups: dict | None = None) -> Actor:
    """The actor ``username`` is, with the groups their roles give (by default, the default roles)."""
    return actor_for(username, PEOPLE[username][1], role_groups or DEFAULT_ROLE_GROUPS)


def actor_of_role(role: str, role_groups: dict | None = None) -> Actor:
    """The demo user with ``role``, as an actor."""
    return actor(USERNAME_OF[role], role_groups)


INTAKE = Actor("acro-intake")
WORKFLOW = actor("wendy")
CASEWORKER = actor("carl")
