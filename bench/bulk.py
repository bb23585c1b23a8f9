"""Many cases at once for measure 2: bulk INSERTs of realistic rows (case, subject, aliases,
ready tasks, audit trail) copied from real wait states, not service calls.

Each case copies one wait state that a scenario really reached (``storage.collect``): its
instance state (with the case reference and the ready tasks' ids made its own), its ready
tasks, its audit trail; its subject gets a name, date of birth, nationality and PNC ID of its
own. By default 60% of cases are concluded (a system that has run for years holds mostly
closed cases) and 40% wait somewhere in the process, open or dormant.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from casework import bundles, subjects
from casework.models import Alias, AuditEntry, Case, Subject, UserTask
from engine import bundle as engine_bundle
from webapp.db import db

FAMILY = (
    "Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Popescu Ionescu "
    "Dumitru Stan Gheorghe Constantin Haddad Mansour Khalil Hassan Nasser Aziz Mensah Owusu Boateng "
    "Asante Okafor Adeyemi Okonkwo Balogun Hoxha Krasniqi Berisha Gashi Shehu Petrov Ivanov Dimitrov "
    "Georgiev Horvat Kovačević Novak Müller Schmidt Schneider Fischer Weber Rossi Russo Ferrari "
    "Esposito Bianchi García Fernández González Rodríguez López Silva Santos Ferreira Pereira Oliveira "
    "Costa Kaya Yılmaz Demir Şahin Çelik Nguyen Tran Pham Rahman Hossain Ahmed Khan Ali Hussain Singh "
    "Kumar Sharma Papadopoulos Nikolaidis Kazlauskas Jankauskas Bērziņš Kalniņš Tamm Saar Żółć "
    "Novotný Svoboda Dvořák Varga Tóth Nagy Szabó Horváth Jensen Nielsen Hansen"
).split()
GIVEN = (
    "Piotr Jan Tomasz Marek Andrei Ion Mihai Elena Maria Ana Omar Youssef Karim Fatima Kwame Kofi Ama "
    "Chinedu Emeka Ngozi Arben Besnik Fatmir Dritan Ivan Georgi Dimitar Luka Marko Hans Peter Klaus "
    "Marco Luca Giulia José Carlos Javier João Pedro Mehmet Ahmet Ayşe Minh Thi Anh Rahim Imran "
    "Ravi Priya Nikos Giorgos Tomas Jonas Janis Andres Pavel Jiří Zoltán László Lars Søren Łukasz"
).split()
NATIONALITIES = (
    "Poland Romania Lebanon Ghana Nigeria Albania Bulgaria Croatia Germany Italy Spain Portugal "
    "Turkey Vietnam Bangladesh India Greece Lithuania Latvia Estonia Czechia Hungary Denmark"
).split()
OWNERS = tuple(f"caseworker{n:02d}" for n in range(1, 41))


@dataclass
class _Template:
    snapshot: object
    state: bytes  # the instance state as the column stores it (zlib-compressed JSON)
    task_ids: list
    created_at: datetime
    audit_lines: list  # (at, task_id, the encoded columns between, the encoded columns after)


def _prepare(snapshot) -> _Template:
    case = snapshot.case
    lines = []
    for row in snapshot.audit:
        middle = "\t".join(_copy_value(row[k]) for k in ("actor", "action"))
        tail = "\t".join(_copy_value(row[k]) for k in ("task_bpmn_id", "task_name", "details"))
        lines.append((row["at"], row["task_id"], middle, tail))
    return _Template(
        snapshot,
        Case.instance_state.type.process_bind_param(case["instance_state"], None),
        [t["id"] for t in snapshot.tasks],
        case["created_at"],
        lines,
    )


class Generator:
    """Rows for cases 1..n, the same for the same seed."""

    def __init__(self, snapshots, closed_share: float = 0.6, seed: int = 2026):
        self.closed = [_prepare(s) for s in snapshots if s.state == "closed"]
        self.waiting = [_prepare(s) for s in snapshots if s.state != "closed"]
        if not self.closed or not self.waiting:
            raise ValueError("the templates need closed and waiting cases")
        self.closed_share = closed_share
        self.seed = seed
        self.start = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)

    def people(self, n: int):
        """(family, given, date of birth, nationality, PNC ID) of case i, for searching."""
        rng = random.Random(self.seed * 7 + n)
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        dob = f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return family, given, dob, rng.choice(NATIONALITIES), f"{rng.randint(0, 99):02d}/{n:06d}{'ABCDEFGHJK'[n % 10]}"

    def case(self, n: int, total: int, process_version_id: int, for_copy: bool = False) -> dict:
        """The rows of case n; ``for_copy``: the audit rows as COPY lines, ready to send."""
        rng = random.Random(self.seed * 1_000_003 + n)
        template = rng.choice(self.closed if rng.random() < self.closed_share else self.waiting)
        snap = template.snapshot
        # spread over two years, newest last
        created = self.start + timedelta(minutes=int(n * (2 * 365 * 24 * 60) / max(total, 1)))
        shift = created - template.created_at
        reference = f"ACRO-{2024 + n % 3}-{n:06d}"  # the same for case n in every size of load
        family, given, dob, nationality, pnc = self.people(n)
        owner = rng.choice(OWNERS)
        task_ids = {}
        for old in template.task_ids:
            task_ids[old] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        referral = json.loads(json.dumps(snap.case["referral"]))
        subject_details = referral.setdefault("subject", {})
        alias = f"{rng.choice(GIVEN)} {family}"
        subject_details.update(
            family_name=family,
            given_names=given,
            date_of_birth=dob,
            nationality=nationality,
            pnc_id=pnc,
            aliases=[alias],
        )
        case_row = dict(
            snap.case,
            **subjects.search_fields(referral),
            id=n,
            reference=reference,
            referral=referral,
            # the template's compressed state as it is: the queue and search never restore a
            # workflow, and a case's own reference and task ids (of the same lengths) would
            # compress to the same size; compressing 100,000 states took minutes
            instance_state=template.state,
            process_version_id=process_version_id,
            pending_since=None,
            case_owner=owner if snap.case["case_owner"] else None,
            created_at=created,
            updated_at=snap.case["updated_at"] + shift,
            subject_id=n if snap.subject else None,
        )
        subject = aliases = None
        if snap.subject:
            subject = dict(
                snap.subject,
                id=n,
                family_name=family,
                given_names=given,
                date_of_birth=dob,
                nationality=nationality,
                pnc_id=pnc.upper(),
                search_key=subjects.identity_key(family, given, dob, nationality),
            )
            aliases = [{"subject_id": n, "name": alias, "search_key": subjects.normalise(alias)}]
        tasks = [
            dict(
                t,
                id=task_ids[t["id"]],
                case_id=n,
                created_at=t["created_at"] + shift,
                due_at=t["due_at"] + shift if t["due_at"] else None,
                claimed_at=t["claimed_at"] + shift if t["claimed_at"] else None,
                assignee=owner if t["assignee"] else None,
            )
            for t in snap.tasks
        ]
        if for_copy:
            audit = [
                f"{n}\t{(at + shift).isoformat()}\t{middle}\t{_copy_value(task_ids.get(task_id, task_id))}\t{tail}\n"
                for at, task_id, middle, tail in template.audit_lines
            ]
        else:
            audit = [
                dict(a, id=None, case_id=n, at=a["at"] + shift, task_id=task_ids.get(a["task_id"], a["task_id"]))
                for a in snap.audit
            ]
        return {"case": case_row, "subject": subject, "aliases": aliases or [], "tasks": tasks, "audit": audit}


# -- COPY text format ---------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()  # bytea in hex, its backslash escaped for COPY
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, bool):
        value = "t" if value else "f"
    return str(value).translate(_ESCAPES)


def _copy_line(row: dict, names) -> str:
    return "\t".join(_copy_value(row[name]) for name in names) + "\n"


TABLES = (("subject", Subject), ("aliases", Alias), ("case", Case), ("tasks", UserTask), ("audit", AuditEntry))


def _names(model, skip_id=False):
    return [c.name for c in model.__table__.columns if not (skip_id and c.name == "id")]


def process_version(session, settings) -> int:
    version, _ = bundles.current(session, settings.processes_dir, engine_bundle.MAIN_PROCESS)
    session.commit()
    return version.id


def _indexes():
    return [index for _, model in TABLES for index in model.__table__.indexes]


def _load_range(url: str, generator: Generator, n: int, version_id: int, chunks: list) -> None:
    """One loader process: COPY the cases of its chunks, each chunk one transaction."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            for first, last in chunks:
                batch = [generator.case(i, n, version_id, for_copy=True) for i in range(first, last + 1)]
                for key, model in TABLES:
                    names = _names(model, skip_id=model in (Alias, AuditEntry))
                    quoted = ", ".join(f'"{name}"' for name in names)
                    with cursor.copy(f"COPY {model.__tablename__} ({quoted}) FROM STDIN") as copy:
                        buffer = []
                        for item in batch:
                            rows = item[key]
                            for row in [rows] if isinstance(rows, dict) else rows or []:
                                buffer.append(row if isinstance(row, str) else _copy_line(row, names))
                            if len(buffer) > 5000:
                                copy.write("".join(buffer))
                                buffer = []
                        if buffer:
                            copy.write("".join(buffer))
                connection.commit()
    finally:
        raw.close()
        engine.dispose()


