"""LimeSurvey .lss import against LimeSurvey's own test exports (read from ../shared, GPL)."""

from dataclasses import replace
from pathlib import Path

import pytest

from surveys.definition import INTRO_FIELDS, Condition, Survey
from surveys.importers import UnreadableFile, import_file, import_lss
from surveys.serialize import survey_from_dict, survey_to_dict

REPO_ROOT = Path(__file__).resolve().parents[2]
LIMESURVEY = REPO_ROOT.parent / "shared" / "fixtures" / "limesurvey"
NO_INTRO = "intro texts responsible, purpose, anonymity, retention, voluntary"


def with_intro(survey: Survey) -> Survey:
    """Imports leave the GDPR intro to staff; supply one so the definition can validate."""
    text = {lang: "Text" for lang in survey.languages}
    return replace(survey, intro={name: text for name in INTRO_FIELDS})


@pytest.mark.parametrize(
    ("name", "pages", "questions", "items", "languages", "unsupported"),
    [
        ("limesurvey_survey_rankingNative.lss", 1, 1, 0, ("en",), [NO_INTRO]),
        ("limesurvey_survey_expressionAnswerOptionsTest.lss", 1, 2, 1, ("en", "nl", "fr"), [
            'expression {getAnswerOptionText("simple","07", 0)} '
            '{getAnswerOptionText(self.qid,"07")} {getAnswerOptionText(self.qid,join("0","7"))} '
            '{getAnswerOptionText("invalidquestion","07")} '
            '{getAnswerOptionText(self.qid,"invalidanswer")}',
            'expression {getAnswerOptionText("Array","07", 0)} '
            '{getAnswerOptionText(self.qid,"07")}',
            "3 texts without a 'nl' translation",
            "3 texts without a 'fr' translation",
            NO_INTRO,
        ]),
        ("limesurvey_survey_188432_answerSetsForEmTest.lss", 1, 1, 0, ("de", "en"), [NO_INTRO]),
        ("limesurvey_survey_836215_ranking_with_condition.lss", 1, 2, 0, ("fr",), [NO_INTRO]),
    ],
)
def test_fixture_counts_and_unsupported(name: str, pages: int, questions: int, items: int,
                                        languages: tuple[str, ...], unsupported: list[str]) -> None:
    result = import_file(LIMESURVEY / name)
    survey = result.survey
    assert len(survey.pages) == pages
    assert len(survey.questions()) == questions
    assert sum(len(q.items) for q in survey.questions()) == items
    assert survey.languages == languages
    assert [u.element for u in result.unsupported] == unsupported
    complete = with_intro(survey)
    assert survey_from_dict(survey_to_dict(complete)) == complete


def test_l10n_layout_with_base_language_not_first_in_languages_list() -> None:
    survey = import_lss(LIMESURVEY / "limesurvey_survey_188432_answerSetsForEmTest.lss").survey
    assert survey.default_language == "de"
    question = survey.question("g00q03")
    assert question.type == "single_choice"
    assert [o.code for o in question.options] == ["1", "2", "3", "4"]
    assert question.options[3].label == {"de": "Vierter Eintrag", "en": "Forth Entry"}
    assert survey.pages[0].title == {"de": "Erste Fragegruppe", "en": "First Question Group"}


def test_array_becomes_likert_matrix_and_expression_locations_are_named() -> None:
    result = import_lss(LIMESURVEY / "limesurvey_survey_expressionAnswerOptionsTest.lss")
    survey = result.survey
    simple, array = survey.questions()
    assert simple.type == "single_choice" and len(simple.options) == 7
    assert array.type == "likert_matrix"
    assert array.scale is not None and survey.scales["array"] == array.scale
    assert [o.code for o in array.scale.options] == ["01", "02", "03", "04", "05", "06", "07"]
    assert array.scale.options[0].label == {"en": "Very unimportant",
                                            "fr": "Pas du tout important",
                                            "nl": "Erg onbelangrijk"}
    assert [i.code for i in array.items] == ["sq001"]
    # The fr/nl group name is empty in the source: filled from en and marked for review.
    assert survey.pages[0].title == {"en": "Group", "nl": "Group", "fr": "Group"}
    assert survey.review == {"nl": "machine", "fr": "machine"}
    assert result.unsupported[0].location == (
        "group 'Group' (gid 2) / question 'Simple' (qid 3) / help")
    assert all("{" not in text for text in simple.help.values())


def test_ranking_from_subquestions_in_ls3_layout() -> None:
    survey = import_lss(LIMESURVEY / "limesurvey_survey_rankingNative.lss").survey
    question = survey.question("rank")
    assert question.type == "pick_top"
    assert [o.code for o in question.options] == ["sq01", "sq02", "sq03", "sq04"]
    assert question.max_selections == 4


def test_relevance_maps_onto_show_if_with_codes_mapped() -> None:
    survey = import_lss(LIMESURVEY / "limesurvey_survey_836215_ranking_with_condition.lss").survey
    assert [q.id for q in survey.questions()] == ["q01", "q00"]
    ranking = survey.question("q00")
    assert ranking.max_selections == 2
    assert ranking.show_if == Condition("q01", equals="a2")


