"""rank_items: suppression, rank intervals, input forms, priorities, group tests, rounds."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from analysis import RANKING_COLUMNS, AnalysisError, compare_rounds, rank_items
from analysis.group_tests import average_ranks, benjamini_hochberg, kendalls_w

BY = ("age_band", "gender")


@pytest.fixture(scope="module")
def ranked(responses, population, items):
    return rank_items(responses, population, items, group="age_band", weight_by=BY,
                      min_n=40, n_boot=400, seed=7)


def test_table_starts_with_the_agreed_columns(ranked):
    assert list(ranked.table.columns[: len(RANKING_COLUMNS)]) == RANKING_COLUMNS
    assert ranked.table["group"].iloc[0] == "all"
    assert ranked.groups == ["16-24", "25-44", "45-64", "65-79", "80+"]


def test_small_groups_are_suppressed_everywhere(ranked):
    young = ranked.table.loc[ranked.table["group"] == "16-24"]
    assert young["suppressed"].all()
    assert young["n"].isna().all()
    for col in ["share", "se", "ci_low", "ci_high", "mean_score", "mean_se", "n_eff_kish",
                "dont_know_share", "rank", "rank_low", "rank_high"]:
        assert young[col].isna().all(), col
    shown = ranked.table.loc[~ranked.table["suppressed"]]
    assert (shown["n"] >= 40).all()
    assert shown["share"].notna().all() and shown["rank"].notna().all()
    # The complementary group withheld beside 16-24 takes no part in the tests either.
    assert (ranked.differences["groups_tested"] == 3).all()
    assert any("40" in note.sv and "40" in note.en for note in ranked.notes)


def test_rank_intervals_contain_the_rank_and_follow_the_shares(ranked):
    shown = ranked.table.loc[~ranked.table["suppressed"]]
    assert (shown["rank_low"] <= shown["rank"]).all()
    assert (shown["rank"] <= shown["rank_high"]).all()
    for _, rows in shown.groupby("group"):
        by_share = rows.sort_values("share", ascending=False)
        assert list(by_share["rank"]) == sorted(by_share["rank"])
        assert rows["rank"].min() == 1 and rows["rank_high"].max() <= len(rows)
    overall = ranked.overall().set_index("item")
    # 46 % against 37 % for the runner-up, SEs under 3 points: first place is certain.
    assert (overall.loc["narkotikahandel", ["rank_low", "rank_high"]] == 1).all()
    widths = shown["rank_high"] - shown["rank_low"]
    assert widths.max() >= 2


def test_rank_intervals_are_deterministic_for_a_seed(responses, population, items):
    args = dict(group="age_band", weight_by=BY, n_boot=300)
    first = rank_items(responses, population, items, seed=11, **args)
    again = rank_items(responses, population, items, seed=11, **args)
    pd.testing.assert_frame_equal(first.table, again.table)


def test_codes_as_strings_give_the_same_result(responses, population, items):
    as_text = responses.copy()
    for item in items:
        as_text[item] = responses[item].map(lambda v: "" if pd.isna(v) else str(int(v)))
    a = rank_items(responses, population, items, group="age_band", n_boot=200)
    b = rank_items(as_text, population, items, group="age_band", n_boot=200)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_unweighted_shares_match_plain_counting(responses, items):
    result = rank_items(responses, None, items, n_boot=200)
    assert result.weighting.method == "none"
    assert any("Unweighted" in note.en for note in result.notes)
    row = result.overall().set_index("item").loc["klotter"]
    x = responses["klotter"]
    valid = x.isin([1, 2, 3, 4])
    assert row["n"] == valid.sum()
    assert_allclose(row["share"], x[valid].isin([3, 4]).mean())
    assert_allclose(row["mean_score"], x[valid].mean())
    assert_allclose(row["dont_know_share"], (x == 9).mean())
    assert_allclose(row["missing_share"], x.isna().mean())
    # A domain inside the whole sample of N, as R's svymean on a subset computes it.
    p, n, big_n = row["share"], valid.sum(), len(responses)
    assert_allclose(row["se"], np.sqrt(big_n / (big_n - 1) * p * (1 - p) / n), rtol=1e-12)


def test_code_outside_valid_names_column_and_code(responses, population, items):
    bad = responses.copy()
    bad.loc[5, "inbrott"] = 7
    with pytest.raises(AnalysisError, match=r"'inbrott' has code 7"):
        rank_items(bad, population, items, n_boot=200)


def test_text_that_is_not_a_code_is_named(responses, items):
    bad = responses.astype({"klotter": object})
    bad.loc[3, "klotter"] = "mycket"
    with pytest.raises(AnalysisError, match="'mycket'"):
        rank_items(bad, None, items, n_boot=200)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "calibrate"}, "unknown method"),
    ({"group": "kommundel"}, "unknown column 'kommundel'"),
    ({"positive": (5,)}, "positive code 5"),
    ({"n_boot": 50}, "n_boot"),
    ({"min_n": 0}, "min_n"),
])
def test_bad_options_are_refused(responses, population, items, kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        rank_items(responses, population, items, **{"n_boot": 200, **kwargs})


def test_priority_share(responses, items):
    rng = np.random.default_rng(3)
    picks = [";".join(rng.choice(items, size=3, replace=False)) if rng.random() > 0.1 else ""
             for _ in range(len(responses))]
    data = responses.assign(priorities=picks)
    result = rank_items(data, None, items, priorities="priorities", n_boot=200)
    answered = [p for p in picks if p]
    expected = np.mean(["klotter" in p.split(";") for p in answered])
    got = result.overall().set_index("item").loc["klotter", "priority_share"]
    assert_allclose(got, expected)
    wrong = data.assign(priorities=["klotter;graffiti"] + picks[1:])
    with pytest.raises(AnalysisError, match="'graffiti'"):
        rank_items(wrong, None, items, priorities="priorities", n_boot=200)


def test_group_outside_weighting_matches_row_by_row_linearisation(responses, population,
                                                                  items):
    # Post-stratify on age only and report by gender: domains cut across post-strata.
    pop_age = population.groupby("age_band", as_index=False)["count"].sum()
    result = rank_items(responses, pop_age, items, group="gender", weight_by=("age_band",),
                        n_boot=200)
    age = responses["age_band"].to_numpy()
    n_h = pd.Series(age).value_counts()
    w = pop_age.set_index("age_band")["count"].reindex(age).to_numpy() / n_h[age].to_numpy()
    x = responses["belysning"].to_numpy()
    dom = (responses["gender"] == "man").to_numpy() & np.isin(x, [1, 2, 3, 4])
    y = (x >= 3).astype(float)
    total = (w * dom).sum()
    p = (w * dom * y).sum() / total
    v = dom * (y - p) / total
    e = w * (v - pd.Series(v).groupby(age).transform("mean").to_numpy())
    n = len(e)
    se = np.sqrt(n / (n - 1) * ((e - e.mean()) ** 2).sum())
    row = result.table.set_index(["group", "item"]).loc[("man", "belysning")]
    assert_allclose([row["share"], row["se"]], [p, se], rtol=1e-10)


def test_rao_scott_on_unweighted_data_is_close_to_pearson(responses, items):
    result = rank_items(responses, None, items, group="age_band", n_boot=200)
    diff = result.differences.set_index("item").loc["narkotikahandel"]
    x = responses["narkotikahandel"]
    valid = x.isin([1, 2, 3, 4])
    table = pd.crosstab(responses.loc[valid, "age_band"], x[valid].isin([3, 4]))
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert_allclose(diff["statistic"] * diff["df"], chi2, rtol=0.02)
    assert_allclose(diff["df"], dof, rtol=0.05)
    assert_allclose(diff["p_value"], p, rtol=0.25)
    assert diff["p_value"] < 1e-4


def test_differences_are_bh_adjusted(ranked):
    diff = ranked.differences
    assert_allclose(diff["p_adjusted"], stats.false_discovery_control(diff["p_value"]))
    assert (diff["significant"] == (diff["p_adjusted"] < 0.05)).all()


def test_benjamini_hochberg_against_scipy_and_nan():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.2, 0.005])
    got = benjamini_hochberg(p)
    ok = ~np.isnan(p)
    assert_allclose(got[ok], stats.false_discovery_control(p[ok]))
    assert np.isnan(got[3])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_benjamini_hochberg_against_scipy_with_ties_and_edges(seed):
    """Our step-up procedure against scipy's as an independent reference: ties, exact 0 and
    1, one p-value, and values whose scaled form exceeds 1."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(size=5).round(1), [0.0, 1.0, 0.9]])
    rng.shuffle(p)
    assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p), rtol=1e-15)
    assert_allclose(benjamini_hochberg(np.array([0.3])), [0.3])
    assert benjamini_hochberg(np.array([np.nan])).shape == (1,)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_average_ranks_against_scipy_rankdata(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 5, size=(6, 9)).astype(float)  # many ties
    scores[0] = 2.0  # one row all tied
    assert_array_equal(average_ranks(scores), stats.rankdata(scores, axis=1))
    assert_array_equal(average_ranks(scores[1]), stats.rankdata(scores[1]))
    with pytest.raises(ValueError, match="NaN"):
        average_ranks(np.array([1.0, np.nan]))


