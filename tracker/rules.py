"""Rules shared by the use cases: scopes, rolls, ages, and the shapes of ids."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from tracker.calendar import AcademicYear, year_group_for_birth
from tracker.domain.roll import Roll
from tracker.domain.student import Student
from tracker.errors import Forbidden, InvalidValue, NotOnRoll, TrackerError
from tracker.identifiers import validate_urn
from tracker.scopes import Scope
from tracker.validation import check_text


def check_scope_text(scope: str) -> str:
    if scope in ("admin", "auditor"):
        return scope
    parsed = Scope.parse(scope)
    if parsed.kind == "school":
        return f"school:{validate_urn(parsed.name or '', 'scope')}"
    if parsed.hub:
        return f"hub:{hub_code(parsed.hub)}"
    raise InvalidValue("scope must be admin, auditor, school:<URN> or hub:<CODE>", "scope")


def hub_code(code: Any) -> str:
    text = check_text("code", code, max_length=32)
    if not text.replace("-", "").replace("_", "").isalnum():
        raise InvalidValue("a hub code is letters, digits, - and _", "code")
    return text.upper()


def parse_uuid(text: str, not_found: type[TrackerError]) -> UUID:
    try:
        return UUID(str(text))
    except ValueError:
        raise not_found(text) from None


def check_scope(owner_urn: str, within_school: str | None, what: str) -> None:
    if within_school is not None and owner_urn != within_school:
        raise Forbidden(what)


def check_scope_pupil(student: Student, within_school: str | None) -> None:
    """A school may act on a pupil who is, or has been, on its own roll."""
    if within_school is not None and all(e.school_urn != within_school for e in student.enrolments):
        raise Forbidden(f"pupil {student.upn}")


def check_on_roll(roll: Roll, upns: list[str], day: date, field: str) -> None:
    absent = roll.absent_on(upns, day)
    if absent:
        raise NotOnRoll(absent, roll.urn, day, field)


def check_age_fits(year_group: int, date_of_birth: date, year: AcademicYear) -> None:
    """One year either side of the age-expected group allows for pupils held back or moved up."""
    expected = year_group_for_birth(date_of_birth, year)
    if abs(year_group - expected) > 1:
        raise InvalidValue(
            f"a pupil born {date_of_birth} is expected in Year {expected} in {year}, not Year {year_group}",
            "year_group",
        )


def check_holds_pupil(student: Student, within_school: str | None) -> None:
    """A school may change a pupil's shared record (their year group) only while they are on its roll:
    once they have moved on, the record counts towards another school's figures."""
    current = student.current_enrolment
    if within_school is not None and (current is None or current.school_urn != within_school):
        raise Forbidden(f"pupil {student.upn}")
