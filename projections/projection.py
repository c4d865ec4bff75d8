"""Turns each event into rows of the views; handlers are named after the events they apply."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any

from projections.milestones import recompute_milestones
from projections.page import Page
from tracker.calendar import AcademicYear
from tracker.domain.access import AccessToken, IdempotencyKey
from tracker.domain.activity import AMENDABLE, Activity
from tracker.domain.hub import Hub
from tracker.domain.placement import Placement
from tracker.domain.roll import Roll
from tracker.domain.school import School
from tracker.domain.student import Student
from tracker.rulesets import ACTIVITY_KINDS, rule_set_for

Subject = tuple[str | None, str | None]  # (school URN, UPN) an event is about, for the audit index


def stamp(moment: datetime) -> str:
    """Record time as fixed-width UTC text, so comparing the text compares the times."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def counts(kind: str, occurred_on, meaningful, criteria) -> int:
    """1 if the rule set of the activity's own year counts it towards a benchmark."""
    rule_set = rule_set_for(AcademicYear.containing(occurred_on))
    return int(rule_set.counts_towards(kind, meaningful, criteria) is not None)


class CareersProjection:
    """Applies events to a page; knows nothing of transactions or positions."""

    def apply(self, event: Any, position: int, page: Page) -> None:
        school_urn, upn = self.project(event, page) or (None, None)
        page.write("INSERT INTO {events} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            position, stamp(event.timestamp), _event_type(event), str(event.originator_id),
            event.originator_version, event.actor, event.request_id, school_urn, upn))
        for attendee in _listed_upns(event):
            page.write("INSERT INTO {event_upns} VALUES (?, ?)", (position, attendee))

    def finish(self, page: Page, position: int) -> None:
        """Work left to the end of a page so it is done once per pupil, not once per event."""
        page.flush()
        upns = sorted(page.dirty_upns)
        recompute_milestones(page, upns)
        schools = page.dirty_schools | {row[0] for row in page.read_in(
            "SELECT DISTINCT school_urn FROM {enrolments} WHERE upn IN ({in})", upns)}
        page.write_many("INSERT INTO {school_versions} VALUES (?, ?) "
                        "ON CONFLICT (urn) DO UPDATE SET position = excluded.position",
                        [(urn, position) for urn in sorted(schools)])
        page.flush()

    @singledispatchmethod
    def project(self, event: Any, page: Page) -> Subject | None:
        return None  # events with nothing to show are still indexed for auditors

    # --- hubs and schools -------------------------------------------------------------

    @project.register
    def hub_registered(self, event: Hub.Registered, page: Page) -> Subject:
        page.write("INSERT INTO {hubs} VALUES (?, ?, ?, ?)", (event.code, event.name, event.area, event.wave))
        return None, None

    @project.register
    def school_registered(self, event: School.Registered, page: Page) -> Subject:
        page.write("INSERT INTO {schools} VALUES (?, ?, ?, ?, ?, NULL)",
                   (event.urn, event.name, event.type, event.la_code, event.laestab))
        page.dirty_schools.add(event.urn)
        _name(page, event, event.urn)
        return event.urn, None

    @project.register
    def careers_leader_appointed(self, event: School.CareersLeaderAppointed, page: Page) -> Subject:
        urn = _natural_key(page, event)
        page.write("UPDATE {schools} SET careers_leader = ? WHERE urn = ?", (event.name, urn))
        return urn, None

    @project.register
    def criterion_met(self, event: School.CriterionMet, page: Page) -> Subject:
        return _criterion(page, event, met=1)

    @project.register
    def criterion_unmet(self, event: School.CriterionUnmet, page: Page) -> Subject:
        return _criterion(page, event, met=0)

    @project.register
    def joined_hub(self, event: School.JoinedHub, page: Page) -> Subject:
        urn = _natural_key(page, event)
        page.write("INSERT INTO {memberships} VALUES (?, ?, ?, NULL)", (urn, event.hub_code, event.joined_on))
        return urn, None

    @project.register
    def left_hub(self, event: School.LeftHub, page: Page) -> Subject:
        urn = _natural_key(page, event)
        page.write("UPDATE {memberships} SET left_on = ? WHERE urn = ? AND left_on IS NULL", (event.left_on, urn))
        return urn, None

    @project.register
    def roll_opened(self, event: Roll.Opened, page: Page) -> Subject:
        _name(page, event, event.urn)
        return event.urn, None

    @project.register
    def roll_changed(self, event: Roll.PupilAdmitted | Roll.PupilDischarged, page: Page) -> Subject:
        return _natural_key(page, event), event.upn  # the Student's own events carry the facts

    # --- pupils -----------------------------------------------------------------------

    @project.register
    def student_registered(self, event: Student.Registered, page: Page) -> Subject:
        page.write("INSERT INTO {pupils} VALUES (?, ?, ?, ?, 0)",
                   (event.upn, event.given_name, event.family_name, event.date_of_birth))
        _name(page, event, event.upn)
        return None, event.upn

    @project.register
    def enrolled(self, event: Student.Enrolled, page: Page) -> Subject:
        upn = _natural_key(page, event)
        page.write("INSERT INTO {enrolments} VALUES (?, ?, ?, NULL, NULL, ?, ?)",
                   (upn, event.school_urn, event.enrolled_on, int(event.sen), int(event.pupil_premium)))
        _year_group(page, upn, event.academic_year, event.year_group)
        return event.school_urn, upn

    @project.register
    def left(self, event: Student.Left, page: Page) -> Subject:
        upn = _natural_key(page, event)
        page.write("UPDATE {enrolments} SET left_on = ?, destination = ? "
                   "WHERE upn = ? AND school_urn = ? AND left_on IS NULL",
                   (event.left_on, event.destination, upn, event.school_urn))
        page.dirty_upns.add(upn)  # the school's roll changed
        return event.school_urn, upn

    @project.register
    def year_group_changed(self, event: Student.YearGroupChanged, page: Page) -> Subject:
        upn = _natural_key(page, event)
        _year_group(page, upn, event.academic_year, event.year_group)
        return None, upn

    @project.register
    def identity_pseudonymised(self, event: Student.IdentityPseudonymised, page: Page) -> Subject:
        upn = _natural_key(page, event)
        page.write("UPDATE {pupils} SET given_name = NULL, family_name = NULL, pseudonymised = 1 "
                   "WHERE upn = ?", (upn,))
        return None, upn

    # --- activities ---------------------------------------------------------------------

    @project.register
    def activity_recorded(self, event: Activity.Recorded, page: Page) -> Subject:
        facts = {name: getattr(event, name) for name in ("school_urn", "kind", *AMENDABLE)}
        page.activity_facts[str(event.originator_id)] = facts
        page.write("INSERT INTO {activities} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                   (str(event.originator_id), event.school_urn, event.kind, ACTIVITY_KINDS[event.kind],
                    event.title, *_dated(facts), _flag(event.meaningful), _json(event.criteria),
                    _name_of(event.employer), _name_of(event.provider), len(event.attendees),
                    stamp(event.timestamp), event.originator_version))
        _add_encounters(page, str(event.originator_id), facts, event.attendees)
        return event.school_urn, None

    @project.register
    def attendees_added(self, event: Activity.AttendeesAdded, page: Page) -> Subject:
        activity_id = str(event.originator_id)
        facts = _activity_facts(page, activity_id)
        _add_encounters(page, activity_id, facts, event.upns)
        page.write("UPDATE {activities} SET attendees = attendees + ? WHERE id = ?", (len(event.upns), activity_id))
        return facts["school_urn"], None

    @project.register
    def attendees_removed(self, event: Activity.AttendeesRemoved, page: Page) -> Subject:
        activity_id = str(event.originator_id)
        page.write_in("DELETE FROM {encounters} WHERE source_id = ? AND upn IN ({in})", event.upns, (activity_id,))
        page.dirty_upns.update(event.upns)
        page.write("UPDATE {activities} SET attendees = attendees - ? WHERE id = ?", (len(event.upns), activity_id))
        return _activity_facts(page, activity_id)["school_urn"], None

    @project.register
    def activity_amended(self, event: Activity.Amended, page: Page) -> Subject:
        activity_id = str(event.originator_id)
        facts = _activity_facts(page, activity_id)
        facts.update({name: getattr(event, name) for name in AMENDABLE if getattr(event, name) is not None})
        page.write("UPDATE {activities} SET title = ?, occurred_on = ?, academic_year = ?, counts = ?, "
                   "meaningful = ?, criteria = ?, employer_name = COALESCE(?, employer_name), "
                   "provider_name = COALESCE(?, provider_name) WHERE id = ?",
                   (facts["title"], *_dated(facts), _flag(facts["meaningful"]), _json(facts["criteria"]),
                    _name_of(event.employer), _name_of(event.provider), activity_id))
        page.write("UPDATE {encounters} SET occurred_on = ?, academic_year = ?, counts = ? WHERE source_id = ?",
                   (*_dated(facts), activity_id))
        page.dirty_upns.update(_attendees(page, activity_id))
        return facts["school_urn"], None

    @project.register
    def activity_retracted(self, event: Activity.Retracted, page: Page) -> Subject:
        activity_id = str(event.originator_id)
        page.dirty_upns.update(_attendees(page, activity_id))
        page.write("DELETE FROM {encounters} WHERE source_id = ?", (activity_id,))
        page.write("UPDATE {activities} SET retracted_reason = ? WHERE id = ?", (event.reason, activity_id))
        return _activity_facts(page, activity_id)["school_urn"], None

    # --- placements --------------------------------------------------------------------

    @project.register
    def placement_arranged(self, event: Placement.Arranged, page: Page) -> Subject:
        page.write("INSERT INTO {placements} VALUES (?, ?, ?, ?, ?, ?, ?, 'arranged', NULL, NULL, ?)",
                   (str(event.originator_id), event.school_urn, event.upn, event.kind,
                    _name_of(event.employer), event.starts_on, event.ends_on, event.originator_version))
        page.known.put(str(event.originator_id), (event.school_urn, event.upn))
        return event.school_urn, event.upn

    @project.register
    def placement_confirmed(self, event: Placement.Confirmed, page: Page) -> Subject:
        return _placement_state(page, event, "confirmed")

    @project.register
    def placement_cancelled(self, event: Placement.Cancelled, page: Page) -> Subject:
        return _placement_state(page, event, "cancelled")

    @project.register
    def placement_completed(self, event: Placement.Completed, page: Page) -> Subject:
        placement_id = str(event.originator_id)
        page.write("UPDATE {placements} SET state = 'completed', completed_on = ?, hours = ? WHERE id = ?",
                   (event.completed_on, event.hours, placement_id))
        school_urn, upn = _placement_subject(page, placement_id)
        year = AcademicYear.containing(event.completed_on).start_year
        # A completed placement is a workplace experience on its completion date, under both rule sets.
        page.write("INSERT INTO {encounters} VALUES (?, ?, ?, ?, ?, 'placement', 'workplace', 1)",
                   (placement_id, upn, school_urn, event.completed_on, year))
        page.dirty_upns.add(upn)
        return school_urn, upn

    # --- access ------------------------------------------------------------------------

    @project.register
    def token_issued(self, event: AccessToken.Issued, page: Page) -> Subject:
        page.write("INSERT INTO {tokens} VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
                   (str(event.originator_id), event.scope, event.subject, event.note,
                    stamp(event.timestamp), event.actor))
        return None, None

    @project.register
    def token_revoked(self, event: AccessToken.Revoked, page: Page) -> Subject:
        page.write("UPDATE {tokens} SET revoked_at = ?, revoked_by = ?, reason = ? WHERE id = ?",
                   (stamp(event.timestamp), event.actor, event.reason, str(event.originator_id)))
        return None, None

    @project.register
    def idempotency_key_used(self, event: IdempotencyKey.Used, page: Page) -> Subject:
        return None, None


