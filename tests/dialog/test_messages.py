"""Every answer-error code becomes a readable sentence in the page's language."""

import pytest

from dialog.answering.messages import error_message
from surveys import ERROR_CODES, FieldError

PARAMS = {
    "too_many": {"max": 3},
    "too_long": {"max": 2000, "length": 2105},
    "out_of_range": {"min": 0, "max": 120},
}


@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_code_has_a_message(app, code):
    with app.test_request_context("/sv/"):
        message = error_message(FieldError(code, PARAMS.get(code, {})))
    assert message and "%(" not in message


@pytest.mark.parametrize("params", [{"min": 5}, {"max": 9}, {"min": 1, "max": 2}])
def test_out_of_range_with_one_or_two_bounds(app, params):
    with app.test_request_context("/en/"):
        message = error_message(FieldError("out_of_range", params))
    for value in params.values():
        assert str(value) in message


def test_too_many_uses_the_number(app):
    with app.test_request_context("/en/"):
        assert "3" in error_message(FieldError("too_many", {"max": 3}))
