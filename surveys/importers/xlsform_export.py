"""Our survey definitions as XLSForm workbooks, so staff can edit translations in Excel.

Standard XLSForm carries what it can (groups, select lists, relevant, constraints, required);
what it lacks goes into extra columns (``role``, ``score``, ``dont_know``; for a place question,
a ``geopoint``, the ``places`` list with ``lat``/``lon``, ``max_marks`` and the follow-up rows
marked ``follow_up_of``) and a ``metadata`` sheet (titles, intro and thanks texts per language,
scales and their positive codes, review markers, template, key figures, area outlines).
:func:`surveys.importers.import_xlsform` reads all of it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from surveys.definition import INTRO_FIELDS, TODAY, Question, Survey, Text
from surveys.importers.expressions import condition_to_xlsform
from surveys.importers.languages import language_label
from surveys.numbers import plain_number

SELECT_TYPES = {"single_choice": "select_one", "multiple_choice": "select_multiple",
                "pick_top": "rank"}


def _constraint(q: Question) -> str:
    parts = []
    if q.type == "number":
        if q.min_value is not None:
            parts.append(f". >= {plain_number(q.min_value)}")
        if q.max_value is not None:
            parts.append(f". <= {plain_number(q.max_value)}")
    if q.type == "date":
        for op, bound in ((">=", q.min_date), ("<=", q.max_date)):
            if bound is not None:
                parts.append(f". {op} " + ("today()" if bound == TODAY else f"date('{bound}')"))
    if q.type == "free_text" and q.max_length is not None:
        parts.append(f"string-length(.) <= {q.max_length}")
    if q.type in ("multiple_choice", "pick_top") and q.max_selections is not None:
        parts.append(f"count-selected(.) <= {q.max_selections}")
    return " and ".join(parts)


class _Writer:
    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.langs = [language_label(code) for code in survey.languages]
        self.survey_rows: list[dict[str, Any]] = []
        self.choice_rows: list[dict[str, Any]] = []
        self.lists: dict[str, str] = {}
        multiple = {q.id for q in survey.questions()
                    if q.type in ("multiple_choice", "pick_top")}
        self.multiple = multiple.__contains__

    def texts(self, column: str, text: Text | None) -> dict[str, str]:
        if not text:
            return {}
        return {f"{column}::{label}": text[code]
                for code, label in zip(self.survey.languages, self.langs, strict=True)
                if code in text}

    def choices(self, list_name: str, options: tuple) -> None:
        for option in options:
            row: dict[str, Any] = {"list_name": list_name, "name": option.code,
                                   **self.texts("label", option.label)}
            if option.score is not None:
                row["score"] = option.score
            if option.dont_know:
                row["dont_know"] = "yes"
            self.choice_rows.append(row)

    def list_name(self, q: Question) -> str:
        """A choice list name of its own for ``q``: its id unless a scale or list has it."""
        name, n = q.id, 1
        while name in self.survey.scales or name in self.lists:
            n += 1
            name = f"{q.id}_options{'' if n == 2 else n - 1}"
        self.lists[name] = q.id
        return name

    def options_list(self, q: Question) -> str:
        if q.scale is not None:
            return q.scale.id
        name = self.list_name(q)
        self.choices(name, q.options)
        return name

    def place(self, q: Question) -> None:
        """A place question is a geopoint whose named places are a choice list with ``lat``
        and ``lon``; its follow-ups are the rows after it marked ``follow_up_of``."""
        places = self.list_name(q)
        self.choice_rows.extend({"list_name": places, "name": p.code,
                                 **self.texts("label", p.label), "lat": p.lat, "lon": p.lon}
                                for p in q.places)
        self.survey_rows.append({"type": "geopoint", "name": q.id, **self.common(q),
                                 "required": "yes" if q.required else "", "places": places,
                                 "max_marks": q.max_marks or 1})
        for f in q.follow_up:
            kind = f"{SELECT_TYPES[f.type]} {self.options_list(f)}" if f.options else "text"
            self.survey_rows.append({"type": kind, "name": f.id, **self.texts("label", f.text),
                                     **self.texts("hint", f.help), "constraint": _constraint(f),
                                     "follow_up_of": q.id})

    def common(self, q: Question) -> dict[str, Any]:
        row: dict[str, Any] = {**self.texts("label", q.text), **self.texts("hint", q.help)}
        if q.show_if is not None:
            row["relevant"] = condition_to_xlsform(q.show_if, self.multiple)
        if q.role:
            row["role"] = q.role
        return row

    def question(self, q: Question) -> None:
        if q.type == "place":
            self.place(q)
            return
        if q.type == "likert_matrix":
            assert q.scale is not None, f"matrix {q.id} without a scale"
            self.survey_rows.append({"type": "begin group", "name": q.id,
                                     "appearance": "table-list", **self.common(q)})
            for item in q.items:
                self.survey_rows.append({
                    "type": f"select_one {q.scale.id}", "name": f"{q.id}.{item.code}",
                    **self.texts("label", item.label),
                    "required": "yes" if q.required else "",
                })
            self.survey_rows.append({"type": "end group", "name": q.id})
            return
        if q.type in SELECT_TYPES:
            kind = f"{SELECT_TYPES[q.type]} {self.options_list(q)}"
        elif q.type == "number":
            kind = "integer" if q.integer else "decimal"
        elif q.type == "date":
            kind = "date"
        else:
            kind = "text"
        self.survey_rows.append({"type": kind, "name": q.id, **self.common(q),
                                 "required": "yes" if q.required else "",
                                 "constraint": _constraint(q)})

    def build(self) -> None:
        for scale in self.survey.scales.values():
            self.choices(scale.id, scale.options)
        for page in self.survey.pages:
            self.survey_rows.append({"type": "begin group", "name": page.id,
                                     **self.texts("label", page.title),
                                     **self.texts("hint", page.intro)})
            for q in page.questions:
                self.question(q)
            self.survey_rows.append({"type": "end group", "name": page.id})

    def metadata(self) -> list[dict[str, Any]]:
        s = self.survey
        rows: list[dict[str, Any]] = [
            {"key": "languages", "value": " ".join(s.languages)},
            {"key": "title", **self.texts("value", s.title)},
        ]
        rows += [{"key": f"intro.{name}", **self.texts("value", s.intro[name])}
                 for name in INTRO_FIELDS if name in s.intro]
        if s.thanks:
            rows.append({"key": "thanks", **self.texts("value", s.thanks)})
        rows += [{"key": f"scale.{scale.id}", "value": json.dumps(list(scale.positive))}
                 for scale in s.scales.values()]
        rows += [{"key": f"review.{lang}", "value": state} for lang, state in s.review.items()]
        rows += [{"key": f"review_note.{lang}", "value": note}
                 for lang, note in s.review_notes.items()]
        if s.template:
            rows.append({"key": "template", "value": s.template})
        rows += [{"key": f"area.{q.id}.{area.code}",
                  "value": json.dumps([list(corner) for corner in area.outline]),
                  **self.texts("value", area.label)}
                 for q in s.questions() for area in q.areas]
        for indicator in s.indicators:
            spec: dict[str, Any] = {"question": indicator.question,
                                    "counts": list(indicator.counts)}
            if indicator.excludes:
                spec["excludes"] = list(indicator.excludes)
            rows.append({"key": f"indicator.{indicator.id}", "value": json.dumps(spec),
                         **self.texts("value", indicator.label)})
        return rows


def _write_sheet(workbook: Any, name: str, columns: list[str], rows: list[dict[str, Any]]
                 ) -> None:
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, 40 if "::" in title else 16)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for col, title in enumerate(columns):
            value = row.get(title)
            # Strings stay strings: codes like "01" or texts starting with "=" must not turn
            # into numbers or formulas in Excel.
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            elif value not in (None, ""):
                sheet.write_string(r, col, str(value))


def export_xlsform(survey: Survey, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write ``survey`` as an XLSForm workbook (.xlsx) to a path or a binary buffer."""
    writer = _Writer(survey)
    writer.build()
    target = str(path_or_buffer) if isinstance(path_or_buffer, Path) else path_or_buffer
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    label_cols = [f"label::{lang}" for lang in writer.langs]
    hint_cols = [f"hint::{lang}" for lang in writer.langs]
    _write_sheet(workbook, "survey",
                 ["type", "name", *label_cols, *hint_cols, "required", "relevant", "constraint",
                  "appearance", "role", "places", "max_marks", "follow_up_of"],
                 writer.survey_rows)
    _write_sheet(workbook, "choices",
                 ["list_name", "name", *label_cols, "score", "dont_know", "lat", "lon"],
                 writer.choice_rows)
    _write_sheet(workbook, "settings", ["form_title", "form_id", "default_language"], [{
        "form_title": survey.title.get(survey.default_language, survey.slug),
        "form_id": survey.slug,
        "default_language": language_label(survey.default_language),
    }])
    _write_sheet(workbook, "metadata",
                 ["key", "value", *[f"value::{lang}" for lang in writer.langs]],
                 writer.metadata())
    workbook.close()
