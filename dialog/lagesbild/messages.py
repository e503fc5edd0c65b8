"""The words for a problem in an indicator file, in the staff member's language (Swedish on
the command line): ``Rad 5, kolumn D (value): "tolv" är inte ett tal.``"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analysis.indicators import RowProblem

from ..table_files import UnreadableTable

CATEGORY_LABELS = {
    "narkotika": _l("Drugs"),
    "vald_i_nara_relation": _l("Domestic violence"),
    "sexualbrott": _l("Sexual offences"),
    "ungdomar": _l("Young people"),
    "skadegorelse": _l("Vandalism and graffiti"),
    "vald_offentlig_miljo": _l("Violence in public places"),
    "stold_inbrott": _l("Theft and burglary"),
    "bedrageri": _l("Fraud"),
    "trafik": _l("Traffic"),
    "ordning": _l("Public disorder"),
    "annat": _l("Other"),
}

_PROBLEMS = {
    "missing_column": _l("The column is missing. The file needs the columns indicator, "
                         "period, area and value."),
    "unknown_column": _l("Unknown column. Allowed: indicator, period, area, value, label, "
                         "label_en, category, unit, source, rise_is_bad, sensitive."),
    "empty": _l("The cell is empty."),
    "bad_code": _l("\"%(value)s\" cannot be an indicator code: use letters a–z, digits, "
                   "_ - and . (at most 64)."),
    "bad_period": _l("\"%(value)s\" is not a period. Write a month as 2026-03 or a quarter "
                     "as 2026-Q1."),
    "too_long": _l("The text is too long (at most %(limit)s characters)."),
    "not_a_number": _l("\"%(value)s\" is not a number."),
    "not_a_count": _l("\"%(value)s\" is not a count: the unit is antal, so the value must be "
                      "a whole number of 0 or more."),
    "bad_category": _l("\"%(value)s\" is not a category. Allowed: %(allowed)s."),
    "bad_yes_no": _l("\"%(value)s\" is neither ja nor nej."),
    "new_needs_label": _l("The indicator %(code)s is new: give it a label (its name)."),
    "mixed_periods": _l("The indicator %(code)s has months and quarters in the file (see row "
                        "%(row)s). Use one kind per indicator."),
    "stored_kind": _l("The indicator %(code)s is stored with another kind of period (months "
                      "or quarters). Use the same kind as before."),
    "duplicate": _l("The same indicator, period and area as row %(row)s (%(code)s, "
                    "%(period)s, %(area)s)."),
    "conflict": _l("%(code)s has another value in this column on row %(row)s. An indicator "
                   "has one label, category, unit and source."),
}

_UNREADABLE = {
    "not_utf8": _l("The file is not UTF-8 text. Save it as CSV UTF-8 or as an Excel "
                   "workbook (.xlsx)."),
    "bad_csv": _l("The file cannot be read as CSV."),
    "bad_xlsx": _l("The file cannot be read as an Excel workbook (.xlsx)."),
    "too_large": _l("The file is too large."),
    "too_many_rows": _l("The file has too many rows (at most %(limit)s)."),
    "empty": _l("The file is empty: the first row must name the columns."),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def describe_problem(problem: RowProblem, header: list[str]) -> str:
    """Where and what, in the request's language."""
    text = _PROBLEMS[problem.code] % {**problem.params}
    if problem.column is None:
        return _("Row %(row)s: %(problem)s", row=problem.row, problem=text)
    names = [h.strip().lower() for h in header]
    if problem.column in names:
        column = f"{_column_letter(names.index(problem.column))} ({problem.column})"
    else:
        column = problem.column
    return _("Row %(row)s, column %(column)s: %(problem)s", row=problem.row, column=column,
             problem=text)


def describe_unreadable(error: UnreadableTable) -> str:
    return str(_UNREADABLE[error.code] % {"limit": error.detail})


_LAGESBILD = {
    "period": _l("Write the month as YYYY-MM, for example 2026-03."),
    "problem_name": _l("Each prioritised problem needs its name in Swedish."),
    "english_only": _l("Write the Swedish text first; the English version is optional."),
    "no_organisation": _l("Your account approves for neither the municipality nor the "
                          "police. An administrator sets this under Accounts."),
    "same_person": _l("The municipality and the police approve with two different accounts: "
                      "you have already approved for the other organisation."),
    "reason": _l("Write why the published lägesbild is corrected (in Swedish)."),
    "published": _l("This month's lägesbild is published. Start a correction to change it."),
    "not_approved": _l("Both the municipality and the police must approve before the "
                       "lägesbild is published."),
    "no_reason": _l("A correction needs its reason before it is published."),
    "draft": _l("This version is not published."),
}


def describe_lagesbild_error(code: str) -> str:
    """The words for a ``LagesbildError`` or ``LagesbildStateError`` code."""
    return str(_LAGESBILD[code])