def load_postgres(
    url: str, generator: Generator, n: int, settings, chunk: int = 1000, processes: int = 2, log=lambda *_: None
) -> None:
    """COPY n cases into the (empty, created) schema at ``url``, with ``processes`` loaders at
    once; the secondary indexes are dropped first and built again after (the same indexes)."""
    import multiprocessing

    engine = create_engine(url)
    with Session(engine) as session:
        version_id = process_version(session, settings)
    with engine.begin() as connection:
        for index in _indexes():
            index.drop(connection)
    chunks = [(first, min(first + chunk - 1, n)) for first in range(1, n + 1, chunk)]
    shares = [chunks[k::processes] for k in range(processes)]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_load_range, args=(url, generator, n, version_id, share)) for share in shares]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise RuntimeError("a bulk loader failed (see above)")
    log(f"    {n:,} cases copied; building indexes")
    with engine.begin() as connection:
        for index in _indexes():
            index.create(connection)
        for table in ("case_record", "subject", "alias", "audit_entry"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    raw = engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        with raw.driver_connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a database that has been running
    finally:
        raw.close()
        engine.dispose()


def create_schema(url: str) -> None:
    engine = create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()


def sample(url: str) -> dict:
    """Names, PNC IDs and references that are in the database, for the queries to look for."""
    engine = create_engine(url)
    with Session(engine) as session:
        found = {
            "references": session.scalars(select(Case.reference).order_by(Case.id)).all()[::97][:50],
            "subjects": session.execute(
                select(Subject.family_name, Subject.given_names, Subject.pnc_id).order_by(Subject.id)
            ).all()[::89][:50],
            "aliases": session.scalars(select(Alias.name).order_by(Alias.id)).all()[::83][:50],
        }
    engine.dispose()
    return found
