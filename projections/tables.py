"""The view tables: one schema for SQLite and PostgreSQL, named with a prefix so a rebuild can sit
beside."""

from __future__ import annotations

import re
import zlib

# Column types are written {date}, {text}, {int}, {big}, {flag} and filled in per database.
TABLES: dict[str, str] = {
    "tracking": "name {text} PRIMARY KEY, position {big} NOT NULL",
    # Aggregate ids of things with natural keys, since most events carry only the id.
    "names": "id {text} PRIMARY KEY, natural_key {text}",
    "hubs": "code {text} PRIMARY KEY, name {text}, area {text}, wave {int}",
    "schools": "urn {text} PRIMARY KEY, name {text}, type {text}, la_code {text}, laestab {text}, "
    "careers_leader {text}",
    "memberships": "urn {text}, hub_code {text}, joined_on {date}, left_on {date}, "
    "PRIMARY KEY (urn, joined_on)",
    # The year groups a school teaches from an academic year on (0: since registration); a school
    # with no row teaches its type's usual range (tracker.rulesets.DEFAULT_YEAR_GROUPS).
    "year_ranges": "urn {text}, from_year {int}, first_ncy {int}, last_ncy {int}, "
    "PRIMARY KEY (urn, from_year)",
    # No names or dates of birth: reads take them from the log while the pupil's key exists
    # (tracker/identity.py), so a copy of the views holds no identity to erase.
    "pupils": "upn {text} PRIMARY KEY, erased {flag}",
    "enrolments": "upn {text}, school_urn {text}, enrolled_on {date}, left_on {date}, "
    "destination {text}, sen {flag}, pupil_premium {flag}, PRIMARY KEY (upn, enrolled_on)",
    "year_groups": "upn {text}, from_year {int}, year_group {int}, PRIMARY KEY (upn, from_year)",
    # The registration group (form) a school puts a pupil in, for an academic year.
    "groups": "upn {text}, school_urn {text}, academic_year {int}, group_name {text}, "
    "PRIMARY KEY (upn, school_urn, academic_year)",
    # Every word of where a leaver went: at leaving (recorded_on = left_on) and each follow-up
    # after.
    "destinations": "upn {text}, school_urn {text}, left_on {date}, destination {text}, "
    "recorded_on {date}, PRIMARY KEY (upn, school_urn, left_on, recorded_on)",
    "activities": "id {text} PRIMARY KEY, school_urn {text}, kind {text}, category {text}, "
    "title {text}, occurred_on {date}, academic_year {int}, counts {flag}, meaningful {flag}, "
    "criteria {text}, employer_name {text}, provider_name {text}, attendees {int}, "
    "retracted_reason {text}, recorded_at {text}, position {big}",
    # One row per pupil per counted source: an attended activity or a completed placement.
    "encounters": "source_id {text}, upn {text}, school_urn {text}, occurred_on {date}, "
    "academic_year {int}, kind {text}, category {text}, counts {flag}, "
    "PRIMARY KEY (source_id, upn)",
    "placements": "id {text} PRIMARY KEY, school_urn {text}, upn {text}, kind {text}, "
    "employer_name {text}, starts_on {date}, ends_on {date}, state {text}, "
    "completed_on {date}, hours {real}, position {big}",
    # The register (projections/register_rows.py): organisations registered, the organisation
    # each activity or placement names (by its matched name), and merges of duplicates over time.
    "organisations": "id {text} PRIMARY KEY, role {text}, name {text}, sector {text}, size {text}, "
    "companies_house {text}, postcode_area {text}, provider_type {text}, ukprn {text}",
    "counterparts": "source_id {text}, role {text}, organisation_id {text}, name {text}, "
    "sector {text}, size {text}, provider_type {text}, PRIMARY KEY (source_id, role)",
    "merges": "duplicate_id {text}, version {int}, into_id {text}, changed_on {date}, "
    "PRIMARY KEY (duplicate_id, version)",
    # Provider encounters offered to whole year groups (the provider access duty's Years 12-13).
    "provider_offers": "activity_id {text}, year_group {int}, "
    "PRIMARY KEY (activity_id, year_group)",
    # The employer's answer on completing a placement: would it host another student?
    "host_answers": "placement_id {text} PRIMARY KEY, school_urn {text}, completed_on {date}, "
    "would_host {text}",
    "checklist": "urn {text}, benchmark {int}, code {text}, met {flag}, changed_on {date}, "
    "evidence {text}, position {big}, PRIMARY KEY (urn, position)",
    # One row per enrolment of a pupil with a year group: the school and dates on roll, the dates on
    # which the pupil first meets each count (so any as-of date is one comparison), their latest
    # year group and their latest year's first two employer encounters. A school's figures on a
    # date in that year read this table alone: one row per pupil, no joins.
    "milestones": "upn {text}, school_urn {text}, enrolled_on {date}, left_on {date}, "
    "workplace_1 {date}, workplace_2 {date}, fe_1 {date}, he_1 {date}, university_2 {date}, "
    "guidance_1 {date}, ks5_start {date}, workplace_ks5 {date}, guidance_ks5 {date}, "
    "from_year {int}, year_group {int}, employer_year {int}, employer_first {date}, "
    "employer_second {date}, PRIMARY KEY (upn, enrolled_on)",
    # Every year's first two employer encounters, for figures in a year before a pupil's latest.
    "employer_dates": "upn {text}, academic_year {int}, first_on {date}, second_on {date}, "
    "PRIMARY KEY (upn, academic_year)",
    # The last position at which anything bearing on a school's figures changed: lets readers
    # keep each school's figures until it moves, so a hub's metrics recompute only what changed.
    "school_versions": "urn {text} PRIMARY KEY, position {big}",
    "tokens": "id {text} PRIMARY KEY, scope {text}, subject {text}, note {text}, issued_at {text}, "
    "issued_by {text}, revoked_at {text}, revoked_by {text}, reason {text}, expires_on {date}",
    # People's accounts and each grant's life (docs/people.md): who held what, from when, given by
    # whom; a withdrawn grant keeps its row, so "who could see this school on a date" is a query.
    "accounts": "id {text} PRIMARY KEY, email {text}, name {text}, invited_at {text}, "
    "invited_by {text}, joined_at {text}, disabled_at {text}",
    "grants": "account_id {text}, scope {text}, given_at {text}, given_by {text}, "
    "withdrawn_at {text}, withdrawn_by {text}, PRIMARY KEY (account_id, scope, given_at)",
    "events": "position {big} PRIMARY KEY, recorded_at {text}, type {text}, aggregate_id {text}, "
    "version {int}, actor {text}, request_id {text}, school_urn {text}, upn {text}",
    "event_upns": "position {big}, upn {text}, PRIMARY KEY (upn, position)",
}

