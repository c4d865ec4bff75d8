"""Use cases for activities and placements, and their corrections."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.calendar import check_year_group
from tracker.commands import Changes, use_case
from tracker.domain.activity import Activity
from tracker.domain.placement import HOST_ANSWERS, NOT_ASKED, Placement
from tracker.domain.roll import Roll
from tracker.errors import InvalidValue
from tracker.identifiers import validate_upn, validate_urn
from tracker.validation import (
    check_choice,
    check_counterpart,
    check_criteria,
    check_employer,
    check_kind,
    check_meaningfulness_given,
    check_placement_kind,
    check_provider,
    check_text,
    check_upns,
)


class ActivitiesAndPlacements:
    """Mixed into `Tracker`: these methods are its use cases."""

    @use_case(commutative=False)
    def record_activity(
        self,
        urn: str,
        kind: str,
        title: str,
        occurred_on: date,
        attendees: list[str],
        employer: dict | None = None,
        provider: dict | None = None,
        meaningful: bool | None = None,
        criteria: dict | None = None,
    ) -> Changes:
        urn = validate_urn(urn)
        activity = self._new_activity(
            self._roll(urn),
            urn,
            kind,
            title,
            occurred_on,
            attendees,
            employer,
            provider,
            meaningful,
            criteria,
        )
        return Changes([activity], str(activity.id))

    @use_case(commutative=False)
    def record_activities(self, urn: str, activities: list[dict[str, Any]]) -> Changes:
        """Record many of a school's activities in one transaction (bulk loads from an MIS): all or
        none.

        Each dict holds `record_activity`'s arguments after `urn`. The id is the number recorded.
        """
        urn = validate_urn(urn)
        roll = self._roll(urn)
        recorded = [self._new_activity(roll, urn, **activity) for activity in activities]
        return Changes(recorded, str(len(recorded)))

    def _new_activity(
        self,
        roll: Roll,
        urn: str,
        kind: str,
        title: str,
        occurred_on: date,
        attendees: list[str],
        employer: dict | None = None,
        provider: dict | None = None,
        meaningful: bool | None = None,
        criteria: dict | None = None,
    ) -> Activity:
        kind = check_kind(kind)
        occurred_on = self._check_not_future("occurred_on", occurred_on)
        employer, provider = check_counterpart(kind, employer, provider)
        check_meaningfulness_given(kind, occurred_on, meaningful, criteria)
        attendees = check_upns("attendees", attendees)
        Activity.check_attendees(kind, attendees)
        roll.check_on_roll(attendees, occurred_on, "attendees")
        return Activity(
            urn,
            kind,
            check_text("title", title),
            occurred_on,
            employer,
            provider,
            meaningful,
            check_criteria(criteria),
            attendees,
        )

    @use_case(commutative=True)
    def change_attendees(
        self,
        activity_id: str,
        add: list[str] | None = None,
        remove: list[str] | None = None,
        within_school: str | None = None,
    ) -> Changes:
        add = check_upns("add", add or [], allow_empty=True)
        remove = check_upns("remove", remove or [], allow_empty=True)
        if not add and not remove:
            raise InvalidValue("give UPNs to add or remove", "add")
        activity = self._activity(activity_id, within_school)
        self._roll(activity.school_urn).check_on_roll(add, activity.occurred_on, "add")
        activity.change_attendees(add, remove)
        return Changes([activity], activity_id)

    @use_case(commutative=False)
    def amend_activity(
        self,
        activity_id: str,
        changes: dict[str, Any],
        reason: str | None = None,
        within_school: str | None = None,
    ) -> Changes:
        activity = self._activity(activity_id, within_school)
        activity.check_not_retracted()
        checked = self._checked_amendments(activity, changes)
        activity.amend(checked, check_text("reason", reason, required=False))
        return Changes([activity], activity_id)

    def _checked_amendments(self, activity: Activity, changes: dict[str, Any]) -> dict[str, Any]:
        if not changes:
            raise InvalidValue("give at least one field to amend", "_schema")
        checked = dict(changes)
        if "title" in changes:
            checked["title"] = check_text("title", changes["title"])
        if "occurred_on" in changes:
            checked["occurred_on"] = self._check_not_future("occurred_on", changes["occurred_on"])
            roll = self._roll(activity.school_urn)
            roll.check_on_roll(activity.attendees, checked["occurred_on"], "occurred_on")
        if changes.get("employer") is not None:
            checked["employer"] = check_employer(changes["employer"])
        if changes.get("provider") is not None:
            checked["provider"] = check_provider(changes["provider"])
        if changes.get("meaningful") is not None and not isinstance(changes["meaningful"], bool):
            raise InvalidValue("meaningful must be true or false", "meaningful")
        checked["criteria"] = check_criteria(changes.get("criteria"))
        return checked

    @use_case(commutative=True)
    def offer_activity(
        self, activity_id: str, year_groups: list[int], within_school: str | None = None
    ) -> Changes:
        """Record a provider encounter as offered to whole year groups (provider access)."""
        if not isinstance(year_groups, list) or not year_groups:
            raise InvalidValue("year_groups must be a non-empty list", "year_groups")
        groups = [check_year_group(group, "year_groups") for group in year_groups]
        activity = self._activity(activity_id, within_school)
        activity.offer_to_year_groups(groups)
        return Changes([activity], activity_id)

    @use_case(commutative=False)
    def retract_activity(
        self, activity_id: str, reason: str, within_school: str | None = None
    ) -> Changes:
        activity = self._activity(activity_id, within_school)
        activity.retract(check_text("reason", reason))
        return Changes([activity], activity_id)

    # --- placements -----------------------------------------------------------------

    @use_case(commutative=False)
    def arrange_placement(
        self, urn: str, upn: str, kind: str, employer: dict, starts_on: date, ends_on: date
    ) -> Changes:
        urn, upn = validate_urn(urn), validate_upn(upn)
        if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
            raise InvalidValue("ends_on must be a date on or after starts_on", "ends_on")
        # Placements are arranged ahead: check the roll on the start date, or today if later.
        self._roll(urn).check_on_roll([upn], min(starts_on, self.today()), "upn")
        placement = Placement(
            urn, upn, check_placement_kind(kind), check_employer(employer), starts_on, ends_on
        )
        return Changes([placement], str(placement.id))

    @use_case(commutative=False)
    def confirm_placement(
        self,
        placement_id: str,
        checks: dict[str, bool] | None = None,
        within_school: str | None = None,
    ) -> Changes:
        placement = self._placement(placement_id, within_school)
        placement.confirm(dict(checks or {}))
        return Changes([placement], placement_id)

    @use_case(commutative=False)
    def complete_placement(
        self,
        placement_id: str,
        completed_on: date,
        hours: float,
        within_school: str | None = None,
        would_host: str = NOT_ASKED,
    ) -> Changes:
        """Complete a placement, with the employer's answer to "would you host another?"."""
        placement = self._placement(placement_id, within_school)
        if not isinstance(hours, (int, float)) or not 0 < hours <= 1000:
            raise InvalidValue("hours must be more than 0 and at most 1000", "hours")
        would_host = check_choice("would_host", would_host, HOST_ANSWERS)
        completed_on = self._check_not_future("completed_on", completed_on)
        placement.complete(completed_on, float(hours), would_host)
        return Changes([placement], placement_id)

    @use_case(commutative=False)
    def cancel_placement(
        self, placement_id: str, reason: str, within_school: str | None = None
    ) -> Changes:
        placement = self._placement(placement_id, within_school)
        placement.cancel(check_text("reason", reason))
        return Changes([placement], placement_id)
