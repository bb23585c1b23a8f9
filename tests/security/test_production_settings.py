"""Issue 12, point 10: production refuses a weak session key, and OPTIONS answers with the
methods a route has: no more (the API's catch-all route once added every method to every
API path), on the pages and on the API alike."""

import pytest

from casework.config import ConfigError, Settings
from tests.security.routes import concrete_routes

REAL_ADDRESSES = {
    "ACRO_EMAIL": "referrals@acro.police.uk",
    "PNC_BUREAU_EMAIL": "pnc@police.uk",
    "NBTC_EMAIL": "nbtc@homeoffice.gov.uk",
    "ICE_EMAIL": "ice@homeoffice.gov.uk",
    "REMOVALS_EMAIL": "removals@homeoffice.gov.uk",
    "CC_DIRECTOR_EMAIL": "cc-director@homeoffice.gov.uk",
    "POST_DEPORTATION_EMAILS": "post-deportation@homeoffice.gov.uk",
}


def production(tmp_path, secret_key):
    return Settings.from_env(
        {"ACRO_ENV": "production", "SECRET_KEY": secret_key, "ACRO_INSTANCE_DIR": str(tmp_path), **REAL_ADDRESSES}
    )


@pytest.mark.parametrize("key", ["short", "x" * 31, "é" * 15 + "x"])  # the last is 31 bytes in 16 characters
def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path, key):
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        production(tmp_path, key)


@pytest.mark.parametrize("key", ["x" * 32, "é" * 16, "0123456789abcdef" * 4])
def test_production_takes_a_secret_key_of_32_bytes_or_more(tmp_path, key):
    assert production(tmp_path, key).secret_key == key


def test_the_embedded_mode_still_makes_its_own_long_key(tmp_path):
    settings = Settings.from_env({"ACRO_INSTANCE_DIR": str(tmp_path)})
    assert len(settings.secret_key.encode()) >= 32


def test_options_lists_only_the_methods_each_route_has(app, world):
    """Every route of the app (pages and API), walked from the URL map: OPTIONS, signed in or
    not, answers with exactly the route's methods."""
    client = app.test_client()
    checked = 0
    for route in concrete_routes(app, world):
        response = client.open(route.url, method="OPTIONS")
        assert response.status_code == 200, f"OPTIONS {route.url}: {response.status_code}"
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed == set(route.rule.methods), (
            f"OPTIONS {route.url}: {sorted(allowed)}, the route has {sorted(route.rule.methods)}"
        )
        checked += 1
    assert checked >= 40


def test_options_on_a_path_without_a_route_is_a_404(app):
    client = app.test_client()
    assert client.open("/no-such-page", method="OPTIONS").status_code == 404
    response = client.open("/api/v1/no/such/thing", method="OPTIONS")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "Allow" not in response.headers


def test_a_method_the_api_route_lacks_is_a_405_with_the_route_s_methods(app, api):
    response = api.client.put("/api/v1/cases", headers=api._headers("wendy", None))
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}
