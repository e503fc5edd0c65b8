import copy
from pathlib import Path
from typing import Any

import pytest

from surveys import Survey, load_definition, survey_to_dict

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return DATA / "sample.yaml"


@pytest.fixture(scope="session")
def _sample(sample_path: Path) -> Survey:
    return load_definition(sample_path)


@pytest.fixture
def sample(_sample: Survey) -> Survey:
    return _sample


@pytest.fixture
def sample_data(_sample: Survey) -> dict[str, Any]:
    """A fresh, mutable dict of the sample definition for building broken variants."""
    return copy.deepcopy(survey_to_dict(_sample))
