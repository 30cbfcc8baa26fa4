"""The programme's figures, checked against the seed table of 's-Hertogenbosch."""

from __future__ import annotations

from datetime import date, timedelta

from domain.hours.amounts import format_hours
from domain.impact.figures import (
    ActivityRecord,
    CitytrainerRecord,
    EffortRecord,
    ImpactRules,
    Period,
    impact_figures,
)

SEED_PERIOD = Period(date(2007, 1, 1), date(2014, 12, 31))


def seed_like_data() -> tuple[list[CitytrainerRecord], list[EffortRecord], list[ActivityRecord]]:
    """200 trained 2007-2014 at 15 practice hours; in 2014 100 give 12 h, 28 give 2 h a week."""
    people = [
        CitytrainerRecord(pid, date(2007, 3, 1) + timedelta(days=pid * 13), 15 * 60)
        for pid in range(200)
    ]
    people.append(CitytrainerRecord(999, None, 6 * 60))  # still in training: not counted
    efforts: list[EffortRecord] = []
    for pid in range(100):  # occasionally active: 12 h in 2014, spread over three days
        efforts += [EffortRecord(pid, date(2014, month, 10), 4 * 60) for month in (2, 6, 11)]
    for pid in range(100, 128):  # structurally active: 2 h a week for 40 weeks of 2014
        efforts += [
            EffortRecord(pid, date(2014, 1, 6) + timedelta(weeks=w), 120) for w in range(40)
        ]
    for pid in range(128, 200):  # active long ago, quiet in 2014
        efforts.append(EffortRecord(pid, date(2012, 5, 1), 180))
    activities = [
        ActivityRecord(frozenset({pid % 128}), date(2008, 1, 1) + timedelta(days=pid * 8), 27)
        for pid in range(300)
    ]
    activities.append(ActivityRecord(frozenset({1}), date(2014, 6, 1), 40, happened=False))
    return people, efforts, activities


def test_seed_table_comes_out() -> None:
    figures = impact_figures(SEED_PERIOD, *seed_like_data())
    assert figures.trained == 200
    assert format_hours(figures.practice_minutes_in_training) == "3000"
    assert figures.occasionally_active == 100
    assert figures.share(figures.occasionally_active) == 0.5
    assert figures.occasional_average_minutes == 12 * 60
    assert format_hours(figures.occasional_minutes_per_year) == "1200"
    assert figures.structurally_active == 28
    assert figures.share(figures.structurally_active) == 0.14
    assert format_hours(figures.structural_minutes_per_year) == "2240"
    assert format_hours(figures.total_effort_minutes_per_year) == "3440"
    assert figures.participations == 8100
    assert figures.activities_organised == 300
    assert figures.active == 128


def test_trained_in_a_later_half_year() -> None:
    people = [
        CitytrainerRecord(i, date(2015, 1, 5) + timedelta(days=i * 2), 900) for i in range(60)
    ]
    people += [CitytrainerRecord(100 + i, date(2014, 6, 1), 900) for i in range(10)]
    figures = impact_figures(Period(date(2015, 1, 1), date(2015, 6, 30)), people, [], [])
    assert figures.trained == 60
    assert figures.trained_to_date == 70
    assert figures.active == 0
    assert figures.occasional_average_minutes is None


def test_window_threshold_and_certification_boundaries() -> None:
    end = date(2024, 12, 31)
    people = [
        CitytrainerRecord(1, date(2020, 1, 1)),
        CitytrainerRecord(2, date(2024, 6, 1)),
        CitytrainerRecord(3, date(2025, 2, 1)),  # certified after the period
    ]
    efforts = [
        EffortRecord(1, date(2024, 1, 1), 60),  # first day of the 365-day window
        EffortRecord(1, date(2023, 12, 31), 600),  # just outside
        EffortRecord(2, date(2024, 5, 1), 6000),  # before certification: training, not effort
        EffortRecord(2, date(2024, 7, 1), 80 * 60),  # exactly the structural threshold
        EffortRecord(3, date(2024, 7, 1), 60),
    ]
    figures = impact_figures(Period(date(2024, 1, 1), end), people, efforts, [])
    assert figures.trained_to_date == 2
    assert (figures.occasionally_active, figures.occasional_minutes_per_year) == (1, 60)
    assert (figures.structurally_active, figures.structural_minutes_per_year) == (1, 4800)
    stricter = impact_figures(
        Period(date(2024, 1, 1), end), people, efforts, [], ImpactRules(active_window_months=1)
    )
    assert stricter.active == 0


def test_window_months_end_of_month() -> None:
    people = [CitytrainerRecord(1, date(2020, 1, 1))]
    efforts = [EffortRecord(1, date(2024, 3, 1), 60), EffortRecord(1, date(2024, 2, 29), 60)]
    one_month = ImpactRules(active_window_months=1)
    figures = impact_figures(
        Period(date(2024, 1, 1), date(2024, 3, 31)), people, efforts, [], one_month
    )
    assert figures.occasional_minutes_per_year == 60  # 1 to 31 March


def test_organising_counts_as_activity_without_hours() -> None:
    people = [CitytrainerRecord(1, date(2020, 1, 1))]
    activities = [ActivityRecord(frozenset({1, 42}), date(2024, 3, 1), participants=12)]
    figures = impact_figures(Period(date(2024, 1, 1), date(2024, 12, 31)), people, [], activities)
    assert figures.active == 1
    assert figures.occasionally_active == 1
    assert figures.participations == 12
    assert figures.share(1) == 1.0