# Kept beside the live views but not built from the log, so never rebuilt, swapped or compared:
# recent failed sign-ins, in one place for every API process (see api/ratelimit.py), and the
# dashboard's sessions, by a hash of their id (see api/sessions.py).
OPERATIONAL: dict[str, str] = {
    "sign_in_failures": "address {text}, failed_at {real}",
    # Who read which pupil's identity, when, from where and through what (see api/accesslog.py): a
    # record of reads, not of facts, so the log cannot rebuild it and a rebuild must not lose it.
    "pupil_reads": "id {serial} PRIMARY KEY, upn {text}, read_at {text}, subject {text}, "
    "scope {text}, address {text}, what {text}, request_id {text}",
    # Refused enrolments of UPNs registered elsewhere, per token (see api/ratelimit.py).
    "refused_transfers": "token_id {text}, refused_at {real}",
    "sessions": "id {text} PRIMARY KEY, token_id {text}, started_at {real}",
}

INDEXES: dict[str, tuple[str, ...]] = {
    "sign_in_failures": ("address, failed_at", "failed_at"),
    "pupil_reads": ("upn, id",),
    "refused_transfers": ("token_id, refused_at", "refused_at"),
    "sessions": ("started_at",),
    "enrolments": ("school_urn, enrolled_on",),
    "destinations": ("school_urn, left_on",),
    "milestones": ("school_urn, enrolled_on",),
    "encounters": ("upn, occurred_on",),
    "activities": ("school_urn, occurred_on",),
    "placements": ("upn",),
    "counterparts": ("organisation_id",),
    "memberships": ("hub_code",),
    "grants": ("scope, given_at",),
    # aggregate_id: a pupil's timeline takes every event of the activities they attended.
    "events": (
        "school_urn, position",
        "upn, position",
        "type, position",
        "recorded_at",
        "aggregate_id, position",
    ),
}

