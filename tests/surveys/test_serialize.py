import dataclasses
import json

import pytest

from surveys import (
    DefinitionError,
    Survey,
    definition_fingerprint,
    dump_definition,
    load_builtin_template,
    parse_definition,
    survey_from_dict,
    survey_to_dict,
)


@pytest.fixture(params=["sample", "template"])
def survey(request: pytest.FixtureRequest, sample: Survey) -> Survey:
    return sample if request.param == "sample" else load_builtin_template()


def test_dict_round_trip_is_equal(survey: Survey) -> None:
    data = survey_to_dict(survey)
    assert survey_from_dict(json.loads(json.dumps(data))) == survey


def test_yaml_dump_loads_back_equal(survey: Survey) -> None:
    assert parse_definition(dump_definition(survey)) == survey


def test_dump_keeps_codes_as_text(sample: Survey) -> None:
    text = dump_definition(sample)
    assert "code: '1'" in text
    assert "Ålder" in text


def test_scale_is_written_as_a_reference(sample: Survey) -> None:
    data = survey_to_dict(sample)
    matrix = data["pages"][2]["questions"][0]
    assert matrix["scale"] == "problem"
    assert "options" not in matrix
    assert data["scales"]["problem"]["positive"] == ["3"]


def test_single_choice_on_a_scale_round_trips() -> None:
    survey = load_builtin_template()
    question = survey.question("polisen_bryr_sig")
    assert question.scale is not None and question.scale.id == "instammer"
    assert [o.code for o in question.options] == ["1", "2", "3", "4", "9"]
    data = survey_to_dict(survey)
    assert data["pages"][4]["questions"][1]["scale"] == "instammer"


def test_from_dict_validates() -> None:
    with pytest.raises(DefinitionError) as info:
        survey_from_dict({"slug": "x"})
    messages = [p.message for p in info.value.problems]
    assert "missing required key 'pages'" in messages
    assert all(p.line is None for p in info.value.problems)


def test_fingerprint_is_stable_and_changes_with_text(sample: Survey) -> None:
    first = definition_fingerprint(sample)
    assert len(first) == 64 and int(first, 16) >= 0
    assert definition_fingerprint(parse_definition(dump_definition(sample))) == first

    page = sample.pages[0]
    question = page.questions[0]
    changed_question = dataclasses.replace(question, text={**question.text, "sv": "Din ålder"})
    changed_page = dataclasses.replace(page, questions=(changed_question, *page.questions[1:]))
    changed = dataclasses.replace(sample, pages=(changed_page, *sample.pages[1:]))
    assert definition_fingerprint(changed) != first


def test_fingerprint_ignores_key_order_of_texts(sample: Survey) -> None:
    reordered = dataclasses.replace(sample, title=dict(reversed(list(sample.title.items()))))
    assert list(reordered.title) != list(sample.title)
    assert definition_fingerprint(reordered) == definition_fingerprint(sample)


def test_conflicting_scales_with_one_id_are_refused(sample: Survey) -> None:
    page = sample.pages[2]
    matrix = page.questions[0]
    other = dataclasses.replace(matrix.scale, positive=("2", "3"))
    changed_page = dataclasses.replace(
        page, questions=(dataclasses.replace(matrix, scale=other), *page.questions[1:])
    )
    changed = dataclasses.replace(
        sample, pages=(*sample.pages[:2], changed_page, *sample.pages[3:])
    )
    with pytest.raises(ValueError, match="two different scales share the id 'problem'"):
        survey_to_dict(changed)
