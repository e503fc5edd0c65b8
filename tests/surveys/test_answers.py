import pytest

from surveys import FieldError, Survey, unexpected_fields, validate_page

BACKGROUND, CAR, PROBLEM, PRIORITY = 0, 1, 2, 3


def test_valid_background_page(sample: Survey) -> None:
    result = validate_page(
        sample,
        BACKGROUND,
        {"alder": [" 16-44 "], "kon": [""], "har_bil": ["ja"], "antal": ["3"],
         "avstand": ["12,5"]},
        {},
    )
    assert result.errors == {}
    assert result.ok
    assert result.answers == {"alder": "16-44", "har_bil": "ja", "antal": 3, "avstand": 12.5}
    assert isinstance(result.answers["antal"], int)


def test_required_single_choice(sample: Survey) -> None:
    result = validate_page(sample, BACKGROUND, {"alder": ["  "]}, {})
    assert result.errors == {"alder": FieldError("required", {})}
    assert result.answers == {}


def test_invalid_choice(sample: Survey) -> None:
    result = validate_page(sample, BACKGROUND, {"alder": ["99"]}, {})
    assert result.errors == {"alder": FieldError("invalid_choice", {"value": "99"})}


def test_two_values_for_a_single_choice(sample: Survey) -> None:
    result = validate_page(sample, BACKGROUND, {"alder": ["16-44", "45plus"]}, {})
    assert result.errors == {"alder": FieldError("too_many", {"max": 1})}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("antal", "tre", FieldError("not_a_number", {"value": "tre"})),
        ("antal", "1e3", FieldError("not_a_number", {"value": "1e3"})),
        ("antal", "2,5", FieldError("not_an_integer", {"value": "2,5"})),
        ("antal", "11", FieldError("out_of_range", {"min": 0, "max": 10})),
        ("antal", "-1", FieldError("out_of_range", {"min": 0, "max": 10})),
        ("avstand", "0,4", FieldError("out_of_range", {"min": 0.5, "max": 100})),
        ("avstand", "nan", FieldError("not_a_number", {"value": "nan"})),
    ],
)
def test_number_errors(sample: Survey, field: str, value: str, expected: FieldError) -> None:
    result = validate_page(sample, BACKGROUND, {"alder": ["16-44"], field: [value]}, {})
    assert result.errors == {field: expected}
    assert field not in result.answers


@pytest.mark.parametrize(("value", "expected"), [("2,0", 2), ("+4", 4), ("10", 10)])
def test_whole_numbers_are_integers(sample: Survey, value: str, expected: int) -> None:
    result = validate_page(sample, BACKGROUND, {"alder": ["16-44"], "antal": [value]}, {})
    assert result.answers["antal"] == expected
    assert isinstance(result.answers["antal"], int)


def test_decimal_number_accepts_point_and_comma(sample: Survey) -> None:
    for text in ("7.25", "7,25"):
        result = validate_page(sample, BACKGROUND, {"alder": ["16-44"], "avstand": [text]}, {})
        assert result.answers["avstand"] == pytest.approx(7.25)


def test_free_text_length_counts_characters(sample: Survey) -> None:
    previous = {"har_bil": "ja"}
    ok = validate_page(sample, CAR, {"bilmarke": ["Škoda Åäö "], "bilfarg": ["rod"]}, previous)
    assert ok.answers == {"bilmarke": "Škoda Åäö", "bilfarg": "rod"}
    long = validate_page(sample, CAR, {"bilmarke": ["Å" * 11], "bilfarg": ["rod"]}, previous)
    assert long.errors == {"bilmarke": FieldError("too_long", {"max": 10, "length": 11})}


def test_crlf_counts_as_one_character(sample: Survey) -> None:
    result = validate_page(
        sample, CAR, {"bilmarke": ["ab\r\ncd\r\nef"], "bilfarg": ["bla"]}, {"har_bil": "ja"}
    )
    assert result.answers["bilmarke"] == "ab\ncd\nef"


def test_hidden_required_question_is_not_validated(sample: Survey) -> None:
    result = validate_page(sample, CAR, {"bilmarke": ["Volvo"]}, {"har_bil": "nej"})
    assert result.errors == {}
    assert result.answers == {}


def test_visible_required_question_is_validated(sample: Survey) -> None:
    result = validate_page(sample, CAR, {}, {"har_bil": "ja"})
    assert result.errors == {"bilfarg": FieldError("required", {})}


