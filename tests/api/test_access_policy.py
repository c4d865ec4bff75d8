"""The one access policy, on its own: each kind of caller against each question, with the views'
facts given by hand (School A in hub DEMO from 2018-09-01; pupil P at A, then at B)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from api.policy import Access
from tracker.scopes import Scope

JOINED = date(2018, 9, 1)


class Facts:
    """What the views would say, and which questions were asked of them."""

    def __init__(self):
        self.asked: list[str] = []

    def hub_of_school(self, urn: str, as_of: date | None = None) -> str | None:
        self.asked.append(f"hub of {urn}")
        return "DEMO" if urn == "100001" and (as_of is None or as_of >= JOINED) else None

    def pupil_schools(self, upn: str) -> list[str]:
        self.asked.append(f"schools of {upn}")
        return ["100001", "100002"] if upn == "P" else []


def access(scope: str) -> Access:
    return Access(Scope.parse(scope), "someone@example", "token-id")


@pytest.mark.parametrize(
    "text, kind, name, school, hub",
    [
        ("admin", "admin", None, None, None),
        ("auditor", "auditor", None, None, None),
        ("school:100001", "school", "100001", "100001", None),
        ("hub:DEMO", "hub", "DEMO", None, "DEMO"),
    ],
)
def test_a_scope_is_read_into_its_kind_and_name_and_written_back_as_it_was(
    text, kind, name, school, hub
):
    scope = Scope.parse(text)
    assert (scope.kind, scope.name, scope.school, scope.hub) == (kind, name, school, hub)
    assert str(scope) == text


def test_access_is_read_from_a_token_record():
    @dataclass
    class Token:
        scope: str = "hub:DEMO"
        subject: str = "lead@example"
        id: str = "1234"

    assert Access.of(Token()) == Access(Scope("hub", "DEMO"), "lead@example", "1234")


@pytest.mark.parametrize(
    "scope, on, allowed",
    [
        ("admin", None, True),
        ("auditor", date(2018, 6, 30), True),
        ("school:100001", None, True),
        ("school:100002", None, False),
        ("hub:DEMO", None, True),
        ("hub:DEMO", date(2019, 3, 31), True),
        ("hub:DEMO", date(2018, 6, 30), False),
        ("hub:OTHER", None, False),
    ],
)
def test_a_hub_reads_a_school_only_on_dates_the_school_belongs_to_it(scope, on, allowed):
    assert access(scope).may_read_school("100001", on, Facts()) is allowed


def test_only_a_hub_token_makes_the_policy_ask_which_hub_a_school_is_in():
    facts = Facts()
    for scope in ("admin", "auditor", "school:100001"):
        access(scope).may_read_school("100001", None, facts)
    assert facts.asked == []
    access("hub:DEMO").may_read_school("100001", None, facts)
    assert facts.asked == ["hub of 100001"]


@pytest.mark.parametrize(
    "scope, writes_for_a, writes_at_all",
    [
        ("admin", True, True),
        ("school:100001", True, True),
        ("school:100002", False, True),
        ("auditor", False, False),
        ("hub:DEMO", False, False),
    ],
)
def test_admins_write_for_any_school_and_a_school_only_for_itself(
    scope, writes_for_a, writes_at_all
):
    assert access(scope).may_write_for("100001") is writes_for_a
    assert access(scope).may_write() is writes_at_all


@pytest.mark.parametrize(
    "scope, confined_to",
    [
        ("admin", None),
        ("school:100001", "100001"),
        ("auditor", None),
        ("hub:DEMO", None),
    ],
)
def test_a_school_token_is_confined_to_its_school(scope, confined_to):
    assert access(scope).school == confined_to == access(scope).pupil_viewer


@pytest.mark.parametrize(
    "scope, hub_demo, pupils_of_a, event_log",
    [
        ("admin", True, True, True),
        ("auditor", True, True, True),
        ("school:100001", False, True, False),
        ("school:100002", False, False, False),
        ("hub:DEMO", True, False, False),
        ("hub:OTHER", False, False, False),
    ],
)
def test_hubs_read_their_hub_and_never_a_schools_pupils(scope, hub_demo, pupils_of_a, event_log):
    current = access(scope)
    assert current.may_read_hub("DEMO") is hub_demo
    assert current.may_see_pupils_of("100001") is pupils_of_a
    assert current.may_read_event_log() is event_log
    assert current.sees_exact_counts is (current.kind != "hub")


@pytest.mark.parametrize(
    "scope, reads, exports, asks_log, reads_log",
    [
        ("admin", True, True, True, True),
        ("auditor", True, True, True, True),
        ("school:100001", True, False, True, False),  # P has moved on to 100002
        ("school:100002", True, True, True, True),
        ("school:100003", False, False, True, False),
        ("hub:DEMO", False, False, False, False),
    ],
)
def test_a_pupils_record_is_for_their_schools_and_the_whole_of_it_for_the_one_holding_them(
    scope, reads, exports, asks_log, reads_log
):
    current, facts = access(scope), Facts()
    assert current.may_read_pupil("P", facts) is reads
    assert current.may_export_pupil("P", facts) is exports
    assert current.may_ask_access_log() is asks_log
    assert current.may_read_access_log("P", facts) is reads_log


def test_a_school_asking_the_access_log_about_nobody_in_particular_is_refused():
    assert not access("school:100002").may_read_access_log(None, Facts())
    assert access("auditor").may_read_access_log(None, Facts())
