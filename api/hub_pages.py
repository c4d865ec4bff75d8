"""The Hub Lead's page: headline figures with their counts, the schools by benchmark as a graded
heat map that sorts, the comparison with national and non-hub schools as a bar chart, the termly
series and the years trend as line charts, and the schools' figures to download as CSV or XLSX."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import abort, current_app, render_template, request

from api import hub_charts
from api.dashboard import _allow, _as_of, _csrf_token, _known_at, bp, signed_in
from api.downloads import check_extension, download
from api.routes import as_seen
from api.services import services
from projections import small_numbers
from projections.export_sheets import schools_export
from projections.queries import Shown, everything
from tracker.calendar import AcademicYear

BENCHMARKS = [str(b) for b in range(1, 9)]
HUB, NATIONAL, NON_HUB = "#10384f", "#2f6f95", "#6b6b6b"  # dashboard.css's key colours
WORKPLACE = "#a4520f"
SORTS = {"name", "achieved", *(f"bm{b}" for b in BENCHMARKS)}


@dataclass(frozen=True)
class SchoolFilter:
    """Which member schools the table and the downloads hold: of a type, and achieving (or not)
    a benchmark. The headline figures stay the whole hub's."""

    type: str | None = None
    benchmark: int | None = None
    achieved: bool = True

    def keeps(self, row) -> bool:
        if self.type and row.type != self.type:
            return False
        figure = row.benchmarks[self.benchmark - 1] if self.benchmark else None
        return figure is None or (figure.applicable and figure.achieved == self.achieved)

    @property
    def args(self) -> dict[str, str]:
        """The filter as the address says it, for the sort and download links."""
        args = {"type": self.type} if self.type else {}
        if self.benchmark:
            args |= {"benchmark": str(self.benchmark), "achieved": "yes" if self.achieved else "no"}
        return args


@bp.get("/hubs/<code>")
@signed_in
def hub(access, code):
    """The Hub Lead page: headline figures against national and non-hub, schools by benchmark."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    seen = as_seen(small_numbers.hub_metrics, access)
    read = hub_reads(code, _as_of(), _known_at(), seen)
    if read is None:
        abort(404, f"no hub {code}")
    metrics, series, years = read
    m = seen(metrics)
    sort, descending = _sort()
    wanted = _school_filter()
    kept = [row for row in m.school_rows if wanted.keeps(row)]
    return render_template(
        "hub.html",
        access=access,
        m=m,
        counts={b: _achieving(m.school_rows, int(b)) for b in BENCHMARKS},
        rows=sorted(kept, key=_sort_key(sort), reverse=descending),
        wanted=wanted,
        types=sorted({row.type for row in m.school_rows}),
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


def hub_reads(code: str, as_of=None, known_at=None, seen: Shown = everything):
    """What the hub page reads, as it reads it: its figures, its termly series and its years
    trend; the warm-up (api/warmup.py) asks through here, so the entries it keeps are the page's."""
    reads = services().reads
    metrics = reads.hub_metrics(code, as_of, known_at)
    if metrics is None:
        return None
    year = AcademicYear.containing(metrics.as_of)
    series = reads.hub_series(code, year, shown=seen, known_at=known_at)
    return metrics, series, reads.hub_years(code, None, seen, known_at)


@bp.get("/hubs/<code>/schools.<extension>")
@signed_in
def hub_export(access, code, extension):
    """The member schools' figures on the page's date (as known at the page's time, if it has
    one), as the sign-in sees them, to download."""
    _allow(access.may_read_hub(code), "this sign-in may not see that hub")
    check_extension(extension)
    known_at, reads = _known_at(), services().reads
    if reads.hub(code, known_at) is None:
        abort(404, f"no hub {code}")
    as_of, wanted = _as_of() or reads.today(), _school_filter()
    withhold = None if access.sees_exact_counts else current_app.config["SMALL_NUMBER_THRESHOLD"]
    export = _filtered(
        schools_export(reads, as_of, code, withhold, extension == "xlsx", known_at=known_at),
        wanted,
        reads.hub_metrics(code, as_of, known_at),
    )
    return download(export, extension, f"{code}-schools-{as_of.isoformat()}")


def _school_filter() -> SchoolFilter:
    """`?type=` a school type, `?benchmark=1..8&achieved=yes|no`; a bad one is a 400 page."""
    args = request.args
    benchmark, achieved = args.get("benchmark", ""), args.get("achieved", "") or "yes"
    if benchmark and benchmark not in BENCHMARKS:
        abort(400, "benchmark must be a number from 1 to 8")
    if achieved not in ("yes", "no"):
        abort(400, "achieved must be yes or no")
    return SchoolFilter(args.get("type") or None, int(benchmark or 0) or None, achieved == "yes")


def _filtered(export, wanted: SchoolFilter, metrics):
    """The export's sheets of schools (URN first) cut to the schools the filter keeps; the hub's
    figures beside the national ones stay the whole hub's, as on the page."""
    if not wanted.args:
        return export
    kept = {row.urn for row in metrics.school_rows if wanted.keeps(row)}
    more = tuple(
        replace(sheet, rows=[r for r in sheet.rows if r[0] in kept])
        if sheet.header[0] == "urn"
        else sheet
        for sheet in export.more
    )
    return replace(export, rows=[r for r in export.rows if r[0] in kept], more=more)


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
