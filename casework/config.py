"""Configuration from the environment, with safe defaults for the embedded mode (one
person, SQLite, a local mail catcher) and no working default for production secrets."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

DEFAULT_ROLE_GROUPS = {
    "workflow": ["cc-workflow"],
    "caseworker": ["cc-casework"],
    "senior_caseworker": ["senior-caseworker", "cc-casework"],
    "director": ["cc-director"],
    "admin": [],
    "analyst": ["process-analysts"],
}

# a team's group -> the group whose members supervise it (may take a claimed task from its holder)
DEFAULT_SUPERVISOR_GROUPS = {"cc-casework": "senior-caseworker"}

ROLE_NAMES = {
    "workflow": "CC Workflow team",
    "caseworker": "CC casework team / case owner",
    "senior_caseworker": "Senior caseworker",
    "director": "CC Director",
    "admin": "Administrator",
    "analyst": "Process analyst",
}


class ConfigError(RuntimeError):
    pass


# the session signature is HMAC-SHA256: a key shorter than its 32-byte output is the weak link
MIN_SECRET_KEY_BYTES = 32

# the CC team as letters and forms name it; every line can be set from the environment
DEFAULT_CONTACT = {
    "team": "Criminal Casework, Home Office",
    "email": "criminal-casework@homeoffice.example",
    "phone": "020 7946 0000",
    "postal_address": "Criminal Casework;Home Office;PO Box 1234;London;SW1A 1AA",
}


def _env(name, default=None, environ=None):
    value = (environ if environ is not None else os.environ).get(name)
    return default if value in (None, "") else value


def _role_groups(text):
    """``role=group1 group2;role2=group3``"""
    if not text:
        return DEFAULT_ROLE_GROUPS
    mapping = {}
    for part in text.split(";"):
        if part.strip():
            role, _, groups = part.partition("=")
            mapping[role.strip()] = groups.split()
    return mapping


@dataclass
class Settings:
    production: bool = False
    database_url: str = ""
    # the schema's owner, for `acro db upgrade` and `acro db grants`; the app itself connects
    # with database_url, a role that cannot alter the tables (README, "Running in production")
    migration_database_url: str = ""
    instance_dir: Path = REPO / "instance"
    processes_dir: Path = REPO / "processes"
    documents_dir: Path = REPO / "instance" / "documents"
    secret_key: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_from: str = "acro-casework@homeoffice.example"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    send_email: bool = True
    max_attempts: int = 6
    background: str = "inline"
    broker_url: str = "redis://127.0.0.1:6379/0"
    beat_seconds: float = 15.0
    requeue_after: float = 60.0
    outbox_lease: float = 300.0
    addresses: dict = field(default_factory=dict)
    # who writes: the CC team's contact details on forms and notices, and where the app is
    # reached, for links in emails (a person opens the case from the email)
    contact: dict = field(default_factory=lambda: _contact(lambda name, default=None: default))
    base_url: str = "http://127.0.0.1:5000"
    role_groups: dict = field(default_factory=lambda: dict(DEFAULT_ROLE_GROUPS))
    # who may enter referrals (INT-2), see intake problems, supervise a team, record an event
    referral_groups: tuple = ("cc-workflow",)
    # who uses the process workbench: edits drafts, publishes versions, moves running cases
    analyst_groups: tuple = ("process-analysts",)
    intake_problem_groups: tuple = ("cc-workflow",)
    supervisor_groups: dict = field(default_factory=lambda: dict(DEFAULT_SUPERVISOR_GROUPS))
    event_default_groups: tuple = ("cc-casework",)
    restricted_steps: dict = field(default_factory=dict)
    # the workbench (docs/analysts.md): the scenario suite a draft must pass, the rule
    # catalogue, and whether publishing writes the version into processes_dir
    scenarios_dir: Path = REPO / "tests" / "scenarios"
    rules_file: Path = REPO / "docs" / "acro-rules.md"
    publish_to_folder: bool = True

    def owner_database_url(self) -> str:
        return self.migration_database_url or self.database_url

    def handler_settings(self) -> dict:
        return {
            "addresses": self.addresses,
            "restricted_steps": self.restricted_steps,
            "contact": self.contact,
            "base_url": self.base_url,
        }

    @classmethod
    def from_env(cls, environ=None) -> Settings:
        get = lambda name, default=None: _env(name, default, environ)  # noqa: E731
        production = get("ACRO_ENV", "embedded") == "production"
        instance_dir = Path(get("ACRO_INSTANCE_DIR", str(REPO / "instance")))
        database_url = get("DATABASE_URL", f"sqlite:///{instance_dir / 'acro.sqlite'}")
        secret_key = get("SECRET_KEY")
        if not secret_key:
            if production:
                raise ConfigError("SECRET_KEY must be set when ACRO_ENV=production")
            secret_key = _embedded_secret(instance_dir)
        elif production and len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes when ACRO_ENV=production "
                f"(it has {len(secret_key.encode())}); make one with "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        addresses = {
            "acro": get("ACRO_EMAIL", "referrals@acro.police.example"),
            "pnc_bureau": get("PNC_BUREAU_EMAIL", "pnc-bureau@police.example"),
            "nbtc": get("NBTC_EMAIL", "nbtc@homeoffice.example"),
            "ice": get("ICE_EMAIL", "ice-tasking@homeoffice.example"),
            "removals": get("REMOVALS_EMAIL", "removals-casework@homeoffice.example"),
            "cc_director": get("CC_DIRECTOR_EMAIL", "cc-director@homeoffice.example"),
            "post_deportation": get(
                "POST_DEPORTATION_EMAILS", "post-deportation@homeoffice.example,acro-updates@acro.police.example"
            ).split(","),
        }
        if production and any(a.endswith(".example") for a in _flat(addresses)):
            raise ConfigError("set every party's address (ACRO_EMAIL, PNC_BUREAU_EMAIL, ...) when ACRO_ENV=production")
        return cls(
            production=production,
            database_url=database_url,
            migration_database_url=get("MIGRATION_DATABASE_URL", database_url),
            instance_dir=instance_dir,
            processes_dir=Path(get("ACRO_PROCESSES_DIR", str(REPO / "processes"))),
            documents_dir=Path(get("ACRO_DOCUMENTS_DIR", str(instance_dir / "documents"))),
            secret_key=secret_key,
            smtp_host=get("SMTP_HOST", "127.0.0.1"),
            smtp_port=int(get("SMTP_PORT", "8025")),
            smtp_from=get("SMTP_FROM", "acro-casework@homeoffice.example"),
            smtp_starttls=get("SMTP_STARTTLS", "false").lower() == "true",
            smtp_username=get("SMTP_USERNAME"),
            smtp_password=get("SMTP_PASSWORD"),
            send_email=get("ACRO_SEND_EMAIL", "true").lower() == "true",
            max_attempts=int(get("ACRO_MAX_ATTEMPTS", "6")),
            background=_background(get("ACRO_BACKGROUND", "inline")),
            broker_url=get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
            beat_seconds=float(get("ACRO_BEAT_SECONDS", "15")),
            requeue_after=float(get("ACRO_REQUEUE_AFTER", "60")),
            outbox_lease=float(get("ACRO_OUTBOX_LEASE", "300")),
            addresses=addresses,
            contact=_contact(get),
            base_url=get("ACRO_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            role_groups=_role_groups(get("ROLE_GROUPS")),
            referral_groups=tuple(get("REFERRAL_GROUPS", "cc-workflow").split()),
            analyst_groups=tuple(get("ANALYST_GROUPS", "process-analysts").split()),
            intake_problem_groups=tuple(get("INTAKE_PROBLEM_GROUPS", "cc-workflow").split()),
            supervisor_groups=_pairs(get("SUPERVISOR_GROUPS")) or dict(DEFAULT_SUPERVISOR_GROUPS),
            scenarios_dir=Path(get("ACRO_SCENARIOS_DIR", str(REPO / "tests" / "scenarios"))),
            rules_file=Path(get("ACRO_RULES_FILE", str(REPO / "docs" / "acro-rules.md"))),
            publish_to_folder=get("ACRO_PUBLISH_TO_FOLDER", "false" if production else "true").lower() == "true",
            restricted_steps=_local_steps(Path(get("ACRO_LOCAL_STEPS_FILE", str(instance_dir / "local-steps.toml")))),
        )


def _local_steps(path: Path) -> dict:
    """The local text for each section the public guidance withholds, keyed as the diagrams'
    ``local_steps`` properties name them (a TOML file: ``WF-5 = "..."``). No file means none
    configured, which each such step says on the case; a file that cannot be read stops the
    start, rather than running without the local steps the operator meant to give."""
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"the local steps file {path} cannot be read: {exc}") from None
    wrong = sorted(key for key, value in table.items() if not isinstance(value, str))
    if wrong:
        raise ConfigError(f'the local steps file {path}: {", ".join(wrong)} must be text (KEY = "...")')
    return table


def _contact(get) -> dict:
    """The CC team's contact details; the postal address's lines are separated by ";" (an
    environment variable is one line)."""
    address = get("CC_TEAM_POSTAL_ADDRESS", DEFAULT_CONTACT["postal_address"])
    return {
        "team": get("CC_TEAM_NAME", DEFAULT_CONTACT["team"]),
        "email": get("CC_TEAM_EMAIL", DEFAULT_CONTACT["email"]),
        "phone": get("CC_TEAM_PHONE", DEFAULT_CONTACT["phone"]),
        "postal_address": "\n".join(line.strip() for line in address.split(";") if line.strip()),
    }


def _pairs(text):
    """``team=supervisors;team2=supervisors2``"""
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in (text or "").split(";")) if k.strip()}


def _background(value: str) -> str:
    if value not in ("inline", "celery"):
        raise ConfigError(f"ACRO_BACKGROUND must be 'inline' (embedded) or 'celery', not {value!r}")
    return value


def _flat(addresses):
    for value in addresses.values():
        yield from (value if isinstance(value, list) else [value])


def _embedded_secret(instance_dir: Path) -> str:
    """A per-installation random key for the embedded mode, kept in the instance folder."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
