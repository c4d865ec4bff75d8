"""The reads that are not figures: how fresh the views are, hubs and schools, where a pupil is on
roll, a school's roll page and a cohort's destinations; from the view tables only."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from typing import Any, Callable

from projections import destinations, pupil_status, records
from projections.answers import Lag, School, SchoolDetails, attributes, in_utc
from projections.hub_answers import Hub
from projections.metrics import hub_members
from projections.position_watch import PositionWatch, watch_for
from projections.replay import position_known_at
from projections.runner import TRACKING_NAME
from projections.store import ViewStore
from tracker.calendar import AcademicYear, default_as_of


class Lookups:
    """Queries over one view store; `known_at` answers read the views as they stood then."""

    def __init__(self, app: Any, store: ViewStore, today: Callable[[], date] = date.today):
        self.app = app
        self.store = store
        self.today = today
        self._watch: PositionWatch | None = None
        self._watch_made = threading.Lock()

    # --- freshness ---------------------------------------------------------------------

    def position(self) -> int:
        return self.store.position(TRACKING_NAME)

    def wait_for(self, min_position: int | None, timeout: float = 2.0) -> bool:
        """Read-your-writes: True once the views include `min_position`."""
        return not min_position or self._position_watch().wait_for(min_position, timeout)

    def _position_watch(self) -> PositionWatch:
        """One for the process's requests, made at the first wait (it may listen on a
        connection)."""
        with self._watch_made:
            if self._watch is None:
                self._watch = watch_for(self.store, TRACKING_NAME)
            return self._watch

    def lag(self) -> Lag:
        """How far the views trail the log."""
        head = self.app.recorder.max_notification_id() or 0
        position = self.position()
        waiting = (
            self.app.recorder.select_notifications(start=position + 1, limit=1)
            if head > position
            else []
        )
        seconds = 0.0
        if waiting:
            oldest = self.app.mapper.to_domain_event(waiting[0]).timestamp
            seconds = max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())
        return Lag(
            head=head, position=position, events=max(head - position, 0), seconds=round(seconds, 3)
        )

    # --- shared by the figures -----------------------------------------------------------

    def _as_of(self, as_of: date | None, year: AcademicYear | None = None) -> date:
        if as_of is not None:
            return as_of
        return default_as_of(year, self.today()) if year else self.today()

    def views(self, known_at: datetime | None = None) -> ViewStore:
        """The views a read answers from: as they are, or as known at `known_at` (the last
        position recorded by then: docs/time.md)."""
        if known_at is None:
            return self.store
        return self.store.known_at(position_known_at(self.store, known_at))

    # --- things ------------------------------------------------------------------------

    def hub(self, code: str, known_at: datetime | None = None) -> Hub | None:
        rows = self.views(known_at).query(
            "SELECT code, name, area, wave FROM {hubs} WHERE code = ?", (code,)
        )
        if not rows:
            return None
        code, name, area, wave = rows[0]
        return Hub(code=code, name=name, area=area, wave=wave)

    def hub_members(
        self, code: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[str]:
        return hub_members(self.views(known_at), code, self._as_of(as_of))

    def school(self, urn: str, known_at: datetime | None = None) -> School | None:
        rows = self.views(known_at).query(
            "SELECT urn, name, type, la_code, laestab, careers_leader FROM {schools} WHERE urn = ?",
            (urn,),
        )
        if not rows:
            return None
        urn, name, kind, la_code, laestab, careers_leader = rows[0]
        return School(
            urn=urn,
            name=name,
            type=kind,
            la_code=la_code,
            laestab=laestab,
            careers_leader=careers_leader,
        )

    def school_details(self, urn: str) -> SchoolDetails | None:
        """The school's registration and its hub today."""
        found = self.school(urn)
        return SchoolDetails(**attributes(found), hub=self.hub_of_school(urn)) if found else None

    def hub_of_school(self, urn: str, as_of: date | None = None) -> str | None:
        as_of = self._as_of(as_of)
        rows = self.store.query(
            "SELECT hub_code FROM {memberships} WHERE urn = ? "
            "AND joined_on <= ? AND (left_on IS NULL OR ? <= left_on)",
            (urn, as_of, as_of),
        )
        return rows[0][0] if rows else None

    def activity_school(self, activity_id: str) -> str | None:
        rows = self.store.query("SELECT school_urn FROM {activities} WHERE id = ?", (activity_id,))
        return rows[0][0] if rows else None

    def pupil_schools(self, upn: str) -> list[str]:
        """Every school the pupil has been on roll at, oldest first."""
        return [
            row[0]
            for row in self.store.query(
                "SELECT school_urn FROM {enrolments} WHERE upn = ? ORDER BY enrolled_on", (upn,)
            )
        ]

    def pupil_benchmarks(
        self, upn: str, as_of: date | None, school: str | None, known_at: datetime | None = None
    ) -> list[pupil_status.Status]:
        """The pupil's status on each of benchmarks 5 to 8 at the school they are on roll at on
        `as_of` (for a school, at that school only), as known at `known_at`; none where they are on
        no roll then (or outside its year groups)."""
        as_of = self._as_of(as_of)
        store = self.views(known_at)
        urn = (
            school
            or next(
                iter(
                    store.query(
                        "SELECT school_urn FROM {enrolments} WHERE upn = ? AND enrolled_on <= ? "
                        "AND (left_on IS NULL OR ? <= left_on)",
                        (upn, as_of, as_of),
                    )
                ),
                (None,),
            )[0]
        )
        found = self.school(urn) if urn else None
        rows = pupil_status.on_roll(store, urn, as_of, [upn]) if found else []
        return [status for row in rows for status in pupil_status.statuses(row, as_of, found.type)]

    def pupil(
        self,
        upn: str,
        identity_of: records.IdentityOf | None,
        as_of: date,
        school: str | None,
        known_at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """The pupil's record as `school` may see it (records.pupil), as known at `known_at`; who
        they are, and whether that was erased, is read as now."""
        found = records.pupil(self.views(known_at), upn, identity_of, as_of, school=school)
        return found and {**found, "known_at": in_utc(known_at)}

    def roll(
        self,
        urn: str,
        as_of: date | None,
        wanted: pupil_status.RollFilter,
        after: str | None,
        limit: int,
        known_at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """A page of the school's roll with each pupil's benchmark status, filtered as the
        school asks, as known at `known_at`; the names and erasures are read as now."""
        store = self.views(known_at)
        found = self.school(urn, known_at)
        if found is None:
            return None
        as_of = self._as_of(as_of)
        # The names come from the log: the views hold none.
        items, cursor = pupil_status.roll(
            store,
            urn,
            found.type,
            as_of,
            wanted,
            after,
            limit,
            identities_of=self.app.identities_of,
        )
        return {
            "as_of": as_of.isoformat(),
            "known_at": in_utc(known_at),
            "items": items,
            "next": cursor,
        }

    def destinations(
        self,
        urns: list[str],
        cohort: AcademicYear | None,
        as_of: date | None,
        with_leavers: bool,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Where the schools' leavers of a cohort went (default: last year's), as recorded by
        `as_of` and known at `known_at`; `with_leavers` adds each leaver and their next follow-up,
        for the school that holds them."""
        as_of = self._as_of(as_of)
        cohort = cohort or AcademicYear.containing(as_of).previous()
        found = destinations.leavers(self.views(known_at), urns, cohort, as_of)
        result = {
            **destinations.report(found, cohort, as_of),
            "known_at": in_utc(known_at),
            "schools": len(urns),
        }
        if with_leavers:
            result["follow_ups"] = destinations.follow_up_list(found, as_of)
        return result
