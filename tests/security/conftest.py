"""The security tests sign in, call the API and make cases with the shared fixtures of
tests/conftest.py (web, api, make_case, world), so a finding is checked on every channel."""
