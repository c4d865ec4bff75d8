"""People for the API tests: invited, joined with a password, signed in to the dashboard."""

from __future__ import annotations

import re
import time

import pyotp

PASSWORD = "correct horse battery staple"


def csrf_of(client, path: str = "/dashboard/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def make_person(tracker, email: str, *grants: str) -> str:
    """A joined person holding `grants`; their account id."""
    secret = tracker.invite(email, email.split("@")[0], grants[0])
    # As the demo does: an admin or auditor made here sets up their app at their first sign-in
    # (tests/api/test_enrolment.py takes the invitation page's way, enrolling on accepting).
    account_id = tracker.accept_invitation(secret, PASSWORD, second_factor_later=True)
    for grant in grants[1:]:
        tracker.give_grant(email, grant)
    return account_id


def password_sign_in(client, email: str, password: str = PASSWORD):
    data = {"email": email, "password": password, "csrf": csrf_of(client)}
    return client.post("/dashboard/sign-in/password", data=data)


def sign_in_person(client, tracker, email: str):
    """Signed in with the password, and the second factor where the account needs one."""
    response = password_sign_in(client, email)
    account = tracker.account_of(email)
    if tracker.must_have_second_factor(account) and not tracker.has_second_factor(str(account.id)):
        secret = tracker.begin_second_factor(str(account.id))
        # The window before's code: a code once accepted is refused again, and now's is next.
        tracker.confirm_second_factor(str(account.id), pyotp.TOTP(secret).at(time.time() - 30))
        response = password_sign_in(client, email)
    if response.headers.get("Location", "").endswith("/sign-in/code"):
        code = pyotp.TOTP(tracker.credentials.second_factor(str(account.id))[0]).now()
        data = {"code": code, "csrf": csrf_of(client, "/dashboard/sign-in/code")}
        response = client.post("/dashboard/sign-in/code", data=data)
    return response
