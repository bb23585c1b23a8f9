"""The page tests use the shared fixtures of tests/conftest.py (web, make_case, world, users):
the security tests sign in and make cases the same way."""
