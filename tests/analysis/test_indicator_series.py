"""Indicator periods, file checks, trends against hand-computed values, small numbers."""

from __future__ import annotations

import pytest

from analysis.indicators import (
    KnownSeries,
    Period,
    PeriodError,
    parse_period,
    period_for_month,
    trend,
    validate_rows,
    withhold_areas,
)

HEADER = ["indicator", "period", "area", "value", "label", "category", "unit"]


def test_periods_parse_shift_and_print():
    march = parse_period("2026-03")
    assert str(march) == "2026-03"
    assert str(march.year_before()) == "2025-03"
    assert str(march.shift(-3)) == "2025-12"
    assert str(parse_period("2026-q1").shift(-1)) == "2025-Q4"
    assert parse_period("2025-12") < march
    for bad in ("2026-13", "2026-00", "2026-Q5", "mars 2026", "2026-3", "26-03", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_a_quarterly_series_shows_the_last_ended_quarter_in_a_month():
    assert str(period_for_month(parse_period("2026-03"), 4)) == "2026-Q1"
    assert str(period_for_month(parse_period("2026-05"), 4)) == "2026-Q1"
    assert str(period_for_month(parse_period("2026-02"), 4)) == "2025-Q4"


def test_trend_against_hand_computed_figures():
    # 24 months 2024-04 … 2026-03 with values 1 … 24: March 2026 is 24, March 2025 is 12,
    # the last twelve months 13 + … + 24 = 222, the twelve before 1 + … + 12 = 78.
    months = {parse_period("2024-04").shift(i): float(i + 1) for i in range(24)}
    result = trend(months, parse_period("2026-03"))
    assert result.figures() == {"value": 24.0, "value_year_before": 12.0,
                                "rolling_12m": 222.0, "rolling_12m_year_before": 78.0}
    # A rate is averaged, not summed: 222 / 12 = 18.5 and 78 / 12 = 6.5.
    rates = trend(months, parse_period("2026-03"), unit="per 1000 invånare")
    assert (rates.rolling_12m, rates.rolling_12m_year_before) == (18.5, 6.5)


def test_a_gap_leaves_a_rolling_figure_out_rather_than_understating_it():
    months = {parse_period("2025-04").shift(i): 5.0 for i in range(12)}
    del months[parse_period("2025-10")]
    result = trend(months, parse_period("2026-03"))
    assert result.value == 5.0
    assert result.rolling_12m is None
    assert result.value_year_before is None and result.rolling_12m_year_before is None


def test_quarters_compare_four_quarters():
    quarters = {Period(4, 2025, 1).shift(i): float(10 * (i + 1)) for i in range(8)}
    result = trend(quarters, Period(4, 2026, 4))
    # 2026-Q4 = 80, 2025-Q4 = 40, Q1–Q4 2026 = 50+60+70+80, 2025 = 10+20+30+40.
    assert result.figures() == {"value": 80.0, "value_year_before": 40.0,
                                "rolling_12m": 260.0, "rolling_12m_year_before": 100.0}


def _problems(rows, header=HEADER, known=None):
    result = validate_rows(header, list(enumerate(rows, start=2)), known or {})
    return [(p.row, p.column, p.code) for p in result.problems], result


def test_every_problem_is_reported_with_its_row_and_column():
    problems, result = _problems([
        ["brott_vald", "2026-03", "", "12", "Våldsbrott", "våld i offentlig miljö", "antal"],
        ["brott_vald", "2026-13", "Ljusne", "3", "", "", ""],
        ["brott_vald", "2026-02", "Ljusne", "tolv", "", "", ""],
        ["brott_vald", "2026-02", "Sandarne", "2,5", "", "", ""],
        ["ny_serie", "2026-03", "", "4", "", "", ""],
        ["brott_vald", "2026-03", "", "13", "", "", ""],
        ["skräp!", "2026-03", "", "1", "x", "", ""],
        ["klotter", "2026-03", "", "1", "Klotter", "graffiti", ""],
        ["brott_vald", "2026-Q1", "Mo", "5", "", "", ""],
    ])
    assert problems == [
        (3, "period", "bad_period"),
        (4, "value", "not_a_number"),
        (5, "value", "not_a_count"),
        (6, "label", "new_needs_label"),
        (7, None, "duplicate"),
        (8, "indicator", "bad_code"),
        (9, "category", "bad_category"),
        (10, "period", "mixed_periods"),
    ]
    assert result.rows == []


def test_missing_and_unknown_columns_point_at_the_header():
    problems, _ = _problems([], header=["indicator", "period", "värde", "area"])
    assert problems == [(1, "value", "missing_column"), (1, "värde", "unknown_column")]


def test_a_stored_series_keeps_its_kind_of_period_and_unit():
    known = {"otrygghet": KnownSeries(per_year=4, unit="procent")}
    problems, _ = _problems([["otrygghet", "2026-03", "", "25,5", "", "", ""]], known=known)
    assert problems == [(2, "period", "stored_kind")]
    problems, result = _problems([["otrygghet", "2026-Q1", "", "25,5", "", "", ""]],
                                 known=known)
    assert problems == [] and result.rows[0].value == 25.5


def test_swedish_numbers_and_category_names_are_read():
    problems, result = _problems([
        ["inbrott", "2026-01", "Mo", "1 234", "Inbrott", "stöld och inbrott", ""],
    ])
    assert problems == []
    assert (result.rows[0].value, result.rows[0].category) == (1234.0, "stold_inbrott")


def test_small_area_counts_cannot_be_recovered_from_the_kommun_total():
    # The attacker's view: the kommun total and the shown areas.
    kommun = {"value": 40.0}
    areas = {"Tätort": {"value": 30.0}, "Ljusne": {"value": 3.0}, "Mo": {"value": 7.0}}
    decided = withhold_areas(kommun, areas, min_n=5)
    assert decided.small["value"] == {"Ljusne"}
    # Ljusne alone withheld would be 40 − 30 − 7 = 3: a second area is withheld with it.
    assert decided.protecting["value"] == {"Mo"}
    shown = {a: f["value"] for a, f in areas.items()
             if a not in decided.small["value"] | decided.protecting["value"]}
    left = kommun["value"] - sum(shown.values())
    assert left == 10.0  # only the two withheld areas together, which is at least 5


def test_the_unlisted_rest_of_the_kommun_protects_when_it_is_large_enough():
    kommun = {"value": 60.0}
    areas = {"Tätort": {"value": 30.0}, "Ljusne": {"value": 3.0}, "Mo": {"value": 17.0}}
    decided = withhold_areas(kommun, areas, min_n=5)
    # 60 − 30 − 17 = 13 is Ljusne plus the 10 outside every area: Ljusne stays hidden.
    assert decided.small["value"] == {"Ljusne"} and decided.protecting["value"] == set()


def test_each_figure_is_decided_on_its_own():
    kommun = {"value": 40.0, "rolling_12m": 400.0}
    areas = {"A": {"value": 2.0, "rolling_12m": 200.0},
             "B": {"value": 38.0, "rolling_12m": 200.0}}
    decided = withhold_areas(kommun, areas, min_n=5)
    assert decided.small["value"] == {"A"} and decided.protecting["value"] == {"B"}
    assert decided.small["rolling_12m"] == set() == decided.protecting["rolling_12m"]
