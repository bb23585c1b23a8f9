"""Many caseworkers at once: concurrent claims and completions over HTTP against gunicorn with
several workers on PostgreSQL. Exactly one of two racing requests succeeds; nothing is lost
and nothing is done twice."""

import random
import threading
from collections import Counter

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from casework import bootstrap, tokens
from casework.config import Settings
from casework.models import AuditEntry, Case, UserTask
from casework.permissions import Actor
from casework.scenarios import RecordingSender
from casework.users import create_user
from engine.clock import SystemClock
from tests.network import free_port
from tests.production.servers import environment, gunicorn, wait_until_up
from tests.referrals import persona

CASES = 30
CLIENTS = 8
CHECK = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}


def test_concurrent_claims_and_completions_lose_and_repeat_nothing(tmp_path, database_url, report):
    settings = Settings.from_env({"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "test", "ACRO_SEND_EMAIL": "false"})
    engine = create_engine(database_url)
    people = {}
    with Session(engine) as session:
        service = bootstrap.build(session, settings, SystemClock(), RecordingSender())
        for n in range(CLIENTS):
            create_user(session, f"wf{n}", f"Workflow {n}", ["workflow"], "a long enough password")
        session.commit()
        for n in range(CLIENTS):
            people[f"wf{n}"] = tokens.create_token(session, f"wf{n}", "load test", SystemClock().now())[1]
        session.commit()
        # referrals whose certificates are marked for immigration (haddad's is for criminal
        # proceedings: its check takes another answer, and another path)
        names = ["kowalski", "ionescu", "mensah"]
        for n in range(CASES):
            item = persona(names[n % len(names)])
            service.submit_referral(item["referral"], Actor("acro-intake"), item["certificate"])
    port = free_port()
    env = environment(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "ACRO_INSTANCE_DIR": str(tmp_path),
            "ACRO_SEND_EMAIL": "false",
        }
    )
    web = gunicorn(env, port, tmp_path / "gunicorn.log", workers=4).start()
    results = Counter()
    lock = threading.Lock()
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        base = f"http://127.0.0.1:{port}/api/v1"

        def client(username):
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {people[username]}"
            rng = random.Random(username)
            for _ in range(200):
                listed = http.get(f"{base}/tasks", params={"task": "check_certificate", "page_size": 100}, timeout=30)
                tally(f"list {listed.status_code}")
                items = listed.json()["items"]
                if not items:
                    return
                task = rng.choice(items[:4])  # crowd onto the same few tasks on purpose
                if rng.random() < 0.5:
                    claimed = http.post(f"{base}/tasks/{task['id']}/claim", timeout=30)
                    tally(f"claim {claimed.status_code}")
                    if claimed.status_code == 409:
                        assert claimed.json()["by"] in people, claimed.text
                    if claimed.status_code != 200:
                        continue
                done = http.post(f"{base}/tasks/{task['id']}/complete", json={"answers": CHECK}, timeout=60)
                tally(f"complete {done.status_code}")
                if done.status_code == 409:
                    assert done.json()["by"] in people and done.json()["at"], done.text

        def tally(key):
            with lock:
                results[key] += 1

        threads = [threading.Thread(target=client, args=(name,)) for name in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        web.stop()
    report(f"requests: {sum(results.values())}; " + ", ".join(f"{k}: {v}" for k, v in sorted(results.items())))
    assert not [k for k in results if k.split()[1].startswith(("5", "404"))], results
    assert results["complete 200"] == CASES
    with Session(engine) as session:
        per_case = Counter(
            session.scalars(
                select(AuditEntry.case_id).where(
                    AuditEntry.task_bpmn_id == "check_certificate", AuditEntry.action == "task completed"
                )
            ).all()
        )
        assert sorted(per_case.values()) == [1] * CASES, per_case  # no lost and no repeated step
        ready = Counter(session.scalars(select(UserTask.bpmn_id)).all())
        assert ready == {"establish_whereabouts": CASES}
        assert session.scalar(select(func.count()).select_from(Case)) == CASES
    engine.dispose()