def test_kendalls_w_extremes_and_textbook_value():
    assert_allclose(kendalls_w(np.array([[1, 2, 3, 4], [10, 20, 30, 40]])), 1.0)
    assert_allclose(kendalls_w(np.array([[1, 2, 3, 4], [4, 3, 2, 1]])), 0.0)
    # Three judges, four objects: rank sums 4, 6, 8, 12 -> S = 35, W = 12*35/(9*60).
    ranks = np.array([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]])
    assert_allclose(kendalls_w(ranks), 12 * 35 / (9 * 60))


def test_kendall_w_uses_groups_with_estimates(ranked):
    assert ranked.kendall_w is not None and 0 <= ranked.kendall_w <= 1
    shown = ranked.table.loc[(ranked.table["group"] != "all") & ~ranked.table["suppressed"]]
    wide = shown.pivot(index="group", columns="item", values="share")
    assert_allclose(ranked.kendall_w, kendalls_w(-wide.to_numpy()))


def test_compare_rounds(responses, population, items, ranked):
    earlier = rank_items(responses, population, items, group="age_band", method="rake",
                         min_n=1, n_boot=200)
    change = compare_rounds(earlier, ranked)
    row = change.set_index(["group", "item"]).loc[("all", "klotter")]
    a = earlier.overall().set_index("item").loc["klotter"]
    b = ranked.overall().set_index("item").loc["klotter"]
    assert_allclose(row["change"], b["share"] - a["share"])
    # Newcombe's hybrid: from each round's own published interval.
    assert_allclose(row["ci_low"], row["change"] - np.hypot(b["share"] - b["ci_low"],
                                                           a["ci_high"] - a["share"]))
    assert_allclose(row["ci_high"], row["change"] + np.hypot(b["ci_high"] - b["share"],
                                                            a["share"] - a["ci_low"]))
    young = change.loc[change["group"] == "16-24"]
    assert young["suppressed"].all() and young["change"].isna().all()
    assert not young["significant"].any()
    # Significance is judged on Benjamini–Hochberg adjusted p-values, overall rows apart.
    overall = change.loc[change["group"] == "all"]
    assert_allclose(overall["p_adjusted"], benjamini_hochberg(overall["p_value"].to_numpy()))
    assert (change["p_adjusted"] >= change["p_value"]).where(change["p_value"].notna(),
                                                              True).all()
    assert (change["significant"] == (change["p_adjusted"] < 0.05)).all()


