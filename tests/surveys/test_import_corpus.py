"""Every file of the import corpus (../shared/fixtures/import-corpus: 23 LimeSurvey exports
from 1.90 to 6.x and 23 XLSForms from other projects) imports without its unsupported parts,
and what remains is a valid survey.

No file in the corpus is without anything we can represent, so all 46 must import; a file
that cannot would be listed here with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.importers import ImportError_, import_file
from surveys.serialize import survey_from_dict, survey_to_dict
from surveys.templates import with_template_intro
from tests.conftest import SHARED

CORPUS = SHARED / "fixtures" / "import-corpus"
FILES = sorted([*CORPUS.glob("lss/*.lss"), *CORPUS.glob("xlsform/*.xlsx")])
# File name -> why nothing in it can be represented. Empty: every file holds a survey.
NOTHING_TO_IMPORT: dict[str, str] = {}


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 46


def _share(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", FILES, ids=_share)
def test_corpus_file_imports_without_its_unsupported_parts(path: Path) -> None:
    try:
        result = import_file(path)
    except ImportError_ as refused:
        # A refusal names what is unsupported, and the file must be one we expected.
        assert "nothing left that our surveys can represent" in str(refused)
        assert path.name in NOTHING_TO_IMPORT, str(refused)
        print(f"{_share(path)}: refused – {NOTHING_TO_IMPORT[path.name]}")
        return
    survey = result.survey
    # What the load-survey command publishes: the import plus the template's intro texts.
    complete = with_template_intro(survey)
    assert survey_from_dict(survey_to_dict(complete)) == complete
    for note in result.unsupported:
        assert note.location and note.element and note.reason, note
    assert result.kept_questions >= 1
    print(f"{_share(path)}: {result.kept_questions} of {result.source_questions} questions "
          f"imported ({result.share:.0%}), {len(result.unsupported)} notes")