# --- small helpers the handlers share ---------------------------------------------------

def _event_type(event: Any) -> str:
    return type(event).__qualname__


def _listed_upns(event: Any) -> list[str]:
    if isinstance(event, Activity.Recorded):
        return event.attendees
    if isinstance(event, (Activity.AttendeesAdded, Activity.AttendeesRemoved)):
        return event.upns
    return []


def _name(page: Page, event: Any, natural_key: str) -> None:
    page.write("INSERT INTO {names} VALUES (?, ?)", (str(event.originator_id), natural_key))
    page.known.put(str(event.originator_id), natural_key)


def _natural_key(page: Page, event: Any) -> str:
    """The URN or UPN behind an aggregate id: from memory, else from the names table."""
    aggregate_id = str(event.originator_id)
    natural_key = page.known.get(aggregate_id)
    if natural_key is None:
        natural_key = page.read("SELECT natural_key FROM {names} WHERE id = ?", (aggregate_id,))[0][0]
        page.known.put(aggregate_id, natural_key)
    return natural_key


def _criterion(page: Page, event: Any, met: int) -> Subject:
    urn = _natural_key(page, event)
    page.dirty_schools.add(urn)
    page.write("INSERT INTO {checklist} VALUES (?, ?, ?, ?, ?, ?, ?)",
               (urn, event.benchmark, event.code, met, event.changed_on, event.evidence, event.originator_version))
    return urn, None


