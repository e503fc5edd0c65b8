import pytest

from surveys import (
    FieldError,
    Survey,
    analysis_spec,
    builtin_template_names,
    builtin_template_path,
    load_builtin_template,
    next_page_index,
    validate_page,
)
from surveys.definition import INTRO_FIELDS


@pytest.fixture(scope="module")
def template() -> Survey:
    return load_builtin_template("trygghet")


def test_template_is_listed_and_found() -> None:
    assert "trygghet" in builtin_template_names()
    assert builtin_template_path().name == "trygghet.yaml"
    with pytest.raises(KeyError):
        builtin_template_path("finns_inte")


def test_template_basics(template: Survey) -> None:
    assert template.slug == "trygghet"
    assert template.languages == ("sv", "en", "ar", "fa", "so", "ti", "uk", "fi")
    assert template.default_language == "sv"
    # Every translation stays marked until a human translator has checked it.
    assert template.review == {lang: "machine" for lang in template.languages if lang != "sv"}
    assert set(template.intro) == set(INTRO_FIELDS)
    assert "Söderhamns kommun" in template.intro["responsible"]["sv"]
    assert "IP" in template.intro["anonymity"]["sv"]
    assert "medborgarlöfte" in template.thanks["sv"]
    assert 5 <= len(template.pages) <= 7


def test_problem_matrix(template: Survey) -> None:
    matrix = template.question("problem")
    assert matrix.text["sv"] == "Hur stort problem är följande där du bor?"
    assert len(matrix.items) >= 16
    for item in matrix.items:
        assert item.label["sv"] and item.label["en"]
    codes = {i.code for i in matrix.items}
    assert {"nedskrapning", "klotter", "skadegorelse", "belysning", "fortkorning", "buskorning",
            "ungdomar_stor", "berusade", "narkotikahandel", "narkotika_offentligt",
            "brak_slagsmal", "inbrott", "stolder", "ungdomskriminalitet", "antastning",
            "bedragerier_aldre"} <= codes
    scale = matrix.scale
    assert [o.code for o in scale.options] == ["1", "2", "3", "4", "9"]
    assert scale.positive == ("3", "4")
    assert scale.dont_know_codes == ("9",)


def test_background_questions(template: Survey) -> None:
    age = template.question_with_role("age_band")
    assert [o.code for o in age.options] == ["13-15", "16-24", "25-44", "45-64", "65-79",
                                             "80plus"]
    gender = template.question_with_role("gender")
    assert [o.code for o in gender.options] == ["kvinna", "man", "annat", "vill_inte_svara"]
    area = template.question_with_role("area")
    assert {"sandarne", "ljusne", "vallvik", "bergvik", "trono"} <= {o.code for o in area.options}


def test_out_late_question_follows_ntu(template: Survey) -> None:
    question = template.question("ut_sent")
    labels = [o.label["sv"] for o in question.options]
    assert labels == ["Mycket trygg", "Ganska trygg", "Ganska otrygg", "Mycket otrygg",
                      "Går aldrig ut ensam sent", "Vet ej"]


def test_priorities_are_the_matrix_items(template: Survey) -> None:
    spec = analysis_spec(template)
    assert spec.priorities_column == "prioritera"
    assert spec.priorities_max == 3
    priorities = template.question("prioritera")
    assert [o.code for o in priorities.options] == list(spec.item_codes)
    assert spec.age_band_column == "alder"
    assert spec.area_column == "omrade"


def test_victimisation_and_trust(template: Survey) -> None:
    exposed = template.question("utsatt")
    assert exposed.type == "multiple_choice"
    assert exposed.options[-1].label["sv"] == "Inget av detta"
    trust = template.question("polisen_bryr_sig")
    assert "Polisen bryr sig om de lokala problemen" in trust.text["sv"]
    assert trust.options[0].label["sv"] == "Instämmer helt"
    assert trust.options[-1].dont_know


def test_open_questions(template: Survey) -> None:
    for question_id in ("tryggare", "otrygga_platser"):
        question = template.question(question_id)
        assert question.type == "free_text"
        assert question.max_length == 2000


def test_avoidance_follow_up_page_flow(template: Survey) -> None:
    page = [p.id for p in template.pages].index("trygghet")
    follow_up = template.question("undviker_vad")
    assert follow_up.show_if.question == "undviker"
    form = {"ut_sent": ["ganska_otrygg"], "undviker": ["ja_ofta"]}
    answers = validate_page(template, page, form, {"alder": "65-79"}).answers
    assert answers == {"ut_sent": "ganska_otrygg", "undviker": "ja_ofta"}
    places = validate_page(template, page + 1, {"undviker_vad": ["kvall", "parker"]}, answers)
    assert places.answers == {"undviker_vad": ["parker", "kvall"]}
    hidden = validate_page(template, page + 1, {"undviker_vad": ["kvall"]}, {"undviker": "nej"})
    assert hidden.answers == {}
    assert next_page_index(template, page, answers) == page + 1


def test_age_is_required(template: Survey) -> None:
    result = validate_page(template, 0, {}, {})
    assert result.errors == {"alder": FieldError("required")}
