"""Crash test: SIGKILL the web server and the worker at random moments while a batch of
referrals is worked; after restarts every case reaches its expected outcome with exactly the
expected emails (each delivered, a copy only with the same Message-ID after a worker death)
and documents."""

import random
import threading
import time
from collections import Counter
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from casework import tokens
from casework.models import Case, Document, Email, Incident
from casework.users import create_user
from engine.clock import SystemClock
from tests.network import free_port
from tests.production.servers import celery_worker, environment, gunicorn, wait_until_up
from tests.referrals import persona

CASES = 8
BROKER = "redis://127.0.0.1:6379/14"
WANTED_MISSING = "ACRO: liable to deport – PNC updated 'wanted/missing'"
STEPS = [
    ("check_certificate", "wf", {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}),
    ("establish_whereabouts", "cw", {"whereabouts_known": "no"}),
    ("record_nbtc_result", "cw", {"left_uk": "no"}),
    ("record_ice_outcome", "cw", {"ice_outcome": "not_located"}),
]
# per case: PNC check (WF-4), NBTC check (CW-1), ICD.5079 to the PNC Bureau (CW-4), ICE referral (CW-5)
EMAILS_PER_CASE = 4


def test_killing_web_and_worker_at_random_loses_and_repeats_nothing(
    tmp_path, database_url, smtp_server, report, request
):
    redis.Redis.from_url(BROKER).flushdb()
    earlier = len(smtp_server.messages)  # the server is the session's: what came before is not ours
    engine = create_engine(database_url)
    # a failed run must not leave a connection for the garbage collector to close in another test
    request.addfinalizer(engine.dispose)
    secret = {}
    with Session(engine) as session:
        create_user(session, "wf", "Wendy Workflow", ["workflow"], "a long enough password")
        create_user(session, "cw", "Carl Casework", ["caseworker"], "a long enough password")
        session.commit()
        for user in ("wf", "cw"):
            secret[user] = tokens.create_token(session, user, "crash test", SystemClock().now())[1]
        session.commit()
    port = free_port()
    env = environment(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ACRO_INSTANCE_DIR": str(tmp_path),
            "ACRO_DOCUMENTS_DIR": str(tmp_path / "documents"),
            "ACRO_BACKGROUND": "celery",
            "CELERY_BROKER_URL": BROKER,
            "SMTP_HOST": smtp_server.host,
            "SMTP_PORT": str(smtp_server.port),
            "ACRO_BEAT_SECONDS": "1",
            "ACRO_REQUEUE_AFTER": "3",
            "ACRO_OUTBOX_LEASE": "5",
        }
    )
    web = gunicorn(env, port, tmp_path / "web.log", workers=2).start()
    work = celery_worker(env, tmp_path / "worker.log").start()
    base = f"http://127.0.0.1:{port}/api/v1"
    counts = Counter()

    def call(method, path, user, **kwargs):
        """One request, retried through crashes until the server answers something other than 5xx."""
        for _ in range(400):
            try:
                response = requests.request(
                    method, f"{base}{path}", timeout=20, headers={"Authorization": f"Bearer {secret[user]}"}, **kwargs
                )
            except requests.RequestException:
                counts["connection lost"] += 1
                time.sleep(0.25)
                continue
            counts[f"{method} {response.status_code}"] += 1
            if response.status_code < 500:
                return response
            time.sleep(0.25)
        raise AssertionError(f"{method} {path} never answered")

    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        references = []
        # referrals whose certificates are marked for immigration (haddad's is for criminal
        # proceedings: its check takes another answer, and another path)
        names = ["kowalski", "ionescu", "mensah"]
        for n in range(CASES):
            item = persona(names[n % len(names)])
            response = call(
                "POST", "/referrals", "wf", json={"referral": item["referral"], "certificate": item["certificate"]}
            )
            assert response.status_code == 201, response.text
            references.append(response.json()["reference"])

        done = threading.Event()
        kills = Counter()

        def chaos():
            rng = random.Random(20261129)
            while not done.is_set():
                time.sleep(rng.uniform(0.3, 2.0))
                if done.is_set():
                    break
                victim = rng.choice([web, work])
                victim.kill()
                kills[victim.name] += 1
                time.sleep(rng.uniform(0.1, 0.5))
                victim.start()

        killer = threading.Thread(target=chaos)
        killer.start()
        try:
            for bpmn_id, user, answers in STEPS:
                for reference in references:
                    deadline = time.monotonic() + 180
                    while True:
                        assert time.monotonic() < deadline, f"{reference} never reached {bpmn_id}"
                        listed = call("GET", "/tasks", user, params={"case": reference, "task": bpmn_id})
                        items = listed.json().get("items", []) if listed.status_code == 200 else []
                        if items:
                            break
                        time.sleep(0.3)
                    result = call("POST", f"/tasks/{items[0]['id']}/complete", user, json={"answers": answers})
                    # 409 'already done by <user>': our own earlier attempt landed before a crash
                    assert result.status_code == 200 or (result.status_code == 409 and result.json()["by"] == user), (
                        result.text
                    )
        finally:
            done.set()
            killer.join()
        for server in (web, work):
            if server.process.poll() is not None:
                server.start()
        wait_until_up(f"http://127.0.0.1:{port}/healthz")

        def settled(session):
            cases = session.scalars(select(Case).where(Case.reference.in_(references))).all()
            emails = session.scalars(select(Email)).all()
            return (
                all(c.state == "dormant" and c.pending_since is None for c in cases)
                and len(emails) == EMAILS_PER_CASE * CASES
                and all(e.sent_at for e in emails)
            )

        deadline = time.monotonic() + 120
        while True:
            with Session(engine) as session:
                if settled(session):
                    break
                if time.monotonic() > deadline:
                    cases = session.scalars(select(Case).where(Case.reference.in_(references))).all()
                    emails = Counter((e.case_id, e.kind, bool(e.sent_at)) for e in session.scalars(select(Email)))
                    raise AssertionError(
                        f"the cases did not settle after the crashes: "
                        f"{[(c.reference, c.state, c.stage, c.pending_since) for c in cases]} {emails}"
                    )
            time.sleep(0.5)
    finally:
        web.stop()
        work.stop()

    with Session(engine) as session:
        cases = session.scalars(select(Case).where(Case.reference.in_(references))).all()
        assert {c.outcome for c in cases} == {WANTED_MISSING}
        emails = session.scalars(select(Email)).all()
        per_case = Counter(e.case_id for e in emails)
        assert sorted(per_case.values()) == [EMAILS_PER_CASE] * CASES
        documents = session.scalars(select(Document)).all()
        assert sorted(Counter(d.case_id for d in documents).values()) == [1] * CASES
        assert {d.kind for d in documents} == {"ICD.5079"} and all(Path(d.path).exists() for d in documents)
        assert session.scalars(select(Incident).where(Incident.resolved_at.is_(None))).all() == []
        ours = {e.message_id for e in emails}
    received = Counter(m["message"]["Message-ID"] for m in smtp_server.messages[earlier:])
    report(
        f"crash test: {CASES} cases, kills {dict(kills)}, requests {dict(counts)}, "
        f"emails expected {len(ours)}, received {sum(received.values())} ({len(received)} distinct)"
    )
    assert ours <= set(received), f"some emails never arrived: {ours - set(received)}"
    # SMTP cannot be exactly once: a worker killed after the relay took a message and before
    # the outbox marked it sent sends it again, with the same Message-ID, by which relays and
    # mail clients drop the copy (casework/outbox.py). Each copy needs such a death, so there are
    # never more copies than worker kills, and never a copy under another Message-ID.
    copies = sum(received.values()) - len(received)
    assert copies <= kills["worker"], f"{copies} copies for {kills['worker']} worker kills: {received}"
    assert set(received) <= ours, f"messages under Message-IDs the outbox never gave: {set(received) - ours}"
    engine.dispose()
