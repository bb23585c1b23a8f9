"""The referrals the tests send: the scenario personas (tests/scenarios/referrals/*.yaml), as
the service takes them and as the API's POST /referrals body."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

REFERRALS = Path(__file__).resolve().parent / "scenarios" / "referrals"
TEST_PDF = b"%PDF-1.4\n% test certificate\n%%EOF\n"


def persona(name: str = "kowalski") -> dict:
    """``{"referral": ..., "certificate": ...}`` of a scenario persona."""
    return yaml.safe_load((REFERRALS / f"{name}.yaml").read_text())


def api_body(name: str = "kowalski", pdf: bytes | None = TEST_PDF) -> dict:
    """A POST /referrals body from a persona, the certificate's PDF as base64."""
    data = persona(name)
    certificate = dict(data["certificate"])
    if pdf is not None:
        certificate.update(file=base64.b64encode(pdf).decode(), filename=f"{name}-certificate.pdf")
    return {"referral": data["referral"], "certificate": certificate}


def submit(service, name: str = "kowalski", actor=None):
    """Submit a persona's referral through the service; returns the case."""
    from tests.people import INTAKE

    data = persona(name)
    return service.submit_referral(
        data["referral"], actor or INTAKE, certificate=data.get("certificate"), channel="system"
    )
