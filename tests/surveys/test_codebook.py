from surveys import (
    Survey,
    analysis_spec,
    codebook_rows,
    export_columns,
    flatten_answers,
)


def test_export_columns_follow_the_definition(sample: Survey) -> None:
    assert export_columns(sample) == [
        "alder", "kon", "har_bil", "antal", "avstand", "bilmarke", "bilfarg",
        "problem.klotter", "problem.inbrott", "problem.fortkorning",
        "utsatt", "utsatt_anmalt", "prioritera", "mer",
    ]


def test_flatten_answers(sample: Survey) -> None:
    row = flatten_answers(
        sample,
        {
            "alder": "45plus",
            "antal": 3,
            "avstand": 12.5,
            "problem.klotter": "9",
            "utsatt": ["vald", "hot"],
            "prioritera": ["fortkorning", "inbrott"],
            "mer": "Klotter; överallt",
        },
    )
    assert list(row) == export_columns(sample)
    assert row["alder"] == "45plus"
    assert row["antal"] == "3"
    assert row["avstand"] == "12.5"
    assert row["problem.klotter"] == "9"
    assert row["problem.inbrott"] == ""
    assert row["utsatt"] == "hot;vald"
    assert row["prioritera"] == "inbrott;fortkorning"
    assert row["kon"] == ""
    assert row["mer"] == "Klotter; överallt"


def test_whole_float_is_written_without_decimals(sample: Survey) -> None:
    assert flatten_answers(sample, {"avstand": 7.0})["avstand"] == "7"


def test_codebook_rows(sample: Survey) -> None:
    rows = codebook_rows(sample)
    by_column: dict[str, list[str]] = {}
    for row in rows:
        by_column.setdefault(row.column, []).append(row.code)
    assert list(by_column) == export_columns(sample)
    assert by_column["problem.klotter"] == ["1", "2", "3", "9"]
    assert by_column["utsatt"] == ["hot", "stold", "vald"]
    assert by_column["antal"] == [""]
    assert by_column["mer"] == [""]

    klotter_9 = next(r for r in rows if r.column == "problem.klotter" and r.code == "9")
    assert klotter_9.question == "problem"
    assert klotter_9.type == "likert_matrix"
    assert klotter_9.labels == {"sv": "Vet ej", "en": "Don't know"}
    assert klotter_9.column_labels == {"sv": "Klotter", "en": "Graffiti"}
    free = next(r for r in rows if r.column == "mer")
    assert free.labels == {"sv": "Berätta mer", "en": "Tell us more"}


def test_analysis_spec(sample: Survey) -> None:
    spec = analysis_spec(sample)
    assert spec.matrix_questions == ("problem",)
    assert spec.item_columns == ("problem.klotter", "problem.inbrott", "problem.fortkorning")
    assert spec.item_codes == ("klotter", "inbrott", "fortkorning")
    assert spec.item_labels["problem.inbrott"] == {"sv": "Inbrott", "en": "Burglary"}
    assert spec.valid_codes == ("1", "2", "3")
    assert spec.positive_codes == ("3",)
    assert spec.dont_know_codes == ("9",)
    assert spec.scores == {"1": 1.0, "2": 2.0, "3": 3.0}
    assert spec.priorities_column == "prioritera"
    assert spec.priorities_max == 2
    assert spec.age_band_column == "alder"
    assert spec.gender_column == "kon"
    assert spec.area_column is None
    assert spec.role_codes == {"age_band": ("16-44", "45plus"), "gender": ("kvinna", "man")}


def test_analysis_spec_without_a_ranking_matrix(survey_with_chain: Survey) -> None:
    spec = analysis_spec(survey_with_chain)
    assert spec.matrix_questions == ()
    assert spec.item_columns == ()
    assert spec.priorities_column is None
    assert spec.positive_codes == ()
