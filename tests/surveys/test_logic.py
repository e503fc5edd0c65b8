from surveys import (
    Survey,
    is_visible,
    next_page_index,
    previous_page_index,
    prune_hidden,
    visible_questions,
)


def test_question_without_condition_is_visible(sample: Survey) -> None:
    assert is_visible(sample.question("alder"), {})


def test_equals_condition(sample: Survey) -> None:
    question = sample.question("bilfarg")
    assert is_visible(question, {"har_bil": "ja"})
    assert not is_visible(question, {"har_bil": "nej"})
    assert not is_visible(question, {})


def test_in_condition_on_a_multiple_choice_answer(sample: Survey) -> None:
    question = sample.question("utsatt_anmalt")
    assert is_visible(question, {"utsatt": ["stold", "vald"]})
    assert not is_visible(question, {"utsatt": ["stold"]})
    assert not is_visible(question, {"utsatt": []})


def test_answered_condition_on_a_matrix_item(sample: Survey) -> None:
    question = sample.question("mer")
    assert is_visible(question, {"problem.klotter": "9"})
    assert not is_visible(question, {"problem.inbrott": "2"})


def test_visible_questions_of_a_page(sample: Survey) -> None:
    page = sample.pages[2]
    assert [q.id for q in visible_questions(page, {})] == ["problem", "utsatt"]
    shown = visible_questions(page, {"utsatt": ["hot"]})
    assert [q.id for q in shown] == ["problem", "utsatt", "utsatt_anmalt"]


def test_page_with_only_hidden_questions_is_skipped(sample: Survey) -> None:
    assert next_page_index(sample, 0, {"har_bil": "nej"}) == 2
    assert next_page_index(sample, 0, {"har_bil": "ja"}) == 1
    assert previous_page_index(sample, 2, {"har_bil": "nej"}) == 0
    assert previous_page_index(sample, 2, {"har_bil": "ja"}) == 1


def test_start_and_end(sample: Survey) -> None:
    assert next_page_index(sample, -1, {}) == 0
    assert next_page_index(sample, 3, {}) is None
    assert previous_page_index(sample, 0, {}) is None


def test_prune_hidden_drops_answers_of_hidden_questions(sample: Survey) -> None:
    answers = {"har_bil": "nej", "bilfarg": "rod", "bilmarke": "Volvo", "alder": "16-44"}
    assert prune_hidden(sample, answers) == {"har_bil": "nej", "alder": "16-44"}
    assert answers["bilfarg"] == "rod"


def test_prune_hidden_follows_chains(survey_with_chain: Survey) -> None:
    answers = {"a": "nej", "b": "ja", "c": "text"}
    assert prune_hidden(survey_with_chain, answers) == {"a": "nej"}
    assert next_page_index(survey_with_chain, 0, answers) is None
    kept = {"a": "ja", "b": "ja", "c": "text"}
    assert prune_hidden(survey_with_chain, kept) == kept
    assert next_page_index(survey_with_chain, 0, kept) == 1
