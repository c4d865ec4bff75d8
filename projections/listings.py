"""The hubs and schools the dashboard lists: registrations only, one query a list."""

from __future__ import annotations

from projections.answers import School
from projections.hub_answers import Hub
from projections.store import ViewStore, any_of

_SCHOOLS = "SELECT urn, name, type, la_code, laestab, careers_leader FROM {schools}"


def all_hubs(store: ViewStore) -> list[Hub]:
    """Every hub, by name."""
    rows = store.query("SELECT code, name, area, wave FROM {hubs} ORDER BY name, code")
    return [Hub(code=code, name=name, area=area, wave=wave) for code, name, area, wave in rows]


def schools(store: ViewStore, urns: list[str] | None) -> list[School]:
    """The named schools (every registered school when None), by name."""
    if urns == []:
        return []
    marks, bound = any_of("urn", urns or [])
    where = f" WHERE urn IN ({marks})" if urns else ""
    rows = store.query(_SCHOOLS + where + " ORDER BY name, urn", bound)
    return [
        School(urn=u, name=n, type=t, la_code=la, laestab=e, careers_leader=cl)
        for u, n, t, la, e, cl in rows
    ]
