"""Broken definitions of any shape must end in DefinitionError, never in another exception."""

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import DefinitionError, Survey, survey_from_dict, survey_to_dict

# Values a hand-edited or imported definition may hold where something else belongs.
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False)
    | st.sampled_from(["", "x", "Fel Kod", "sv"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "sv", "code"]), inner, max_size=2),
    max_leaves=4,
)


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


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_corruptions_give_definition_errors(_sample: Survey, data: st.DataObject) -> None:
    base = survey_to_dict(_sample)
    corrupted = copy.deepcopy(base)
    paths = st.sampled_from(_paths(base))
    for _ in range(data.draw(st.integers(1, 3))):
        try:
            corrupted = _replace(corrupted, data.draw(paths), data.draw(JUNK))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed the path
    try:
        survey_from_dict(corrupted)
    except DefinitionError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)
