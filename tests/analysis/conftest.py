"""Fixtures for the analysis tests: R's reference data from the shared fixtures folder."""

import json
from pathlib import Path

import pandas as pd
import pytest

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
