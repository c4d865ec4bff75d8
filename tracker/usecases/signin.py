"""Use cases of signing in: invitation and reset links, passwords, the second factor.

The secrets are kept by `self.credentials` (tracker/ports.py), never in an event: a link's secret
and a recovery code are returned once and kept only as hashes; a password only as its Argon2id
hash. What the log records is what happened (invited, joined), with who did it.
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp

from tracker.domain.account import Account
from tracker.domain.base import Caller
from tracker.errors import InvalidValue, RuleBroken
from tracker.passwords import (
    check_password,
    hash_password,
    hash_secret,
    new_secret,
    password_matches,
)

LINK_DAYS = 7
DAY = 86400.0
INVITATION, RESET = "invitation", "reset"
RECOVERY_CODES = 10
SECOND_FACTOR_REQUIRED = ("admin", "auditor")  # docs/people.md


def matching_step(totp: pyotp.TOTP, code: str, now: float) -> int | None:
    """The time step (of the one before, now, or after) whose code this is, or None."""
    for offset in (-1, 0, 1):
        at = now + offset * totp.interval
        if hmac.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


class LinkRefused(RuleBroken):
    def __init__(self) -> None:
        super().__init__("this link is unknown, used or expired: ask for a new one", "link")


class SigningIn:
    """Mixed into `Tracker`: these methods are its use cases."""

    clock = staticmethod(time.time)  # wall-clock seconds, since other processes compare them

    def invite(
        self,
        email: str,
        name: str,
        grant: str,
        granted_by: list[str] | None = None,
        caller: Caller | None = None,
        days: int = LINK_DAYS,
    ) -> str | None:
        """Invite a person (or give a joined one the grant); the invitation link's secret, or
        None when the person has already joined and needs no link."""
        written = self.invite_person(email, name, grant, granted_by, caller=caller)
        account = self.account_by_id(written.id)
        if account.joined:
            return None
        return self._new_link(str(account.id), INVITATION, days)

    def accept_invitation(
        self,
        secret: str,
        password: str,
        caller: Caller | None = None,
        code: str | None = None,
        second_factor_later: bool = False,
    ) -> str:
        """Set the first password from an invitation link, and join: the account's id. An
        account that must have a second factor enrols it here, with a `code` from the app set
        up from `enrolment_secret`, so a password alone never enrols one; only the server's own
        command line (the demo) may leave it for later."""
        password = check_password(password)  # before the link is spent on a refused password
        enrolling = not second_factor_later and self._must_enrol(secret)
        if enrolling:
            self._check_enrolling_code(enrolling, code or "")
        account = self._account_of_link(secret, INVITATION)
        if account.joined:  # a second invitation's link, after the first was accepted
            raise LinkRefused()
        if enrolling:
            self.credentials.set_second_factor(enrolling[0], enrolling[1], confirmed=True)
        self.credentials.set_password_hash(str(account.id), hash_password(password))
        self.join(account.email, caller=caller or Caller(str(account.id)))
        return str(account.id)

    def enrolment_secret(self, secret: str) -> str | None:
        """For a live invitation of an account that must have a second factor: the TOTP secret
        for the person's app (the same one until it is confirmed, so a reloaded page shows what
        the app already holds), confirmed when accepting; None for any other link."""
        enrolling = self._must_enrol(secret)
        if enrolling is None:
            return None
        account_id, totp_secret = enrolling
        if not totp_secret:
            totp_secret = pyotp.random_base32()
            self.credentials.set_second_factor(account_id, totp_secret, confirmed=False)
        return totp_secret

    def _must_enrol(self, secret: str) -> tuple[str, str] | None:
        """(account id, pending TOTP secret) when accepting this invitation must enrol."""
        account = self._account_of_live_link(secret, INVITATION)
        if account is None or account.joined or not self.must_have_second_factor(account):
            return None
        pending = self.credentials.second_factor(str(account.id))
        return (str(account.id), pending[0] if pending else "")

    def _check_enrolling_code(self, enrolling: tuple[str, str], code: str) -> None:
        account_id, totp_secret = enrolling
        if not (totp_secret and self._fresh_code(account_id, totp_secret, code)):
            raise InvalidValue(
                "your account needs an authenticator app: type the code it shows now", "code"
            )

    def request_reset(self, email: str, days: int = LINK_DAYS) -> str | None:
        """A reset link's secret for a joined, enabled account; None for anyone else, so the
        caller answers alike whether or not the address has an account."""
        account = self.account_of(email)
        if account is None or not account.is_active:
            return None
        return self._new_link(str(account.id), RESET, days)

    def reset_password(self, secret: str, password: str) -> str:
        """A new password from a reset link; every session of the account ends."""
        password = check_password(password)
        account = self._account_of_link(secret, RESET)
        account_id = str(account.id)
        self.credentials.set_password_hash(account_id, hash_password(password))
        self.credentials.end_sessions(account_id)
        return account_id

    def change_password(self, account_id: str, current: str, new: str) -> None:
        new = check_password(new)
        if not password_matches(self.credentials.password_hash(account_id), current):
            raise InvalidValue("the current password is not right", "current")
        self.credentials.set_password_hash(account_id, hash_password(new))

    def check_credentials(self, email: str, password: str) -> Account | None:
        """The account if the password is right and the account may sign in; else None, the
        same for an unknown address, a wrong password and a disabled account."""
        account = self.account_of(email) if isinstance(email, str) else None
        stored = self.credentials.password_hash(str(account.id)) if account else None
        right = password_matches(stored, password if isinstance(password, str) else "")
        return account if right and account.is_active else None

    # --- the second factor -----------------------------------------------------------

    def begin_second_factor(self, account_id: str) -> str:
        """A new TOTP secret for the person's app, not in force until a code confirms it."""
        current = self.credentials.second_factor(account_id)
        if current and current[1]:
            raise RuleBroken("a second factor is already set up", "code")
        secret = pyotp.random_base32()
        self.credentials.set_second_factor(account_id, secret, confirmed=False)
        return secret

    def confirm_second_factor(self, account_id: str, code: str) -> list[str]:
        """With a right code from the app, the factor is in force: ten recovery codes, shown
        once."""
        current = self.credentials.second_factor(account_id)
        if current is None or not self._fresh_code(account_id, current[0], str(code)):
            raise InvalidValue("that code is not right: try the one your app shows now", "code")
        self.credentials.set_second_factor(account_id, current[0], confirmed=True)
        return self.new_recovery_codes(account_id)

    def new_recovery_codes(self, account_id: str) -> list[str]:
        """Ten one-time codes, shown once, replacing any earlier ones."""
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        self.credentials.set_recovery_codes(account_id, [hash_secret(code) for code in codes])
        return codes

    def has_second_factor(self, account_id: str) -> bool:
        current = self.credentials.second_factor(account_id)
        return bool(current and current[1])

    def second_factor_matches(self, account_id: str, code: str) -> bool:
        """A code from the app, or a recovery code (used up)."""
        current = self.credentials.second_factor(account_id)
        if not (current and current[1] and isinstance(code, str)):
            return False
        code = code.strip().replace(" ", "")
        if self._fresh_code(account_id, current[0], code):
            return True
        return self.credentials.take_recovery_code(account_id, hash_secret(code.lower()))

    def _fresh_code(self, account_id: str, secret: str, code: str) -> bool:
        """A code of the window before, now or after, never accepted before (nor an earlier
        one after a later was accepted): RFC 6238's advice against replay."""
        step = matching_step(pyotp.TOTP(secret), code.strip(), self.clock())
        return step is not None and self.credentials.use_totp_step(account_id, step)

    @staticmethod
    def must_have_second_factor(account: Account) -> bool:
        """Admins and auditors always; anyone a hub or an admin has required it of."""
        required_by_grant = any(grant in SECOND_FACTOR_REQUIRED for grant in account.grants)
        return required_by_grant or account.second_factor_required

    # --- links -----------------------------------------------------------------------

    def _new_link(self, account_id: str, purpose: str, days: int) -> str:
        secret = new_secret()
        expires_at = self.clock() + days * DAY
        self.credentials.add_link(hash_secret(secret), account_id, purpose, expires_at)
        return secret

    def _account_of_live_link(self, secret: str, purpose: str) -> Account | None:
        """The account of a live link, which stays unspent."""
        found = self.credentials.link_account(hash_secret(str(secret)), purpose, self.clock())
        return self.account_by_id(found) if found else None

    def _account_of_link(self, secret: str, purpose: str) -> Account:
        taken = self.credentials.take_link(hash_secret(str(secret)), purpose, self.clock())
        account = self.account_by_id(taken) if taken else None
        if account is None or account.disabled:
            raise LinkRefused()
        return account
