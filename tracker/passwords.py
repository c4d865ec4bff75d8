"""Passwords as NIST SP 800-63B has them: at least 12 characters, no composition rules, none of
the 10,000 most common; hashed with Argon2id. Also the hashes of secrets that are long and
random (links, sessions, recovery codes), which need no slow hash."""

from __future__ import annotations

import functools
import gzip
import hashlib
import secrets
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.errors import InvalidValue

MIN_LENGTH = 12
MAX_LENGTH = 256  # long passphrases welcome; an unbounded one is a way to burn our CPU

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


@functools.cache
def common_passwords() -> frozenset[str]:
    data = resources.files("tracker").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def check_password(password: object) -> str:
    """The password, or InvalidValue saying why it will not do."""
    if not isinstance(password, str):
        raise InvalidValue("password must be text", "password")
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"a password is at least {MIN_LENGTH} characters", "password")
    if len(password) > MAX_LENGTH:
        raise InvalidValue(f"a password is at most {MAX_LENGTH} characters", "password")
    if password.lower() in common_passwords():
        raise InvalidValue("that password is one of the most common: choose another", "password")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, a hash is still checked, so an unknown
    account takes as long to refuse as a wrong password."""
    try:
        return _hasher.verify(password_hash or _DECOY, password)
    except (VerificationError, InvalidHashError):
        return False


_DECOY = _hasher.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    """A long random secret (256 bits) needs no slow hash: one SHA-256 keeps it unreadable."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)