def _year_group(page: Page, upn: str, from_year: int, year_group: int) -> None:
    page.write("INSERT INTO {year_groups} VALUES (?, ?, ?) "
               "ON CONFLICT (upn, from_year) DO UPDATE SET year_group = excluded.year_group",
               (upn, from_year, year_group))
    page.dirty_upns.add(upn)


def _dated(facts: dict[str, Any]) -> tuple:
    """occurred_on, its academic year, and whether it counts under that year's rule set."""
    occurred_on = facts["occurred_on"]
    return (occurred_on, AcademicYear.containing(occurred_on).start_year,
            counts(facts["kind"], occurred_on, facts["meaningful"], facts["criteria"]))


def _add_encounters(page: Page, activity_id: str, facts: dict[str, Any], upns: list[str]) -> None:
    occurred_on, year, counted = _dated(facts)
    category = ACTIVITY_KINDS[facts["kind"]]
    page.write_many("INSERT INTO {encounters} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        (activity_id, upn, facts["school_urn"], occurred_on, year, facts["kind"], category, counted)
        for upn in upns])
    page.dirty_upns.update(upns)


def _activity_facts(page: Page, activity_id: str) -> dict[str, Any]:
    if activity_id not in page.activity_facts:
        row = page.read("SELECT school_urn, kind, title, occurred_on, meaningful, criteria FROM {activities} "
                        "WHERE id = ?", (activity_id,))[0]
        page.activity_facts[activity_id] = _facts_from_row(page, activity_id, row)
    return page.activity_facts[activity_id]


