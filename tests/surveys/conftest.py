import copy
from pathlib import Path
from typing import Any

import pytest

from surveys import Survey, load_definition, parse_definition, survey_to_dict

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


CHAIN = """\
slug: kedja
title: {sv: Kedja}
languages: [sv]
default_language: sv
intro: {responsible: {sv: K}, purpose: {sv: K}, anonymity: {sv: K}, retention: {sv: K},
        voluntary: {sv: K}}
pages:
  - id: ett
    title: {sv: Ett}
    questions:
      - id: a
        type: single_choice
        text: {sv: A}
        options: [{code: ja, label: {sv: Ja}}, {code: nej, label: {sv: Nej}}]
  - id: tva
    title: {sv: Två}
    questions:
      - id: b
        type: single_choice
        show_if: {question: a, equals: ja}
        text: {sv: B}
        options: [{code: ja, label: {sv: Ja}}, {code: nej, label: {sv: Nej}}]
      - id: c
        type: free_text
        show_if: {question: b, equals: ja}
        text: {sv: C}
"""


@pytest.fixture(scope="session")
def survey_with_chain() -> Survey:
    """c depends on b, which depends on a: hiding b must hide c as well."""
    return parse_definition(CHAIN)