def test_required_matrix_needs_every_item(sample: Survey) -> None:
    result = validate_page(sample, PROBLEM, {"problem.klotter": ["3"]}, {})
    assert result.errors == {
        "problem.inbrott": FieldError("required", {}),
        "problem.fortkorning": FieldError("required", {}),
    }
    assert result.answers == {"problem.klotter": "3"}


def test_matrix_rejects_codes_outside_the_scale(sample: Survey) -> None:
    form = {"problem.klotter": ["5"], "problem.inbrott": ["9"], "problem.fortkorning": ["1"]}
    result = validate_page(sample, PROBLEM, form, {})
    assert result.errors == {"problem.klotter": FieldError("invalid_choice", {"value": "5"})}
    assert result.answers == {"problem.inbrott": "9", "problem.fortkorning": "1"}


MATRIX_OK = {"problem.klotter": ["1"], "problem.inbrott": ["2"], "problem.fortkorning": ["3"]}


def test_multiple_choice_keeps_definition_order_and_drops_duplicates(sample: Survey) -> None:
    form = {**MATRIX_OK, "utsatt": ["vald", "hot", "vald"]}
    result = validate_page(sample, PROBLEM, form, {})
    assert result.answers["utsatt"] == ["hot", "vald"]


def test_multiple_choice_limits(sample: Survey) -> None:
    too_many = validate_page(sample, PROBLEM, {**MATRIX_OK, "utsatt": ["vald", "hot", "stold"]},
                             {})
    assert too_many.errors == {"utsatt": FieldError("too_many", {"max": 2})}
    invalid = validate_page(sample, PROBLEM, {**MATRIX_OK, "utsatt": ["hot", "rån"]}, {})
    assert invalid.errors == {"utsatt": FieldError("invalid_choice", {"value": "rån"})}


def test_follow_up_on_same_page_uses_this_pages_answers(sample: Survey) -> None:
    shown = validate_page(sample, PROBLEM, {**MATRIX_OK, "utsatt": ["hot"],
                                            "utsatt_anmalt": ["ja"]}, {})
    assert shown.answers["utsatt_anmalt"] == "ja"
    hidden = validate_page(sample, PROBLEM, {**MATRIX_OK, "utsatt": ["stold"],
                                             "utsatt_anmalt": ["ja"]}, {})
    assert "utsatt_anmalt" not in hidden.answers


def test_earlier_answers_to_the_same_page_do_not_count(sample: Survey) -> None:
    previous = {"utsatt": ["hot"], "utsatt_anmalt": "ja"}
    result = validate_page(sample, PROBLEM, {**MATRIX_OK, "utsatt_anmalt": ["ja"]}, previous)
    assert "utsatt_anmalt" not in result.answers
    assert "utsatt" not in result.answers


def test_pick_top(sample: Survey) -> None:
    ok = validate_page(sample, PRIORITY, {"prioritera": ["fortkorning", "inbrott"]}, {})
    assert ok.answers == {"prioritera": ["inbrott", "fortkorning"]}
    too_many = validate_page(sample, PRIORITY,
                             {"prioritera": ["fortkorning", "inbrott", "klotter"]}, {})
    assert too_many.errors == {"prioritera": FieldError("too_many", {"max": 2})}
    missing = validate_page(sample, PRIORITY, {"prioritera": []}, {})
    assert missing.errors == {"prioritera": FieldError("required", {})}


def test_unexpected_fields(sample: Survey) -> None:
    keys = ["alder", "kon", "bilfarg", "problem.klotter", "alder.x", "antal"]
    assert unexpected_fields(sample, BACKGROUND, keys) == ["bilfarg", "problem.klotter",
                                                           "alder.x"]
    assert unexpected_fields(sample, PROBLEM, ["problem.klotter", "utsatt_anmalt"]) == []
    assert unexpected_fields(sample, PROBLEM, ["problem"]) == ["problem"]


def test_out_of_range_names_only_existing_bounds(sample: Survey) -> None:
    import dataclasses

    page = sample.pages[BACKGROUND]
    only_min = dataclasses.replace(page.questions[3], max_value=None)
    changed = dataclasses.replace(
        sample,
        pages=(dataclasses.replace(page, questions=(page.questions[0], only_min)),
               *sample.pages[1:]),
    )
    result = validate_page(changed, BACKGROUND, {"alder": ["16-44"], "antal": ["-2"]}, {})
    assert result.errors == {"antal": FieldError("out_of_range", {"min": 0})}
    assert validate_page(changed, BACKGROUND, {"alder": ["16-44"], "antal": ["500"]},
                         {}).answers["antal"] == 500
