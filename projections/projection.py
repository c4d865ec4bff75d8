"""Turns each event into rows of the views; handlers are named after the events they apply."""

from __future__ import annotations

import functools
from functools import singledispatchmethod
from typing import Any, Callable, NamedTuple

from projections import people, register_rows
from projections.milestones import rewrite_milestones
from projections.page import Page
from projections.rows import (
    Subject,
    activity_facts,
    add_encounters,
    aggregate_id,
    attendees,
    criterion,
    dated,
    destination,
    event_type,
    flag,
    json_text,
    listed_upns,
    name,
    name_of,
    natural_key,
    placement_state,
    placement_subject,
    stamp,
    year_group,
)
from tracker.calendar import AcademicYear
from tracker.domain.access import AccessToken, IdempotencyKey
from tracker.domain.account import Account
from tracker.domain.activity import AMENDABLE, Activity
from tracker.domain.hub import Hub
from tracker.domain.organisation import Duplicate, Organisation
from tracker.domain.placement import Placement
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.domain.student import Student
from tracker.rulesets import ACTIVITY_KINDS


class Indexed(NamedTuple):
    event: Any
    audit: (
        tuple  # the audit index row but for the school and pupil, which the event's handler finds
    )
    listed: list[tuple[int, str]]  # (position, UPN) of each pupil the event lists


