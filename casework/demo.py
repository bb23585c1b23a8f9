"""Demo users, one per role, and a few referrals at different stages, for trying the app."""

from __future__ import annotations

from sqlalchemy import select

from .models import User
from .permissions import Actor
from .users import create_user

DEMO_USERS = [
    ("workflow", "Wendy Okafor", "workflow"),
    ("caseworker", "Carl Mendes", "caseworker"),
    ("senior", "Sita Patel", "senior_caseworker"),
    ("director", "Dana Rhodes", "director"),
    ("admin", "Alex Morgan", "admin"),
    ("analyst", "Priya Anand", "analyst"),
]

IMMIGRATION_PURPOSE = "Request for administrative purpose immigration/deportation"

DEMO_REFERRALS = [
    {
        "referral": {
            "subject": {
                "family_name": "Kowalski",
                "given_names": "Piotr Jan",
                "aliases": ["Peter Kowal"],
                "date_of_birth": "1988-04-12",
                "nationality": "Poland",
                "identity_documents": [{"type": "passport", "number": "EA1234567", "issuing_country": "Poland"}],
                "pnc_id": "12/345678A",
            },
            "convictions": [
                {"country": "Poland", "offence": "Robbery", "date": "2015-06-01", "sentence": "4 years' imprisonment"},
                {
                    "country": "Germany",
                    "offence": "Assault occasioning bodily harm",
                    "date": "2018-02-11",
                    "sentence": "18 months' imprisonment",
                },
            ],
            "interpol_check_outcome": "No trace on i24/7",
            "officer": {
                "name": "DC Sarah Hughes",
                "force": "Metropolitan Police",
                "email": "sarah.hughes@met.police.example",
                "phone": "020 7946 0001",
            },
            "request_reason": "arrest",
            "last_known_address": "14 Acacia Road, London E1 2AB",
        },
        "certificate": {"request_purpose": IMMIGRATION_PURPOSE, "content": "ACRO certificate (demo)"},
    },
    {
        "referral": {
            "subject": {
                "family_name": "Haddad",
                "given_names": "Omar",
                "aliases": [],
                "date_of_birth": "1979-11-30",
                "nationality": "Lebanon",
                "identity_documents": [],
                "pnc_id": None,
            },
            "convictions": [
                {
                    "country": "France",
                    "offence": "Drug trafficking",
                    "date": "2012-09-19",
                    "sentence": "6 years' imprisonment",
                }
            ],
            "interpol_check_outcome": None,
            "officer": {
                "name": "PC Tom Reid",
                "force": "West Midlands Police",
                "email": None,
                "phone": "0121 496 0002",
            },
            "request_reason": "arrest",
            "last_known_address": None,
        },
        "certificate": {"request_purpose": "Criminal proceedings", "content": "ACRO certificate (demo)"},
    },
    {
        "referral": {
            "subject": {
                "family_name": "Ionescu",
                "given_names": "Maria",
                "aliases": ["Maria Ionesco"],
                "date_of_birth": "1992-02-03",
                "nationality": "Romania",
                "identity_documents": [
                    {"type": "national identity card", "number": "RX998877", "issuing_country": "Romania"}
                ],
                "pnc_id": "19/112233C",
            },
            "convictions": [
                {"country": "Romania", "offence": "Fraud", "date": "2017-05-22", "sentence": "3 years' imprisonment"}
            ],
            "interpol_check_outcome": "Trace: conviction confirmed",
            "officer": {
                "name": "DS Ade Bello",
                "force": "Kent Police",
                "email": "ade.bello@kent.police.example",
                "phone": None,
            },
            "request_reason": "witness",
            "last_known_address": "Flat 2, 9 High Street, Maidstone ME14 1AA",
        },
        "certificate": {"request_purpose": IMMIGRATION_PURPOSE, "content": "ACRO certificate (demo)"},
    },
]


def load_demo(service) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Create the demo users that do not exist yet and submit the demo referrals."""
    session = service.session
    made = []
    for username, full_name, role in DEMO_USERS:
        password = f"demo-{username}-pass"
        if not session.scalars(select(User).where(User.username == username)).first():
            create_user(session, username, full_name, [role], password, f"{username}@homeoffice.example")
        made.append((username, password, role))
    session.commit()
    intake = Actor("acro-intake")
    cases = [
        service.submit_referral(item["referral"], intake, certificate=item["certificate"], channel="system").reference
        for item in DEMO_REFERRALS
    ]
    return made, cases