@pytest.mark.parametrize("method", ["poststratify", "rake"])
def test_columns_read_by_the_command_line_rank_as_the_data_frame_does(
        reference_dir, responses, population, items, method):
    """One implementation, two ways in: the CLI's pandas-free reading (text kept as codes in
    sorted order) and a data frame (codes in order of appearance) give the same table."""
    from analysis.cli import read_csv
    from analysis.population import read_population

    columns = read_csv(reference_dir / "public_responses.csv")
    pop = read_population(reference_dir / "public_population.csv", BY)
    via_columns = rank_items(columns, pop, items, group="age_band", weight_by=BY,
                             method=method, min_n=40, n_boot=400, seed=7)
    via_frame = rank_items(responses, population, items, group="age_band", weight_by=BY,
                           method=method, min_n=40, n_boot=400, seed=7)
    left, right = via_columns.table, via_frame.table
    assert_array_equal(left[["group", "item", "suppressed"]], right[["group", "item",
                                                                     "suppressed"]])
    numbers = [c for c in left.columns if c not in ("group", "item", "suppressed")]
    assert_allclose(left[numbers].to_numpy(dtype=float, na_value=np.nan),
                    right[numbers].to_numpy(dtype=float, na_value=np.nan),
                    rtol=1e-12, atol=1e-15)
    assert_allclose(via_columns.differences["p_value"], via_frame.differences["p_value"],
                    rtol=1e-10)
    assert [n.en for n in via_columns.notes] == [n.en for n in via_frame.notes]
