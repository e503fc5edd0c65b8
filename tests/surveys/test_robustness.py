"""Broken definitions of any shape must end in DefinitionError, never in another exception."""

import copy
from typing import Any

import numpy as np
import pytest

from surveys import DefinitionError, Survey, survey_from_dict, survey_to_dict

JUNK: list[Any] = [None, True, 0, -3, 2.5, "", "x", "Fel Kod", [], [1, None], {}, {"a": 1},
                   {"sv": None}, [[["deep"]]]]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize("seed", range(4))
def test_random_corruptions_give_definition_errors(sample: Survey, seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = survey_to_dict(sample)
    paths = _paths(base)
    failures = 0
    for _ in range(150):
        data = copy.deepcopy(base)
        for _ in range(int(rng.integers(1, 4))):
            path = paths[int(rng.integers(len(paths)))]
            try:
                data = _replace(data, path, copy.deepcopy(JUNK[int(rng.integers(len(JUNK)))]))
            except (KeyError, IndexError, TypeError):
                continue
        try:
            survey_from_dict(data)
        except DefinitionError as exc:
            failures += 1
            assert exc.problems
            assert all(p.message for p in exc.problems)
    assert failures > 100
