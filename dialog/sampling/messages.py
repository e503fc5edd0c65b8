"""What the sample commands and pages say, in the staff language (Swedish from the CLI)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .service import RowProblem, SampleError

_FILES = {"sample": _l("Sample file"), "strata": _l("Strata file")}

_PROBLEMS = {
    "missing_column": _l("the column is missing (the first row must name the columns)"),
    "empty": _l("empty – every row needs a value here"),
    "duplicate": _l('"%(value)s" appears more than once'),
    "not_count": _l('"%(value)s" is not a number of people (a whole number above 0)'),
    "unknown_stratum": _l('the stratum "%(value)s" is not in the strata file'),
    "more_drawn_than_people": _l('more people drawn in "%(value)s" than live there'),
    "no_rows": _l("the file has no people"),
}

_ERRORS = {
    "unknown_round": _l("There is no round %(slug)s."),
    "file_problems": _l("The files have errors; nothing was imported."),
    "already_sampled": _l("The round %(slug)s already has a sample. A sample is never "
                          "replaced: make a new round."),
    "no_sample": _l("The round %(slug)s has no sample."),
    "letters_done": _l("The letters of %(slug)s are marked as done: the addresses and "
                       "printable codes have been deleted."),
    "unknown_wave": _l("Unknown mailing %(kind)s."),
    "bad_disposition": _l("Unknown outcome %(disposition)s."),
    "unknown_member": _l("No one in the sample has the id %(ref)s."),
    "has_answered": _l("%(ref)s has started or completed the survey; the outcome follows "
                       "the answer."),
}


def describe_problem(problem: RowProblem) -> str:
    where = _("%(file)s, row %(row)d, column %(column)s",
              file=_FILES[problem.file], row=problem.row, column=problem.column)
    return f"{where}: {_PROBLEMS[problem.code] % {'value': problem.value}}"


def describe_error(error: SampleError) -> str:
    return str(_ERRORS[error.code] % error.detail)
