"""Use cases for pupils' identities: reading one while its key exists, erasing it on request or
under the retention rule, and sweeping keys an erasure left behind (docs/erasure.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.commands import Changes, Written, use_case
from tracker.domain.student import Student
from tracker.identifiers import validate_upn, validate_urn
from tracker.identity import IDENTITY, IDENTITY_TOPICS
from tracker.validation import check_text

MAX_REASON = 500


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _identities(events: list[Any]) -> dict[str, dict[str, Any]]:
    """Each pupil's identity from their registration and enrolments, given in each pupil's order."""
    found: dict[Any, dict[str, Any]] = {}
    for event in events:
        if isinstance(event, Student.Registered):
            found[event.originator_id] = {
                "upn": event.upn,
                **{name: getattr(event, name) for name in IDENTITY},
                "as_enrolled": [],
            }
        elif event.originator_id in found:
            found[event.originator_id]["as_enrolled"].append(
                (event.school_urn, event.given_name, event.family_name)
            )
    return {identity.pop("upn"): identity for identity in found.values()}


class Erasures:
    """Mixed into `Tracker`: these methods are its use cases."""

    def identity_of(self, upn: str) -> dict[str, Any] | None:
        """The pupil's names and date of birth as registered, and `as_enrolled`: (school, given
        name, family name) as each enrolling school gave them; all None once erased; None for a UPN
        never registered."""
        stored = [
            event
            for event in self.recorder.select_events(Student.create_id(upn))
            if event.topic in IDENTITY_TOPICS
        ]
        return _identities(self.mapper.to_domain_events(stored)).get(upn)

    def identities_of(self, upns: list[str]) -> dict[str, dict[str, Any]]:
        """The same for many pupils (a page of a school's roll): one read of the log, one of the
        keys."""
        stored = self.recorder.events_of(
            [Student.create_id(upn) for upn in upns], self.recorder.max_notification_id() or 0
        )
        return _identities(
            self.mapper.to_domain_events(
                [event for event in stored if event.topic in IDENTITY_TOPICS]
            )
        )

    def erase_pupil(self, upn: str, requested_by: str, reason: str, **call: Any) -> Written:
        """Erase a leaver's identity at the request of a school that held them; asked again, nothing
        is stored."""
        return self._sealed_after(upn, self._erase_pupil(upn, requested_by, reason, **call))

    def pseudonymise_pupil(
        self, upn: str, reason: str = "pseudonymised on request", **call: Any
    ) -> Written:
        """The older name for an erasure the tracker's operator makes (it names no school)."""
        return self._sealed_after(upn, self._pseudonymise_pupil(upn, reason, **call))

    def erase_after_retention(self, upn: str, years: int, **call: Any) -> Written:
        """The retention rule: erase the identity of a pupil who left at least `years` years ago."""
        return self._sealed_after(upn, self._erase_after_retention(upn, years, **call))

    @use_case(commutative=False)
    def _erase_pupil(self, upn: str, requested_by: str, reason: str) -> Changes:
        student = self._student(validate_upn(upn))
        student.erase(
            validate_urn(requested_by, "requested_by"),
            check_text("reason", reason, max_length=MAX_REASON),
            self.today(),
        )
        return Changes([student], student.upn)

    @use_case(commutative=False)
    def _pseudonymise_pupil(self, upn: str, reason: str) -> Changes:
        student = self._student(validate_upn(upn))
        student.erase(None, check_text("reason", reason, max_length=MAX_REASON), self.today())
        return Changes([student], student.upn)

    @use_case(commutative=False)
    def _erase_after_retention(self, upn: str, years: int) -> Changes:
        student = self._student(validate_upn(upn))
        student.erase_after_retention(years_before(self.today(), years), years)
        return Changes([student], student.upn)

    def _sealed_after(self, upn: str, written: Written) -> Written:
        """Seal at once a registration still in the clear (stored before `tracker
        migrate-identities` ran): the erasure is recorded, so no key is kept for it. Until then, its
        key's deletion erased nothing."""
        in_the_clear = [
            stored
            for stored in self.recorder.select_events(Student.create_id(upn))
            if stored.topic in IDENTITY_TOPICS and self.mapper.is_in_the_clear(stored)
        ]
        if in_the_clear:
            self.recorder.rewrite_identities(in_the_clear, self.mapper.reseal)
        return written

    def sweep_keys(self, upns: list[str], dry_run: bool = False) -> list[str]:
        """Destroy any key still held for these pupils if the log says they were erased (a key table
        restored from a backup older than the erasure, say); returns the pupils whose key was
        held."""
        held = self.recorder.select_keys([Student.create_id(upn) for upn in upns])
        swept = [
            upn for upn in upns if Student.create_id(upn) in held and self._student(upn).erased
        ]
        if not dry_run:
            self.recorder.destroy_keys([Student.create_id(upn) for upn in swept])
        return swept
