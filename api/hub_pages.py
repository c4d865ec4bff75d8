"""The Hub Lead's page: headline figures with their counts, the schools by benchmark as a graded
heat map that sorts, the comparison with national and non-hub schools as a bar chart, the termly
series and the years trend as line charts, and the schools' figures to download as CSV or XLSX."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from api import hub_charts
from api.dashboard import _allow, _as_of, _csrf_token, _known_at, bp, signed_in
from api.downloads import check_extension, download
from api.routes import as_seen
from api.services import services
from projections import small_numbers
from projections.export_sheets import schools_export
from tracker.calendar import AcademicYear

BENCHMARKS = [str(b) for b in range(1, 9)]
HUB, NATIONAL, NON_HUB = "#10384f", "#2f6f95", "#6b6b6b"  # dashboard.css's key colours
WORKPLACE = "#a4520f"
SORTS = {"name", "achieved", *(f"bm{b}" for b in BENCHMARKS)}


@bp.get("/hubs/<code>")
@signed_in
def hub(access, code):
    """The Hub Lead page: headline figures against national and non-hub, schools by benchmark."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    metrics = services().reads.hub_metrics(code, _as_of(), _known_at())
    if metrics is None:
        abort(404, f"no hub {code}")
    seen = as_seen(small_numbers.hub_metrics, access)
    year = AcademicYear.containing(metrics.as_of)
    series = services().reads.hub_series(code, year, shown=seen)
    years = services().reads.hub_years(code, None, seen) if metrics.known_at is None else None
    m = seen(metrics)
    sort, descending = _sort()
    return render_template(
        "hub.html",
        access=access,
        m=m,
        counts={b: _achieving(m.school_rows, int(b)) for b in BENCHMARKS},
        rows=sorted(m.school_rows, key=_sort_key(sort), reverse=descending),
        sort=sort,
        descending=descending,
        bars=hub_charts.bar_chart(_comparison(m), BENCHMARKS),
        points=series.points if series else [],
        termly=_trend([p.as_of.isoformat() for p in series.points] if series else [], series),
        years=_trend([str(y.year) for y in years.years] if years else [], years),
        grades=hub_charts.GRADES,
        grade=_cell_grade,
        csrf=_csrf_token(),
    )


@bp.get("/hubs/<code>/schools.<extension>")
@signed_in
def hub_export(access, code, extension):
    """The member schools' figures on the page's date, as the sign-in sees them, to download."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    check_extension(extension)
    if services().reads.hub(code) is None:
        abort(404, f"no hub {code}")
    as_of = _as_of() or services().reads.today()
    withhold = None if access.sees_exact_counts else current_app.config["SMALL_NUMBER_THRESHOLD"]
    export = schools_export(services().reads, as_of, code, withhold, extension == "xlsx")
    return download(export, extension, f"{code}-schools-{as_of.isoformat()}")


def _sort() -> tuple[str, bool]:
    sort = request.args.get("sort", "name")
    return (sort if sort in SORTS else "name"), request.args.get("order") == "desc"


def _sort_key(sort: str):
    if sort == "name":
        return lambda row: row.name.casefold()
    if sort == "achieved":
        return lambda row: row.benchmarks_achieved
    index = int(sort[2:]) - 1
    return lambda row: _percent(row.benchmarks[index]) or -1.0


def _percent(figure) -> float | None:
    """A benchmark's heat: pupil coverage for 5-8, the checklist's score for 1-4."""
    if not figure.applicable or small_numbers_withheld(figure):
        return None
    if figure.coverage is not None:
        return figure.coverage
    return None if figure.score is None else round(figure.score * 100)


def small_numbers_withheld(figure) -> bool:
    return bool(figure.suppressed and figure.suppressed.get("coverage"))


def _cell_grade(figure) -> str:
    if not figure.applicable:
        return "cell-na"
    if small_numbers_withheld(figure):  # the colour still says whether it is achieved
        return "heat-4" if figure.achieved else "heat-withheld"
    return hub_charts.grade(_percent(figure))


def _achieving(rows, benchmark: int) -> tuple[int, int]:
    """How many member schools achieve the benchmark, of those it applies to."""
    figures = [row.benchmarks[benchmark - 1] for row in rows]
    applicable = [f for f in figures if f.applicable]
    return sum(f.achieved for f in applicable), len(applicable)


def _comparison(m):
    summaries = (("This hub", HUB, m), ("National", NATIONAL, m.national))
    summaries += (("Non-hub", NON_HUB, m.non_hub),)
    return [(name, colour, s.pct_schools_achieving if s else {}) for name, colour, s in summaries]


def _trend(labels: list[str], answer):
    """BM5 and BM6 (every student) over a series' dates or the years, as two lines."""
    if not labels:
        return None
    points = answer.points if hasattr(answer, "points") else answer.years
    return hub_charts.line_chart(
        labels,
        (
            (
                "Employer encounters (BM5)",
                HUB,
                [p.every_student_employer_encounters for p in points],
            ),
            (
                "Workplace experience (BM6)",
                WORKPLACE,
                [p.every_student_workplace_experience for p in points],
            ),
        ),
    )
