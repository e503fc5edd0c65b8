"""Weighting: collapsing tiny cells, bad population tables, raking limits, trimming."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import AnalysisError, poststratify_weights, rake_weights, trim_weights

BY = ["age_band", "gender"]


def _drop_cell(responses: pd.DataFrame, band: str, gender: str, keep: int) -> pd.DataFrame:
    cell = (responses["age_band"] == band) & (responses["gender"] == gender)
    drop = responses.index[cell][keep:]
    return responses.drop(index=drop).reset_index(drop=True)


def test_tiny_cell_is_merged_with_neighbouring_band_and_noted(responses, population):
    data = _drop_cell(responses, "80+", "man", keep=2)
    result = poststratify_weights(data, population, BY, min_cell=5)
    assert len(result.notes) == 1
    assert "80+" in result.notes[0].en and "65-79" in result.notes[0].sv
    pop = population.set_index(BY)["count"]
    n = data.groupby(BY).size()
    merged = (pop[("80+", "man")] + pop[("65-79", "man")]) / (
        n[("80+", "man")] + n[("65-79", "man")])
    cells = result.cells.to_frame().set_index(BY)["weight"]
    assert_allclose([cells[("80+", "man")], cells[("65-79", "man")]], [merged, merged])
    assert_allclose(result.weights.sum(), population["count"].sum())


def test_empty_cell_is_merged_so_its_people_still_count(responses, population):
    data = _drop_cell(responses, "16-24", "kvinna", keep=0)
    result = poststratify_weights(data, population, BY)
    assert any("16-24" in note.en and "25-44" in note.en for note in result.notes)
    assert_allclose(result.weights.sum(), population["count"].sum())


def test_no_collapse_without_tiny_cells(responses, population):
    assert poststratify_weights(responses, population, BY).notes == []


def test_data_level_missing_from_population_is_named(responses, population):
    data = responses.copy()
    data.loc[0, "gender"] = "annat"
    with pytest.raises(AnalysisError, match="gender='annat'"):
        poststratify_weights(data, population, BY)
    with pytest.raises(AnalysisError, match="gender='annat'"):
        rake_weights(data, population, BY)


def test_population_level_missing_from_data_is_named(responses, population):
    extra = pd.DataFrame({"age_band": ["13-15", "13-15"], "gender": ["kvinna", "man"],
                          "count": [700, 720]})
    with pytest.raises(AnalysisError, match="age_band='13-15'"):
        poststratify_weights(responses, pd.concat([population, extra]), BY)


def test_negative_population_count_is_refused(responses, population):
    bad = population.copy()
    bad.loc[3, "count"] = -5
    with pytest.raises(AnalysisError, match="negative"):
        poststratify_weights(responses, bad, BY)


def test_missing_population_column_is_named(responses, population):
    with pytest.raises(AnalysisError, match="count"):
        poststratify_weights(responses, population.drop(columns="count"), BY)


def test_raking_that_cannot_converge_says_so(responses, population):
    with pytest.raises(AnalysisError, match="did not converge in 1 iterations"):
        rake_weights(responses, population, BY, tol=1e-14, max_iter=1)


def test_raking_meets_both_margins(responses, population):
    result = rake_weights(responses, population, BY)
    for var in BY:
        got = pd.Series(result.weights).groupby(responses[var].to_numpy()).sum()
        target = population.groupby(var)["count"].sum()
        assert_allclose(got.sort_index(), target.sort_index(), rtol=1e-9)


def test_trimming_caps_weights_and_keeps_the_total(responses, population):
    base = poststratify_weights(responses, population, BY)
    trimmed = trim_weights(base, max_ratio=1.5)
    cap = 1.5 * base.weights.mean()
    assert base.weights.max() > cap
    assert trimmed.weights.max() <= cap * (1 + 1e-9)
    assert_allclose(trimmed.weights.sum(), base.weights.sum())
    assert trimmed.n_eff > base.n_eff
    assert any("trimm" in note.en and "design effect" in note.en for note in trimmed.notes)


def test_trimming_ratio_must_exceed_one(responses, population):
    base = poststratify_weights(responses, population, BY)
    with pytest.raises(AnalysisError):
        trim_weights(base, max_ratio=1.0)


def test_weights_are_constant_within_cells(responses, population):
    result = rake_weights(responses, population, BY)
    spread = pd.Series(result.weights).groupby(
        [responses["age_band"], responses["gender"]]).agg(np.ptp)
    assert (spread == 0).all()