def _facts_from_row(page: Page, activity_id: str, row: tuple) -> dict[str, Any]:
    from datetime import date

    school_urn, kind, title, occurred_on, meaningful, criteria = row
    return {"school_urn": school_urn, "kind": kind, "title": title,
            "occurred_on": occurred_on if isinstance(occurred_on, date) else date.fromisoformat(occurred_on),
            "meaningful": None if meaningful is None else bool(meaningful),
            "criteria": json.loads(criteria) if criteria else None,
            "employer": None, "provider": None}


def _attendees(page: Page, activity_id: str) -> list[str]:
    return [row[0] for row in page.read("SELECT upn FROM {encounters} WHERE source_id = ?", (activity_id,))]


def _placement_state(page: Page, event: Any, state: str) -> Subject:
    page.write("UPDATE {placements} SET state = ? WHERE id = ?", (state, str(event.originator_id)))
    return _placement_subject(page, str(event.originator_id))


def _placement_subject(page: Page, placement_id: str) -> Subject:
    subject = page.known.get(placement_id)
    if subject is None:
        subject = tuple(page.read("SELECT school_urn, upn FROM {placements} WHERE id = ?", (placement_id,))[0])
        page.known.put(placement_id, subject)
    return subject


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _name_of(party: dict[str, Any] | None) -> str | None:
    return party.get("name") if party else None

