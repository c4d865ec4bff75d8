"""Every way a command can be refused: one `TrackerError` hierarchy, each naming its field."""

from __future__ import annotations


class TrackerError(Exception):
    """A command refused by the domain; nothing was stored."""

    def __init__(self, message: str, field: str = "_schema", reasons: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.reasons = reasons or [message]

    @property
    def errors(self) -> dict[str, list[str]]:
        """The offending field and why, as the API's error body names them."""
        return {self.field: list(self.reasons)}


# --- 422: a value or a rule is wrong ---------------------------------------------


class InvalidValue(TrackerError):
    """A value has the wrong format or is out of range."""


class InvalidUPN(InvalidValue):
    def __init__(self, upn: object, why: str, field: str = "upn"):
        super().__init__(f"{upn!r} is not a valid UPN: {why}", field)


class InvalidURN(InvalidValue):
    def __init__(self, urn: object, field: str = "urn"):
        super().__init__(f"{urn!r} is not a valid URN: expected 6 digits", field)


class InvalidLAESTAB(InvalidValue):
    def __init__(self, laestab: object, why: str, field: str = "laestab"):
        super().__init__(f"{laestab!r} is not a valid LAESTAB: {why}", field)


class InvalidAcademicYear(InvalidValue):
    def __init__(self, text: object, field: str = "year"):
        super().__init__(f"{text!r} is not an academic year like '2024/25'", field)


class InvalidYearGroup(InvalidValue):
    """A year group outside the range, or inconsistent with the pupil's age."""


class FutureDate(InvalidValue):
    def __init__(self, field: str, value: object, today: object):
        super().__init__(f"{field} {value} is in the future (today is {today})", field)


class RuleBroken(TrackerError):
    """A domain rule forbids the command as given."""


class NotOnRoll(RuleBroken):
    def __init__(self, upns: list[str], urn: str, on: object, field: str = "attendees"):
        reasons = [f"{upn} is not on roll at {urn} on {on}" for upn in upns]
        super().__init__("; ".join(reasons), field, reasons)
        self.upns = upns


class OutOfOrder(RuleBroken):
    """A lifecycle step taken out of its order (e.g. completing a cancelled placement)."""


class Retracted(RuleBroken):
    def __init__(self, activity_id: object):
        super().__init__(f"activity {activity_id} was retracted and cannot change", "id")


# --- 403: the caller may not touch this object ---------------------------------------


class Forbidden(TrackerError):
    """The object belongs to a school outside the caller's scope."""

    def __init__(self, what: str):
        super().__init__(f"{what} is outside your scope", "_schema")


class GrantRefused(Forbidden):
    """The person acting may not give (or withdraw) that grant."""

    def __init__(self, grant: str, why: str):
        TrackerError.__init__(self, f"you may not give or withdraw {grant}: {why}", "grant")


# --- 404: the object is not there -------------------------------------------------


class NotFound(TrackerError):
    """The object a command names does not exist."""


class PupilNotFound(NotFound):
    def __init__(self, upn: str):
        super().__init__(f"no pupil with UPN {upn}", "upn")


class SchoolNotFound(NotFound):
    def __init__(self, urn: str):
        super().__init__(f"no school with URN {urn}", "urn")


class HubNotFound(NotFound):
    def __init__(self, code: str):
        super().__init__(f"no hub with code {code}", "code")


class ActivityNotFound(NotFound):
    def __init__(self, activity_id: object):
        super().__init__(f"no activity {activity_id}", "id")


class PlacementNotFound(NotFound):
    def __init__(self, placement_id: object):
        super().__init__(f"no placement {placement_id}", "id")


class TokenNotFound(NotFound):
    def __init__(self, token_id: object):
        super().__init__(f"no token {token_id}", "id")


class AccountNotFound(NotFound):
    def __init__(self, email: object):
        super().__init__(f"no account for {email}", "email")


# --- 409: it clashes with what is already stored ---------------------------------


class Conflict(TrackerError):
    """The command clashes with the stored state."""


class AlreadyExists(Conflict):
    """The object is already registered."""


class ConcurrentChange(Conflict):
    def __init__(self, what: str):
        super().__init__(
            f"{what} was changed by another request at the same time; retry", "_schema"
        )


class IdempotencyKeyReused(Conflict):
    def __init__(self, key: str):
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request", "Idempotency-Key"
        )


class EnrolmentRefused(Conflict):
    """A UPN registered to a pupil who cannot be enrolled here as given.

    One answer, whatever the reason: the identity does not match, the pupil is on roll at
    another school, or enrolled_on falls before their last day there. Telling these apart
    would let a school learn another school's pupil's date of birth, or where they are.
    """

    def __init__(self, upn: str):
        super().__init__(
            f"{upn} is already registered to a pupil who cannot be enrolled here as given: "
            "a pupil moving from another school is enrolled when their date of birth and family "
            "name match their record and they have left that school before enrolled_on",
            "upn",
        )


# --- 429: too many attempts -----------------------------------------------------------


class TooManyAttempts(TrackerError):
    """Too many refused enrolments of registered UPNs from one token: it must wait."""

    def __init__(self, retry_after: int):
        # The wait goes in the Retry-After header: the body stays word for word the same for every
        # such refusal.
        super().__init__(
            "too many refused enrolments of UPNs registered elsewhere from this token; "
            "try again later",
            "upn",
        )
        self.retry_after = retry_after
