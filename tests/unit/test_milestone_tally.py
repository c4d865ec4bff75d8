"""A tally of milestone dates built one encounter at a time equals one counted from them all."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from projections.milestone_tally import Tally

KINDS = (
    ("workplace", "workplace"),
    ("guidance", "guidance"),
    ("fe", "fe"),
    ("he", "he"),
    ("university_visit", "he"),
    ("talk", "employer"),
)
encounter = st.builds(
    lambda day, year, kind: (date(2024, 9, 1) + timedelta(days=day), year, *kind),
    st.integers(0, 700),
    st.sampled_from((2024, 2025)),
    st.sampled_from(KINDS),
)


def counted(encounters: list[tuple], start: date) -> tuple:
    """The milestones and employer dates, straight from the definitions (metrics.md)."""

    def dates(category: str, kind: str | None = None) -> list[date]:
        return sorted(
            on for on, _y, k, c in encounters if c == category and (kind is None or k == kind)
        )

    def nth(found: list[date], n: int) -> date | None:
        return found[n - 1] if len(found) >= n else None

    workplace, guidance = dates("workplace"), dates("guidance")
    employer = {
        year: sorted(on for on, y, _k, c in encounters if c == "employer" and y == year)[:2]
        for year in {y for _on, y, _k, c in encounters if c == "employer"}
    }
    return (
        (
            nth(workplace, 1),
            nth(workplace, 2),
            nth(dates("fe"), 1),
            nth(dates("he"), 1),
            nth(dates("he", "university_visit"), 2),
            nth(guidance, 1),
            start,
            next((on for on in workplace if on >= start), None),
            next((on for on in guidance if on >= start), None),
        ),
        employer,
    )


@given(st.lists(encounter, max_size=30), st.integers(1, 6), st.integers(0, 700))
def test_a_tally_added_to_in_any_order_equals_the_dates_counted_from_every_encounter(
    encounters, cut, start_day
):
    start = date(2024, 9, 1) + timedelta(days=start_day)
    tally = Tally(start, encounters[:cut])
    for at in range(cut, len(encounters), cut):
        tally.add(encounters[at : at + cut])
    rows, employer_rows, latest = tally.rows("U1", [(2024, 11)], [("S1", date(2024, 9, 1), None)])
    milestones, employer = counted(encounters, start)
    assert {(year, first, second) for _u, year, first, second in employer_rows} == {
        (year, on[0], on[1] if len(on) > 1 else None) for year, on in employer.items()
    }
    assert latest == max(employer, default=0)
    assert rows == [
        (
            "U1",
            "S1",
            date(2024, 9, 1),
            None,
            *milestones,
            2024,
            11,
            *((latest, *employer[latest], None)[:3] if employer else (None, None, None)),
        )
    ]
