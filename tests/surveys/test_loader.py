from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys import DefinitionError, Problem, parse_definition, survey_from_dict


def problems(data: Any) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        survey_from_dict(data)
    return [str(p) for p in info.value.problems]


def yaml_problems(text: str) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        parse_definition(text)
    return info.value.problems


def question(data: dict[str, Any], page: int, index: int) -> dict[str, Any]:
    return data["pages"][page]["questions"][index]


def test_sample_loads(sample_path: Path) -> None:
    survey = parse_definition(sample_path.read_text(encoding="utf-8"))
    assert survey.slug == "prov"
    assert [p.id for p in survey.pages] == ["bakgrund", "bil", "problem", "prioritet"]
    assert survey.review == {"en": "machine"}


def test_yaml_integers_become_string_codes(sample_path: Path) -> None:
    survey = parse_definition(sample_path.read_text(encoding="utf-8"))
    scale = survey.scales["problem"]
    assert [o.code for o in scale.options] == ["1", "2", "3", "9"]
    assert scale.positive == ("3",)
    assert scale.dont_know_codes == ("9",)
    assert scale.options[0].score == 1.0


def test_yes_and_no_stay_text_in_labels_codes_and_languages() -> None:
    text = Path(__file__).parent.joinpath("data", "sample.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "{code: ja, label: {sv: Ja, en: 'Yes'}}", "{code: yes, label: {sv: Ja, en: Yes}}"
    )
    survey = parse_definition(text.replace("show_if: {question: har_bil, equals: ja}",
                                           "show_if: {question: har_bil, equals: yes}"))
    option = survey.question("har_bil").options[0]
    assert option.code == "yes"
    assert option.label == {"sv": "Ja", "en": "Yes"}
    assert survey.question("bilfarg").show_if.equals == "yes"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("slug"), "missing required key 'slug'"),
        (lambda d: d.update(colour="red"), "unknown key 'colour'"),
        (lambda d: question(d, 0, 0).update(requried=True),
         "pages[0].questions[0]: unknown key 'requried' (did you mean 'required'?)"),
        (lambda d: question(d, 0, 0).update(type="dropdown"),
         "pages[0].questions[0].type: unknown question type 'dropdown'"),
        (lambda d: question(d, 2, 0).update(scale="x"),
         "pages[2].questions[0].scale: unknown scale 'x'"),
        (lambda d: question(d, 0, 1).update(id="alder"),
         "pages[0].questions[1].id: duplicate question id 'alder' (first used at "
         "pages[0].questions[0])"),
        (lambda d: d["pages"][1].update(id="bakgrund"),
         "pages[1].id: duplicate page id 'bakgrund'"),
        (lambda d: question(d, 0, 1)["options"][1].update(code="kvinna"),
         "pages[0].questions[1].options[1].code: duplicate option code 'kvinna'"),
        (lambda d: question(d, 2, 0)["items"][2].update(code="klotter"),
         "pages[2].questions[0].items[2].code: duplicate item code 'klotter'"),
        (lambda d: question(d, 0, 1)["options"][0].update(code="Kvinna Nu"),
         "pages[0].questions[1].options[0].code: code 'Kvinna Nu' is not a short slug"),
        (lambda d: question(d, 0, 1).update(role="age_band"),
         "pages[0].questions[1].role: role 'age_band' is already used at pages[0].questions[0]"),
        (lambda d: question(d, 0, 1).update(role="income"),
         "pages[0].questions[1].role: unknown role 'income'"),
        (lambda d: question(d, 2, 1).update(max_selections=4),
         "pages[2].questions[1].max_selections: max_selections (4) is more than the number "
         "of options (3)"),
        (lambda d: question(d, 2, 1).update(max_selections=0),
         "pages[2].questions[1].max_selections: max_selections must be at least 1"),
        (lambda d: question(d, 3, 0).pop("max_selections"),
         "pages[3].questions[0]: a pick_top question needs 'max_selections'"),
        (lambda d: question(d, 0, 3).update(min=20),
         "pages[0].questions[3].min: min (20) is greater than max (10)"),
        (lambda d: d.update(default_language="fi"),
         "default_language: 'fi' is not one of the languages (sv, en)"),
        (lambda d: question(d, 0, 0)["text"].pop("en"),
         "pages[0].questions[0].text: missing translation for 'en'"),
        (lambda d: question(d, 0, 0)["text"].update(de="Alter"),
         "pages[0].questions[0].text: language 'de' is not one of the survey languages"),
        (lambda d: question(d, 0, 0)["text"].update(sv="  "),
         "pages[0].questions[0].text: the 'sv' text is empty"),
        (lambda d: question(d, 1, 0)["show_if"].update(question="bilfarg"),
         "pages[1].questions[0].show_if.question: show_if refers to 'bilfarg', which does not "
         "come earlier"),
        (lambda d: question(d, 1, 0)["show_if"].update(question="nope"),
         "pages[1].questions[0].show_if.question: show_if refers to 'nope', which is not a "
         "question of this survey"),
        (lambda d: question(d, 1, 0)["show_if"].update(equals="kanske"),
         "pages[1].questions[0].show_if: 'kanske' is not a code of 'har_bil'"),
        (lambda d: question(d, 1, 0)["show_if"].update(answered=True),
         "pages[1].questions[0].show_if: needs exactly one of 'equals', 'in' or 'answered'"),
        (lambda d: question(d, 3, 1)["show_if"].update(question="problem"),
         "pages[3].questions[1].show_if.question: 'problem' is a matrix: name one of its items"),
        (lambda d: question(d, 0, 3).update(options=[]),
         "pages[0].questions[3]: 'options' is not used by number questions"),
        (lambda d: question(d, 0, 0).update(required="yes"),
         "pages[0].questions[0].required: expected true or false, got text"),
        (lambda d: d["scales"]["problem"].update(positive=["9"]),
         "scales.problem.positive[0]: '9' is a don't-know option and cannot be positive"),
        (lambda d: d["pages"][1].update(questions=[]),
         "pages[1].questions: needs at least one of questions"),
        (lambda d: d["intro"].pop("retention"), "intro: missing required key 'retention'"),
        (lambda d: d["review"].update(en="robot"),
         "review.en: expected one of machine, human, got 'robot'"),
    ],
)
def test_malformed_definition_names_the_problem(
    sample_data: dict[str, Any], change: Any, expected: str
) -> None:
    change(sample_data)
    found = problems(sample_data)
    assert any(p.startswith(expected) for p in found), found