class CareersProjection:
    """Applies events to a page; knows nothing of transactions or positions."""

    def apply(self, event: Any, position: int, page: Page) -> None:
        self.apply_indexed(self.index(event, position), page)

    @staticmethod
    def index(event: Any, position: int) -> Indexed:
        """The audit index's rows as far as the event alone decides them: the runner works this
        out in the thread that reads the next page, while the database writes the current one."""
        return Indexed(
            event,
            (
                position,
                stamp(event.timestamp),
                event_type(event),
                aggregate_id(event),
                event.originator_version,
                event.actor,
                event.request_id,
            ),
            [(position, upn) for upn in listed_upns(event)],
        )

    def apply_indexed(self, indexed: Indexed, page: Page) -> None:
        page.at(*indexed.audit[:2])
        school_urn, upn = _handler_for(type(indexed.event))(self, indexed.event, page) or (
            None,
            None,
        )
        page.insert("events", [(*indexed.audit, school_urn, upn)])
        page.insert("event_upns", indexed.listed)

    def finish(self, page: Page, position: int) -> None:
        """Work left to the end of a page so it is done once per pupil, not once per event."""
        page.flush()
        schools = page.dirty_schools | rewrite_milestones(page)
        page.upsert("school_versions", ("urn",), [(urn, position) for urn in sorted(schools)])
        page.flush()

    @singledispatchmethod
    def project(self, event: Any, page: Page) -> Subject | None:
        return None  # events with nothing to show are still indexed for auditors

    # --- hubs and schools -------------------------------------------------------------

    @project.register
    def hub_registered(self, event: Hub.Registered, page: Page) -> Subject:
        page.insert("hubs", [(event.code, event.name, event.area, event.wave)])
        return None, None

    @project.register
    def school_registered(self, event: School.Registered, page: Page) -> Subject:
        page.insert(
            "schools", [(event.urn, event.name, event.type, event.la_code, event.laestab, None)]
        )
        page.dirty_schools.add(event.urn)
        name(page, event, event.urn)
        return event.urn, None

    @project.register
    def careers_leader_appointed(self, event: School.CareersLeaderAppointed, page: Page) -> Subject:
        urn = natural_key(page, event)
        page.update("schools", {"urn": urn}, careers_leader=event.name)
        return urn, None

    @project.register
    def criterion_met(self, event: School.CriterionMet, page: Page) -> Subject:
        return criterion(page, event, met=1)

    @project.register
    def criterion_unmet(self, event: School.CriterionUnmet, page: Page) -> Subject:
        return criterion(page, event, met=0)

    @project.register
    def year_groups_set(self, event: School.YearGroupsSet, page: Page) -> Subject:
        urn = natural_key(page, event)
        page.upsert(
            "year_ranges",
            ("urn", "from_year"),
            [(urn, event.from_year or 0, event.first, event.last)],
        )
        page.dirty_schools.add(urn)
        return urn, None

    @project.register
    def joined_hub(self, event: School.JoinedHub, page: Page) -> Subject:
        urn = natural_key(page, event)
        page.insert("memberships", [(urn, event.hub_code, event.joined_on, None)])
        return urn, None

    @project.register
    def left_hub(self, event: School.LeftHub, page: Page) -> Subject:
        urn = natural_key(page, event)
        page.update("memberships", {"urn": urn, "left_on": None}, left_on=event.left_on)
        return urn, None

    @project.register
    def roll_opened(self, event: Roll.Opened, page: Page) -> Subject:
        name(page, event, event.urn)
        return event.urn, None

    @project.register
    def roll_changed(self, event: Roll.PupilAdmitted | Roll.PupilDischarged, page: Page) -> Subject:
        return natural_key(page, event), event.upn  # the Student's own events carry the facts

    # --- pupils -----------------------------------------------------------------------

    @project.register
    def student_registered(self, event: Student.Registered, page: Page) -> Subject:
        page.insert("pupils", [(event.upn, 0)])
        name(page, event, event.upn)
        return None, event.upn

    @project.register
    def enrolled(self, event: Student.Enrolled, page: Page) -> Subject:
        upn = natural_key(page, event)
        page.insert(
            "enrolments",
            [  # the names it gave: in the log
                (
                    upn,
                    event.school_urn,
                    event.enrolled_on,
                    None,
                    None,
                    int(event.sen),
                    int(event.pupil_premium),
                )
            ],
        )
        year_group(page, upn, event.academic_year, event.year_group)
        return event.school_urn, upn

    @project.register
    def left(self, event: Student.Left, page: Page) -> Subject:
        upn = natural_key(page, event)
        page.update(
            "enrolments",
            {"upn": upn, "school_urn": event.school_urn, "left_on": None},
            left_on=event.left_on,
            destination=event.destination,
        )
        destination(page, upn, event.school_urn, event.left_on, event.destination, event.left_on)
        page.roll_changed([upn])
        return event.school_urn, upn

    @project.register
    def group_assigned(self, event: Student.GroupAssigned, page: Page) -> Subject:
        upn = natural_key(page, event)
        page.upsert(
            "groups",
            ("upn", "school_urn", "academic_year"),
            [(upn, event.school_urn, event.academic_year, event.group)],
        )
        return event.school_urn, upn

    @project.register
    def sen_changed(self, event: Student.SenChanged, page: Page) -> Subject:
        return _flag_changed(page, event, "sen", event.sen)

    @project.register
    def pupil_premium_changed(self, event: Student.PupilPremiumChanged, page: Page) -> Subject:
        return _flag_changed(page, event, "pupil_premium", event.pupil_premium)

    @project.register
    def destination_recorded(self, event: Student.DestinationRecorded, page: Page) -> Subject:
        upn = natural_key(page, event)
        page.update(
            "enrolments",
            {"upn": upn, "school_urn": event.school_urn, "left_on": event.left_on},
            destination=event.destination,
        )
        destination(
            page, upn, event.school_urn, event.left_on, event.destination, event.recorded_on
        )
        return event.school_urn, upn

    @project.register
    def year_group_changed(self, event: Student.YearGroupChanged, page: Page) -> Subject:
        upn = natural_key(page, event)
        year_group(page, upn, event.academic_year, event.year_group)
        return None, upn

    @project.register
    def identity_erased(
        self, event: Student.IdentityErased | Student.IdentityPseudonymised, page: Page
    ) -> Subject:
        upn = natural_key(page, event)
        page.update("pupils", {"upn": upn}, erased=1)
        return None, upn

    # --- activities ---------------------------------------------------------------------

    @project.register
    def activity_recorded(self, event: Activity.Recorded, page: Page) -> Subject:
        facts = {name: getattr(event, name) for name in ("school_urn", "kind", *AMENDABLE)}
        register_rows.counterparts(page, aggregate_id(event), event.employer, event.provider)
        page.activity_facts[aggregate_id(event)] = facts
        page.insert(
            "activities",
            [
                (
                    aggregate_id(event),
                    event.school_urn,
                    event.kind,
                    ACTIVITY_KINDS[event.kind],
                    event.title,
                    *dated(facts),
                    flag(event.meaningful),
                    json_text(event.criteria),
                    name_of(event.employer),
                    name_of(event.provider),
                    len(event.attendees),
                    None,
                    stamp(event.timestamp),
                    event.originator_version,
                )
            ],
        )
        add_encounters(page, aggregate_id(event), facts, event.attendees)
        return event.school_urn, None

    @project.register
    def attendees_added(self, event: Activity.AttendeesAdded, page: Page) -> Subject:
        activity_id = aggregate_id(event)
        facts = activity_facts(page, activity_id)
        add_encounters(page, activity_id, facts, event.upns)
        page.increment("activities", {"id": activity_id}, attendees=len(event.upns))
        return facts["school_urn"], None

    @project.register
    def attendees_removed(self, event: Activity.AttendeesRemoved, page: Page) -> Subject:
        activity_id = aggregate_id(event)
        page.delete_among("encounters", "upn", event.upns, {"source_id": activity_id})
        page.dirty(event.upns)
        page.increment("activities", {"id": activity_id}, attendees=-len(event.upns))
        return activity_facts(page, activity_id)["school_urn"], None

    @project.register
    def activity_amended(self, event: Activity.Amended, page: Page) -> Subject:
        activity_id = aggregate_id(event)
        facts = activity_facts(page, activity_id)
        facts.update(
            {name: getattr(event, name) for name in AMENDABLE if getattr(event, name) is not None}
        )
        occurred_on, academic_year, counts = dated(facts)
        register_rows.counterparts(page, activity_id, event.employer, event.provider)
        # An amendment naming no employer (or provider) keeps the one already named.
        parties = {
            column: party
            for column, party in (
                ("employer_name", name_of(event.employer)),
                ("provider_name", name_of(event.provider)),
            )
            if party is not None
        }
        page.update(
            "activities",
            {"id": activity_id},
            title=facts["title"],
            occurred_on=occurred_on,
            academic_year=academic_year,
            counts=counts,
            meaningful=flag(facts["meaningful"]),
            criteria=json_text(facts["criteria"]),
            **parties,
        )
        page.update(
            "encounters",
            {"source_id": activity_id},
            occurred_on=occurred_on,
            academic_year=academic_year,
            counts=counts,
        )
        page.dirty(attendees(page, activity_id))
        return facts["school_urn"], None

    @project.register
    def offered_to_year_groups(self, event: Activity.OfferedToYearGroups, page: Page) -> Subject:
        activity_id = aggregate_id(event)
        page.insert("provider_offers", [(activity_id, group) for group in event.year_groups])
        return activity_facts(page, activity_id)["school_urn"], None

    @project.register
    def activity_retracted(self, event: Activity.Retracted, page: Page) -> Subject:
        activity_id = aggregate_id(event)
        page.dirty(attendees(page, activity_id))
        page.delete("encounters", {"source_id": activity_id})
        page.update("activities", {"id": activity_id}, retracted_reason=event.reason)
        return activity_facts(page, activity_id)["school_urn"], None

    # --- placements --------------------------------------------------------------------

    @project.register
    def placement_arranged(self, event: Placement.Arranged, page: Page) -> Subject:
        register_rows.counterparts(page, aggregate_id(event), event.employer, None)
        page.insert(
            "placements",
            [
                (
                    aggregate_id(event),
                    event.school_urn,
                    event.upn,
                    event.kind,
                    name_of(event.employer),
                    event.starts_on,
                    event.ends_on,
                    "arranged",
                    None,
                    None,
                    event.originator_version,
                )
            ],
        )
        page.known.put(aggregate_id(event), (event.school_urn, event.upn))
        return event.school_urn, event.upn

    @project.register
    def placement_confirmed(self, event: Placement.Confirmed, page: Page) -> Subject:
        return placement_state(page, event, "confirmed")

    @project.register
    def placement_cancelled(self, event: Placement.Cancelled, page: Page) -> Subject:
        return placement_state(page, event, "cancelled")

    @project.register
    def placement_completed(self, event: Placement.Completed, page: Page) -> Subject:
        placement_id = aggregate_id(event)
        page.update(
            "placements",
            {"id": placement_id},
            state="completed",
            completed_on=event.completed_on,
            hours=event.hours,
        )
        school_urn, upn = placement_subject(page, placement_id)
        register_rows.host_answer(page, placement_id, school_urn, event)
        year = AcademicYear.containing(event.completed_on).start_year
        # A completed placement is a workplace experience on its completion date, under both rule
        # sets.
        page.insert(
            "encounters",
            [
                (
                    placement_id,
                    upn,
                    school_urn,
                    event.completed_on,
                    year,
                    "placement",
                    "workplace",
                    1,
                )
            ],
        )
        page.dirty([upn])
        return school_urn, upn

    # --- the register of organisations ---------------------------------------------------

    @project.register
    def organisation_registered(self, event: Organisation.Registered, page: Page) -> Subject:
        register_rows.organisation_registered(page, event)

    @project.register
    def merged(self, event: Duplicate.Merged | Duplicate.MergedAgain, page: Page) -> Subject:
        register_rows.duplicate_changed(page, event, event.into_id, event.merged_on)

    @project.register
    def unmerged(self, event: Duplicate.Unmerged, page: Page) -> Subject:
        register_rows.duplicate_changed(page, event, None, event.unmerged_on)

    # --- access ------------------------------------------------------------------------

    @project.register
    def token_issued(self, event: AccessToken.Issued, page: Page) -> Subject:
        page.insert(
            "tokens",
            [
                (
                    aggregate_id(event),
                    event.scope,
                    event.subject,
                    event.note,
                    stamp(event.timestamp),
                    event.actor,
                    None,
                    None,
                    None,
                    event.expires_on,
                )
            ],
        )
        return None, None

    @project.register
    def token_revoked(self, event: AccessToken.Revoked, page: Page) -> Subject:
        page.update(
            "tokens",
            {"id": aggregate_id(event)},
            revoked_at=stamp(event.timestamp),
            revoked_by=event.actor,
            reason=event.reason,
        )
        return None, None

    @project.register
    def idempotency_key_used(self, event: IdempotencyKey.Used, page: Page) -> Subject:
        return None, None

    # --- people (projections/people.py) ------------------------------------------------

    @project.register
    def account_invited(self, event: Account.Invited, page: Page) -> None:
        return people.account_invited(event, page)

    @project.register
    def account_joined(self, event: Account.Joined, page: Page) -> None:
        return people.account_joined(event, page)

    @project.register
    def grant_given(self, event: Account.GrantGiven, page: Page) -> None:
        return people.grant_given(event, page)

    @project.register
    def grant_withdrawn(self, event: Account.GrantWithdrawn, page: Page) -> None:
        return people.grant_withdrawn(event, page)

    @project.register
    def account_disabled(self, event: Account.Disabled, page: Page) -> None:
        return people.account_disabled(event, page)

    @project.register
    def account_reenabled(self, event: Account.Reenabled, page: Page) -> None:
        return people.account_reenabled(event, page)


def _flag_changed(page: Page, event: Any, column: str, value: bool) -> Subject:
    """A flag of the pupil's current enrolment at the event's school."""
    upn = natural_key(page, event)
    page.update(
        "enrolments",
        {"upn": upn, "school_urn": event.school_urn, "left_on": None},
        **{column: int(value)},
    )
    return event.school_urn, upn


@functools.cache
def _handler_for(event_type: type) -> Callable[[CareersProjection, Any, Page], Subject | None]:
    # Looked up once per event type: on Python 3.11 every `self.project` builds a new bound
    # wrapper, which cost a tenth of a catch-up.
    return vars(CareersProjection)["project"].dispatcher.dispatch(event_type)
