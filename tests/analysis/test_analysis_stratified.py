"""A stratified sample calibrated to the population: reproduce R's survey package.

The data and R's answers are in ``reference/`` (``make_stratified.py`` wrote the data,
``stratified.R`` the answers with ``svydesign(id = ~1, strata = ~stratum, fpc = ~N)`` and
``postStratify`` / ``rake``).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import rank_items
from analysis.errors import AnalysisError
from analysis.sampling import StratifiedSample, response_rates

REFERENCE = Path(__file__).parent / "reference"
RTOL = 1e-6


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "stratified_responses.csv")


@pytest.fixture(scope="module")
def sample() -> StratifiedSample:
    strata = pd.read_csv(REFERENCE / "stratified_strata.csv")
    return StratifiedSample("stratum", dict(zip(strata["stratum"], strata["population"],
                                                strict=True)))


@pytest.fixture(scope="module")
def r_rows() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "stratified_expected.csv", comment="#")


@pytest.fixture(scope="module", params=["poststratify", "rake"])
def ranked(request, data, sample):
    population = pd.read_csv(REFERENCE / "stratified_population.csv")
    items = [c for c in data.columns if c not in ("stratum", "age_band", "gender")]
    result = rank_items(data, population, items, group="age_band", method=request.param,
                        min_n=1, n_boot=200, sample=sample)
    return request.param, result


def test_shares_means_and_ses_match_r(ranked, r_rows):
    method, result = ranked
    table = result.table.set_index(["group", "item"])
    rows = r_rows.loc[r_rows["method"] == method]
    assert len(rows) == len(table) == 36
    _assert_matches(table, rows, method)


@pytest.fixture(scope="module", params=["poststratify", "rake", "open"])
def within_women(request, data, sample):
    population = pd.read_csv(REFERENCE / "stratified_population.csv")
    items = [c for c in data.columns if c not in ("stratum", "age_band", "gender")]
    method = "poststratify" if request.param == "open" else request.param
    result = rank_items(data, population, items, group="age_band", method=method, min_n=1,
                        n_boot=200, sample=None if request.param == "open" else sample,
                        within=("gender", "kvinna"))
    return request.param, result


def test_a_domain_matches_r_on_the_subset_of_the_whole_design(within_women):
    # R: svymean / svyciprop on subset(design, gender == "kvinna") of the calibrated design,
    # svyby(~big, ~age_band, ...) for the age groups within it.
    method, result = within_women
    r_rows = pd.read_csv(REFERENCE / "stratified_domain_expected.csv", comment="#")
    rows = r_rows.loc[r_rows["method"] == method]
    table = result.table.set_index(["group", "item"])
    assert len(rows) == len(table) == 36
    _assert_matches(table, rows, method)


def test_a_domain_is_not_the_reweighted_subset(data, sample):
    # Weighting the women alone to the women's population would give the same shares under
    # post-stratification by gender but other standard errors: the domain's size is random.
    population = pd.read_csv(REFERENCE / "stratified_population.csv")
    kwargs = dict(items=["nedskrapning"], method="rake", min_n=1, n_boot=200, sample=sample)
    domain = rank_items(data, population, within=("gender", "kvinna"), **kwargs)
    women = data.loc[data["gender"] == "kvinna"]
    alone = rank_items(women, population.loc[population["gender"] == "kvinna"], **kwargs)
    assert domain.weighting.n == len(data)
    assert domain.table.iloc[0]["n"] == alone.table.iloc[0]["n"]
    assert abs(domain.table.iloc[0]["se"] / alone.table.iloc[0]["se"] - 1) > 1e-3


def test_the_disclosure_rule_counts_the_answers_inside_the_domain(data, sample):
    kwargs = dict(items=["nedskrapning"], group="age_band", method="none", min_n=11,
                  n_boot=200, sample=sample)
    everyone = rank_items(data, None, **kwargs).table.set_index("group")
    women = rank_items(data, None, within=("gender", "kvinna"), **kwargs).table.set_index(
        "group")
    assert not everyone.loc["80+", "suppressed"]
    # Ten women aged 80+ answered: too few, and another age group goes with them.
    assert women.loc["80+", "suppressed"] and np.isnan(women.loc["80+", "share"])
    assert women["suppressed"].sum() == 2 and not women.loc["all", "suppressed"]


def test_a_domain_nobody_is_in_is_refused(data, sample):
    with pytest.raises(AnalysisError, match="no response has gender = 'annat'"):
        rank_items(data, None, ["klotter"], method="none", sample=sample,
                   within=("gender", "annat"))
    with pytest.raises(AnalysisError, match="unknown column 'kön'"):
        rank_items(data, None, ["klotter"], method="none", within=("kön", "kvinna"))


def _assert_matches(table: pd.DataFrame, rows: pd.DataFrame, method: str) -> None:
    for row in rows.itertuples():
        got = table.loc[(row.group, row.item)]
        assert got["n"] == row.n
        keys = ["share", "se", "mean_score", "mean_se", "ci_low", "ci_high"]
        assert_allclose([got[k] for k in keys], [getattr(row, k) for k in keys], rtol=RTOL,
                        err_msg=f"{method} {row.group} {row.item}")


def test_kish_effective_n_matches_r(ranked, r_rows):
    method, result = ranked
    expected = r_rows.loc[r_rows["method"] == method, "kish_n_eff"].iloc[0]
    assert_allclose(result.weighting.n_eff, expected, rtol=RTOL)


def test_the_strata_matter(data, sample):
    # The same answers analysed as an open round give other weights and other SEs: the test
    # above would notice if the sample were ignored.
    population = pd.read_csv(REFERENCE / "stratified_population.csv")
    kwargs = dict(items=["nedskrapning"], min_n=1, n_boot=200)
    open_round = rank_items(data, population, **kwargs).table.iloc[0]
    sampled = rank_items(data, population, sample=sample, **kwargs).table.iloc[0]
    assert abs(open_round["share"] - sampled["share"]) > 1e-3
    assert abs(open_round["se"] / sampled["se"] - 1) > 1e-3


def test_a_stratum_missing_from_the_sample_table_is_named(data, sample):
    short = StratifiedSample("stratum", {k: v for k, v in sample.population.items()
                                         if k != "norr"})
    with pytest.raises(AnalysisError, match="'norr'"):
        rank_items(data, None, ["klotter"], method="none", sample=short)


def test_a_stratum_with_one_respondent_is_refused(data, sample):
    lonely = pd.concat([data, data.iloc[[0]].assign(stratum="ny")], ignore_index=True)
    with pytest.raises(AnalysisError, match="single respondent"):
        rank_items(lonely, None, ["klotter"], method="none",
                   sample=StratifiedSample("stratum", {**sample.population, "ny": 100}))


def test_more_respondents_than_people_is_refused(data, sample):
    with pytest.raises(AnalysisError, match="'landsbygd'"):
        rank_items(data, None, ["klotter"], method="none",
                   sample=StratifiedSample("stratum", {**sample.population, "landsbygd": 50}))


def test_aapor_rates_by_hand():
    # AAPOR Standard Definitions: RR1 = I / (I+P+R+NC+O+U), RR2 = (I+P) / (same).
    rates = response_rates(complete=412, partial=31, refused=17, non_contact=0, other=3,
                           unknown=637, not_eligible=50)
    assert rates.rr1 == pytest.approx(412 / 1100)
    assert rates.rr2 == pytest.approx(443 / 1100)
    assert np.isnan(response_rates(0, 0, not_eligible=4).rr1)
    with pytest.raises(AnalysisError):
        response_rates(-1, 0)
