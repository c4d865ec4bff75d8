"""The words the pages show for the codes the records hold: benchmarks, activity kinds, schools."""

from __future__ import annotations

from typing import Iterable

from flask import Blueprint, current_app
from jinja2.utils import htmlsafe_json_dumps

from projections.store import ViewStore, any_of

# The Gatsby benchmarks' own titles (2014 and 2024 share them).
BENCHMARK_TITLES = {
    1: "A stable careers programme",
    2: "Learning from career and labour market information",
    3: "Addressing the needs of each pupil",
    4: "Linking curriculum learning to careers",
    5: "Encounters with employers and employees",
    6: "Experiences of workplaces",
    7: "Encounters with further and higher education",
    8: "Personal guidance",
}
# Kinds whose name is not their code with spaces: the initials stay capitals.
KIND_NAMES = {
    "fe_encounter": "FE encounter",
    "he_encounter": "HE encounter",
}


def benchmark_title(number) -> str:
    return BENCHMARK_TITLES.get(int(number), f"Benchmark {number}")


def kind_name(kind: str | None) -> str:
    """`careers_fair` as "Careers fair"."""
    if not kind:
        return ""
    return KIND_NAMES.get(kind) or kind.replace("_", " ").capitalize()


def event_name(event_type: str) -> str:
    """`Activity.AttendeesAdded` as "Activity: attendees added"."""
    aggregate, _, happened = event_type.partition(".")
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in happened).strip()
    return f"{aggregate}: {words}" if words else aggregate


def school_names(store: ViewStore, urns: Iterable[str | None]) -> dict[str, str]:
    """The names of the schools a page mentions, in one query."""
    wanted = sorted({urn for urn in urns if urn})
    if not wanted:
        return {}
    marks, named = any_of("urn", wanted)
    return dict(store.query(f"SELECT urn, name FROM {{schools}} WHERE urn IN ({marks})", named))


def readable(data: dict | None) -> list[tuple[str, str]]:
    """An event's own fields as words: each name, and its value as a person would write it."""
    return [(name.replace("_", " "), _said(value)) for name, value in (data or {}).items()]


def _said(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{_as_text(str(k))}: {_said(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_said(v) for v in value) or "none"
    return _as_text(str(value))


def _as_text(text: str) -> str:
    """Text as typed where JSON would write it the same; otherwise JSON's escaped form, the one
    the page's record of the event shows, so no character reaches the page unescaped."""
    shown = str(htmlsafe_json_dumps(text, dumps=current_app.json.dumps))[1:-1]
    return text if shown == text else shown


def register(pages: Blueprint) -> None:
    for label in (benchmark_title, kind_name, event_name, readable):
        pages.add_app_template_filter(label)