LSS_XSS = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>359</DBVersion>
 <languages><language>en</language></languages>
 <groups><rows><row>
  <gid>1</gid><sid>9</sid><group_name><![CDATA[G<script>alert('group')</script>]]></group_name>
  <group_order>1</group_order><description/><language>en</language><grelevance>1</grelevance>
 </row></rows></groups>
 <questions><rows>
  <row><qid>10</qid><parent_qid>0</parent_qid><sid>9</sid><gid>1</gid><type>L</type>
   <title>Q1</title><question><![CDATA[Question:<script>alert('question');</script>]]></question>
   <help><![CDATA[<a href="javascript:alert(1)" onclick="x()">Help</a>]]>\
<![CDATA[&lt;script&gt;alert(2)&lt;/script&gt;]]></help>
   <other>N</other><mandatory>Y</mandatory><question_order>1</question_order>
   <language>en</language><relevance>1</relevance></row>
  <row><qid>11</qid><parent_qid>0</parent_qid><sid>9</sid><gid>1</gid><type>S</type>
   <title>Q2</title><question>Why?</question><other>N</other><mandatory>N</mandatory>
   <question_order>2</question_order><language>en</language>
   <relevance>Q1 == "A1" or Q1 == "A2"</relevance></row>
  <row><qid>12</qid><parent_qid>0</parent_qid><sid>9</sid><gid>1</gid><type>|</type>
   <title>Q3</title><question>Upload</question><other>N</other><mandatory>N</mandatory>
   <question_order>3</question_order><language>en</language><relevance>1</relevance></row>
  <row><qid>13</qid><parent_qid>0</parent_qid><sid>9</sid><gid>1</gid><type>N</type>
   <title>Q4</title><question>Age</question><other>N</other><mandatory>N</mandatory>
   <question_order>4</question_order><language>en</language>
   <relevance>Q1 == "A1" and Q2 == "x"</relevance></row>
 </rows></questions>
 <answers><rows>
  <row><qid>10</qid><code>A1</code><answer><![CDATA[<b>Yes</b><script>alert('a')</script>]]></answer>
   <sortorder>1</sortorder><language>en</language><scale_id>0</scale_id></row>
  <row><qid>10</qid><code>A2</code><answer>No</answer><sortorder>2</sortorder>
   <language>en</language><scale_id>0</scale_id></row>
 </rows></answers>
 <surveys><rows><row><sid>9</sid><language>en</language></row></rows></surveys>
 <surveys_languagesettings><rows><row><surveyls_language>en</surveyls_language>
  <surveyls_title><![CDATA[XSS <script>alert('title')</script>check]]></surveyls_title>
  <surveyls_welcometext><![CDATA[<p>Welcome</p><img src=x onerror="alert(1)">]]>\
</surveyls_welcometext>
  <surveyls_endtext><![CDATA[<iframe src="evil"></iframe>Thanks]]></surveyls_endtext>
 </row></rows></surveys_languagesettings>
</document>
"""


def test_no_script_survives_anywhere(tmp_path: Path) -> None:
    path = tmp_path / "limesurvey_survey_XssAndScriptCheck.lss"
    path.write_text(LSS_XSS, encoding="utf-8")
    result = import_file(path)
    survey = result.survey
    dumped = str(survey_to_dict(survey)).lower()
    for marker in ("<script", "script>", "alert", "javascript:", "onclick", "onerror", "<iframe"):
        assert marker not in dumped
    q1 = survey.question("q1")
    assert q1.text == {"en": "Question:"}
    assert q1.help == {"en": "Help"}
    assert q1.required
    assert q1.options[0].label == {"en": "Yes"}
    assert survey.title == {"en": "XSS check"}
    assert survey.intro == {"purpose": {"en": "Welcome"}}
    assert survey.thanks == {"en": "Thanks"}


def test_simple_or_relevance_maps_and_complex_and_upload_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.lss"
    path.write_text(LSS_XSS, encoding="utf-8")
    result = import_file(path)
    assert result.survey.question("q2").show_if == Condition("q1", in_=("a1", "a2"))
    assert result.survey.question("q4").show_if is None
    assert result.survey.question("q4").integer is False
    reported = {(u.location, u.element) for u in result.unsupported}
    assert ("group 'G' (gid 1) / question 'Q3' (qid 12)",
            "question type | (file upload)") in reported
    assert ("group 'G' (gid 1) / question 'Q4' (qid 13)",
            'relevance `Q1 == "A1" and Q2 == "x"`') in reported


def test_broken_xml_names_the_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.lss"
    path.write_text("<document>\n<groups>\n</document>\n", encoding="utf-8")
    with pytest.raises(UnreadableFile,
                       match=r"broken\.lss, line 3, column \d+: not well-formed XML"):
        import_file(path)


def test_other_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.lss"
    path.write_text("<document><LimeSurveyDocType>Tokens</LimeSurveyDocType></document>")
    with pytest.raises(ValueError, match="not a LimeSurvey survey structure"):
        import_file(path)