# Tables whose rows a later event can change or end (docs/time.md): each row carries `vfrom`, the
# position of the event that gave it its values, and each table has a twin `<name>_history`
# holding every earlier version with `vuntil`, the position that replaced or ended it. So "as
# known at position P" is the same read as "now", over the rows with vfrom <= P < vuntil.
VERSIONED = (
    # A hub is only registered, never changed; versioned so that as known at a time before it was,
    # it is not there (a 404, as for a school), not today's hub with no members.
    "hubs",
    "schools",
    "memberships",
    "year_ranges",
    "enrolments",
    "year_groups",
    "groups",
    "encounters",
    "checklist",
    "milestones",
    "employer_dates",
    # A later word of a leaver's destination on the same day replaces the first: the cohort's
    # destinations as known at a time need the word that stood then.
    "destinations",
    # The employer network, provider access and the register (docs/employers.md): activities and
    # placements change state (amended, retracted, confirmed, completed), and a figure as known at
    # a position must not see an organisation registered, named, merged or offered after it.
    "activities",
    "placements",
    "counterparts",
    "organisations",
    "merges",
    "host_answers",
    "provider_offers",
)
# Versioned tables written at a page's end (projections/milestones.py) keep their history
# themselves, version by version; the others through a trigger on every update (writes.py stamps
# the position, and stamps a row before deleting it).
COMPUTED = ("milestones", "employer_dates")
HISTORY = "_history"
STAMPED = frozenset(name for name in VERSIONED if name not in COMPUTED)

_TABLE_KEY = re.compile(r",\s*PRIMARY KEY \(([^)]*)\)$")
_COLUMN_KEY = re.compile(r"^(\w+) \{\w+\} PRIMARY KEY")
_TYPED = re.compile(r"(\w+) \{(\w+)\}")


def _versioned(columns: str) -> tuple[str, str, str]:
    """The table with `vfrom` as its last column, its history twin (no key: a key has many
    versions there), and the key's columns (the history's first index)."""
    plain = ", ".join(f"{name} {{{kind}}}" for name, kind in _TYPED.findall(columns))
    history = plain + ", vfrom {big} NOT NULL, vuntil {big} NOT NULL"
    table_key = _TABLE_KEY.search(columns)
    if table_key:
        at = table_key.start()
        table = f"{columns[:at]}, vfrom {{big}} NOT NULL{columns[at:]}"
        return table, history, table_key.group(1)
    return columns + ", vfrom {big} NOT NULL", history, _COLUMN_KEY.match(columns).group(1)


def _history_indexes(key: str, read_indexes: tuple[str, ...]) -> tuple[str, ...]:
    """A history's indexes: its key's, and each of the table's read indexes as its first column
    (the school or pupil a read names) then `vuntil, vfrom`, so a read as known at P takes one
    school's versions with vuntil > P from the index and tests vfrom <= P there, instead of
    fetching every version the school ever had (docs/performance.md, known at)."""
    scoped = tuple(f"{columns.split(',')[0]}, vuntil, vfrom" for columns in read_indexes)
    return (key, *scoped, "vuntil, vfrom")


for _name in VERSIONED:
    TABLES[_name], TABLES[_name + HISTORY], _key = _versioned(TABLES[_name])
    INDEXES[_name + HISTORY] = _history_indexes(_key, INDEXES.get(_name, ()))

_COLUMN = re.compile(r"(\w+) \{(\w+)\}")

# Each view table's (column, type) pairs in order: the column lists of the projection's writes.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple(_COLUMN.findall(columns)) for name, columns in TABLES.items()
}

# Tables compared by `verify`: positions of tracking and school versions depend on where pages
# happened to end, so they differ between two correct builds by design.
COMPARED = tuple(name for name in TABLES if name not in ("tracking", "school_versions"))

# A number that changes whenever a table's columns or indexes do: stored with the tables when they
# are created, so views built for other columns are refused (run `tracker rebuild`), not written
# into. Indexes are made only with their table, so views built without one are rebuilt too: a
# history read as known at without its (school, vuntil, vfrom) index fetches every version.
SCHEMA = zlib.crc32(
    "\n".join(
        f"{name}: {columns} {INDEXES.get(name, ())}" for name, columns in TABLES.items()
    ).encode()
)
