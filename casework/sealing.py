"""Certificate content sealed with a key of its own (WF-2, crypto-shredding).

A PostgreSQL row that is updated or deleted is not wiped: the old version stays in the table's
pages until they are reused, in the write-ahead log, in its archives and in every backup. A
certificate's text and PDF are therefore never written in the clear: each certificate gets a
random Fernet key (AES-128-CBC with an HMAC-SHA256) in a row of its own, and only the sealed
bytes go in the certificate row. Destroying the certificate deletes that key row, after which
no copy of the sealed bytes, wherever it lingers, can be opened."""

from __future__ import annotations

from cryptography.fernet import Fernet


def new_key() -> bytes:
    return Fernet.generate_key()


def seal(key: bytes, plain: bytes) -> bytes:
    return Fernet(key).encrypt(plain)


def unseal(key: bytes, sealed: bytes) -> bytes:
    """The plain bytes; cryptography.fernet.InvalidToken for bytes another key sealed."""
    return Fernet(key).decrypt(sealed)