def test_all_problems_are_collected(sample_data: dict[str, Any]) -> None:
    sample_data.pop("slug")
    question(sample_data, 0, 0)["text"].pop("en")
    question(sample_data, 2, 0)["scale"] = "x"
    question(sample_data, 3, 0)["max_selections"] = 9
    found = problems(sample_data)
    assert len(found) == 4, found
    assert found == [
        "missing required key 'slug'",
        "pages[0].questions[0].text: missing translation for 'en'",
        "pages[2].questions[0].scale: unknown scale 'x'",
        "pages[3].questions[0].max_selections: max_selections (9) is more than the number of "
        "options (3)",
    ]


BROKEN = """\
slug: Fel Slug
title: {sv: Prov}
languages: [sv, en]
default_language: sv
intro:
  responsible: {sv: K, en: M}
  purpose: {sv: K, en: M}
  anonymity: {sv: K, en: M}
  retention: {sv: K, en: M}
  voluntary: {sv: K, en: M}
pages:
  - id: p1
    title: {sv: Sida, en: Page}
    questions:
      - id: q1
        type: single_choice
        text: {sv: Fråga, en: Question}
        options:
          - {code: 1, label: {sv: Ett, en: One}}
          - {code: 1, label: {sv: Två, en: Two}}
      - id: q2
        type: likert_matrix
        scale: x
        text: {sv: Fråga, en: Question}
        items:
          - {code: a, label: {sv: A, en: A}}
"""


def test_problems_carry_yaml_line_numbers() -> None:
    found = yaml_problems(BROKEN)
    assert [(p.location, p.line) for p in found] == [
        ("slug", 1),
        ("title", 2),
        ("pages[0].questions[0].options[1].code", 20),
        ("pages[0].questions[1].scale", 23),
    ]
    message = str(DefinitionError(found))
    assert message.splitlines()[3] == "pages[0].questions[1].scale: unknown scale 'x' (line 23)"
    assert "missing translation for 'en' (line 2)" in message.splitlines()[1]


def test_duplicate_yaml_key_is_reported_with_its_line() -> None:
    text = BROKEN.replace("slug: Fel Slug\n", "slug: prov\nslug: prov2\n")
    found = yaml_problems(text)
    assert found[0] == Problem("", "duplicate key 'slug'", 2)


def test_unknown_key_points_at_the_key_line() -> None:
    text = BROKEN.replace("        type: likert_matrix\n",
                          "        type: likert_matrix\n        colour: red\n")
    found = yaml_problems(text)
    assert Problem("pages[0].questions[1]", "unknown key 'colour'", 23) in found


def test_yaml_syntax_error_reports_line() -> None:
    found = yaml_problems("slug: prov\ntitle: {sv: Hej, en: Hello\nlanguages: [sv]\n")
    assert len(found) == 1
    assert found[0].message.startswith("YAML syntax error")
    assert found[0].line == 3


def test_tab_indentation_is_a_syntax_error() -> None:
    found = yaml_problems("slug: prov\npages:\n\t- id: a\n")
    assert found[0].message.startswith("YAML syntax error")
    assert found[0].line == 3


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_definition(text: str) -> None:
    assert [p.message for p in yaml_problems(text)] == ["the definition is empty"]


def test_top_level_must_be_a_mapping() -> None:
    found = yaml_problems("- a\n- b\n")
    assert found == [Problem("", "expected a mapping, got a list", 1)]


def test_python_tags_are_refused() -> None:
    found = yaml_problems("slug: !!python/object:os.system {}\n")
    assert found[0].message.startswith("YAML syntax error")


def test_error_is_a_value_error_with_source(tmp_path: Path) -> None:
    from surveys import load_definition

    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown scale 'x'") as info:
        load_definition(path)
    assert info.value.source == str(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    from surveys import load_definition

    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: {sv: Söderhamn}".encode("latin-1"))
    with pytest.raises(DefinitionError, match="not UTF-8"):
        load_definition(path)


def test_definition_round_trips_through_plain_yaml(sample_data: dict[str, Any]) -> None:
    text = yaml.safe_dump(sample_data, allow_unicode=True)
    assert parse_definition(text) == survey_from_dict(sample_data)


def test_flow_style_pitfall_gets_a_hint() -> None:
    found = yaml_problems("slug: prov\ntitle: {sv: Hej, hur mår du?, en: Hi}\n")
    assert "put text that contains a comma, '?' or ': ' in quotes" in found[0].message
    assert found[0].line == 2


def test_loader_docstring_example_is_a_valid_definition() -> None:
    import textwrap

    from surveys import loader

    example = textwrap.dedent(loader.__doc__.split("::\n\n", 1)[1])
    survey = parse_definition(example)
    assert survey.question("omrade").role == "area"
    assert survey.scales["problem"].positive == ("1",)
