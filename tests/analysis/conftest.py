"""Fixtures for the analysis tests: R's reference data from the shared fixtures folder."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import rank_items

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT.parent / "shared" / "fixtures" / "survey-reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def responses() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "public_responses.csv")


@pytest.fixture(scope="session")
def population() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "public_population.csv")


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((REFERENCE / "public_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def items(responses: pd.DataFrame) -> list[str]:
    return [c for c in responses.columns if c not in ("age_band", "gender")]


# The audit case shared by the disclosure and workbook tests.
MIN_N = 10
BY = ("age_band", "gender")


@pytest.fixture(scope="module")
def survey(responses: pd.DataFrame) -> pd.DataFrame:
    """The reference answers with a 7-person 16–24 group (as in the audit), areas with a
    4-person area and 3 people who gave no area."""
    rng = np.random.default_rng(20261201)
    young = responses.loc[responses["age_band"] == "16-24"]
    keep = young.index[:7]
    data = pd.concat([responses.loc[responses["age_band"] != "16-24"], young.loc[keep]])
    data = data.sample(frac=1, random_state=1).reset_index(drop=True)
    area = rng.choice(["norr", "syd", "öst"], size=len(data), p=[0.4, 0.35, 0.25]).astype(object)
    area[:4] = "mo"
    area[4:7] = None
    return data.assign(area=area)


def run_ranking(data: pd.DataFrame, population: pd.DataFrame, items: list[str], group: str):
    return rank_items(data, population, items, group=group, weight_by=BY, min_n=MIN_N,
                      n_boot=200)


@pytest.fixture(scope="module")
def by_age(survey, population, items):
    return run_ranking(survey, population, items, "age_band")


@pytest.fixture(scope="module")
def by_area(survey, population, items):
    return run_ranking(survey, population, items, "area")
