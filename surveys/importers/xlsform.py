"""XLSForm workbooks (.xlsx, the format of KoBoToolbox and ODK): survey, choices and settings
sheets, plus the ``metadata`` sheet and extra columns that our own export adds."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from surveys.definition import (
    INTRO_FIELDS,
    ROLES,
    TODAY,
    Area,
    Condition,
    Indicator,
    Item,
    NamedPlace,
    Option,
    Page,
    Question,
    QuestionType,
    Role,
    Scale,
    Survey,
    Text,
)
from surveys.importers.expressions import map_condition, parse_xlsform
from surveys.importers.languages import (
    is_other_spelling,
    language_code,
    language_label,
    split_header,
)
from surveys.importers.limits import (
    MAX_SHEET_COLUMNS,
    MAX_TEXT_LENGTH,
    TooLarge,
    check_text,
    check_zip,
)
from surveys.importers.result import ImportResult, UnreadableFile, Unsupported
from surveys.importers.text import SlugRegistry, make_id, make_slug, plain_text
from surveys.importers.translations import fill_missing_translations, missing_intro
from surveys.numbers import plain_number

# Sheets from the field declare up to a million rows; a run this long of empty rows ends one.
EMPTY_RUN = 200
FALLBACK_LANGUAGE = "sv"

TYPE_ALIASES = {
    "begin group": "begin group", "end group": "end group", "begin repeat": "begin repeat",
    "end repeat": "end repeat",
    "select one": "select_one", "select all that apply": "select_multiple",
    "select multiple": "select_multiple", "begin_group": "begin group",
    "end_group": "end group", "begin_repeat": "begin repeat", "end_repeat": "end repeat",
    "int": "integer", "string": "text", "phone number": "text", "gps": "geopoint",
}
CHOICE_TYPES: dict[str, QuestionType] = {
    "select_one": "single_choice", "select_multiple": "multiple_choice", "rank": "pick_top",
}
UNSUPPORTED_TYPES = {
    "calculate": "calculation", "hidden": "hidden value",
    "geopoint": "location", "geotrace": "location", "geoshape": "location",
    "image": "file upload", "audio": "file upload", "video": "file upload", "file": "file upload",
    "background-audio": "recording", "barcode": "barcode scan", "time": "time",
    "datetime": "date and time", "acknowledge": "acknowledgement", "trigger": "acknowledgement",
    "select_one_from_file": "choices from an external file",
    "select_multiple_from_file": "choices from an external file",
    "select_one_external": "choices from an external file", "osm": "map feature (OpenMapKit)",
    "xml-external": "external data", "csv-external": "external data",
    "start": "device metadata", "end": "device metadata", "today": "device metadata",
    "deviceid": "device metadata", "uri:deviceid": "device metadata",
    "subscriberid": "device metadata", "simserial": "device metadata",
    "phonenumber": "device metadata", "username": "device metadata", "email": "device metadata",
    "audit": "device metadata", "start-geopoint": "device metadata",
}
# Columns whose content changes behaviour we cannot reproduce.
REPORTED_COLUMNS = ("choice_filter", "default", "read_only", "calculation", "trigger",
                    "image", "audio", "video", "big-image")
_REFERENCE = re.compile(r"\$\{[^}]*\}")
_NUMBER = r"-?\d+(?:\.\d+)?"
_BOUND = re.compile(rf"^\.\s*(?P<op><=|>=|<|>)\s*(?P<n>{_NUMBER})$")
_LENGTH = re.compile(rf"^string-length\(\s*\.\s*\)\s*<=\s*(?P<n>{_NUMBER})$")
_DATE_BOUND = re.compile(r"^\.\s*(?P<op><=|>=|<|>)\s*(?:(?P<today>today\(\s*\))|date\(\s*['\"]"
                         r"(?P<iso>\d{4}-\d{2}-\d{2})['\"]\s*\))$")
_COUNT = re.compile(rf"^count-selected\(\s*\.\s*\)\s*<=\s*(?P<n>{_NUMBER})$")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(plain_number(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class _Sheet:
    name: str
    columns: list[tuple[str, str | None]]  # (base, language spec) per column
    rows: list[tuple[int, list[str]]]

    def records(self) -> Iterator[tuple[int, dict[str, str], dict[tuple[str, str], str]]]:
        """Per row: number, plain columns, and language columns keyed (base, spec)."""
        for number, values in self.rows:
            plain: dict[str, str] = {}
            by_lang: dict[tuple[str, str], str] = {}
            for (base, spec), value in zip(self.columns, values, strict=False):
                if spec is None:
                    plain.setdefault(base, value)
                elif value:
                    by_lang.setdefault((base, spec), value)
            yield number, plain, by_lang


# Older spellings of column names that pyxform still accepts.
_COLUMN_ALIASES = {"list name": "list_name", "bind:constraint": "constraint",
                   "bind:relevant": "relevant", "bind:required": "required",
                   "bind::constraint": "constraint", "bind::relevant": "relevant",
                   "bind::required": "required", "constraint message": "constraint_message"}


def _column(header: str) -> tuple[str, str | None]:
    alias = _COLUMN_ALIASES.get(" ".join(header.split()).lower())
    return (alias, None) if alias else split_header(header)


def _read_sheet(ws: ReadOnlyWorksheet) -> _Sheet:
    """Rows of a sheet, stopping at the first long run of empty rows.

    The header decides how many columns are read, so a sheet declaring 1024 columns by a
    million rows costs no more than the cells that hold data.
    """
    header: list[str] = []
    header_row = 0
    for number, values in enumerate(ws.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True),
                                    start=1):
        if any(_cell(v).strip() for v in values):
            header, header_row = [_cell(v).strip() for v in values], number
            break
        if number >= EMPTY_RUN:
            break
    while header and not header[-1]:
        header.pop()
    columns = [_column(h) if h else ("", None) for h in header]
    rows: list[tuple[int, list[str]]] = []
    empty = 0
    if header:
        for number, values in enumerate(
            ws.iter_rows(min_row=header_row + 1, max_col=len(header), values_only=True),
            start=header_row + 1,
        ):
            cells = [_cell(v).strip() for v in values]
            for column, cell in enumerate(cells):
                if len(cell) > MAX_TEXT_LENGTH:
                    check_text(cell, f"{ws.title} sheet row {number} column {column + 1}")
            if not any(cells):
                empty += 1
                if empty >= EMPTY_RUN:
                    break
                continue
            empty = 0
            rows.append((number, cells))
    return _Sheet(ws.title.strip().lower(), columns, rows)


@dataclass
class _Node:
    row: int
    kind: str  # "group", "repeat" or the question type
    plain: dict[str, str]
    texts: dict[tuple[str, str], str]
    children: list[_Node] = field(default_factory=list)
    end_row: int = 0

    @property
    def name(self) -> str:
        return self.plain.get("name", "")


def _type_of(raw: str) -> tuple[str, str]:
    """``"select_one yes_no"`` -> ``("select_one", "yes_no")``; aliases resolved, and the
    older ``select one from yes_no`` read the same way."""
    raw = " ".join(raw.replace("\u00a0", " ").split())
    lowered = raw.lower()
    for alias, canonical in TYPE_ALIASES.items():
        if lowered == alias or lowered.startswith(alias + " "):
            rest = raw[len(alias):].strip()
            if canonical in CHOICE_TYPES and rest.lower().startswith("from "):
                rest = rest[len("from "):].strip()
            return canonical, rest
    head, _, rest = raw.partition(" ")
    return head.lower(), rest.strip()


class _XlsformReader:
    def __init__(self, sheets: dict[str, _Sheet], source: str, stem: str) -> None:
        self.sheets = sheets
        self.source = source
        self.stem = stem
        self.unsupported: list[Unsupported] = []
        self.ids = SlugRegistry()
        self.field_names: dict[str, str] = {}
        self.code_maps: dict[str, dict[str, str]] = {}  # field -> source code -> our code
        self.counts = [0, 0]  # source questions, imported ones
        # Notes waiting for the page being built: where, what, condition note, text.
        self.page_notes: list[tuple[str, str, str, Text]] = []

    def report(self, location: str, element: str, reason: str) -> None:
        self.unsupported.append(Unsupported(location, element, reason))

    # -- languages -------------------------------------------------------------------------

    def setup_languages(self) -> None:
        self.settings: dict[str, str] = {}
        settings = self.sheets.get("settings")
        if settings and settings.rows:
            values = settings.rows[0][1]
            self.settings = {base: value for (base, _), value in zip(settings.columns, values,
                                                                    strict=False)}
        self.metadata: dict[str, dict[str | None, str]] = {}
        if meta := self.sheets.get("metadata"):
            for _, plain, texts in meta.records():
                entry = self.metadata.setdefault(plain.get("key", ""), {})
                entry[None] = plain.get("value", "")
                for (_, spec), value in texts.items():
                    entry[spec] = value
        self.codes: dict[str, str] = {}
        found: list[str] = []
        for sheet in (self.sheets.get("survey"), self.sheets.get("choices")):
            for base, spec in sheet.columns if sheet else ():
                if spec is None or base not in ("label", "hint"):
                    continue
                code = language_code(spec)
                if code is None:
                    code = make_id(spec, "lang")
                    self.report(f"{sheet.name} sheet header '{base}::{spec}'", f"language '{spec}'",
                                f"no language code found; imported as '{code}'")
                elif is_other_spelling(spec) and spec not in self.codes:
                    self.report(f"{sheet.name} sheet header '{base}::{spec}'", f"language '{spec}'",
                                f"read as '{code}' ({language_label(code)})")
                elif (primary := code.split("-")[0].lower()) != code:
                    self.report(f"{sheet.name} sheet header '{base}::{spec}'", f"language '{spec}'",
                                f"regional variants are not distinguished; imported as '{primary}'")
                    code = primary
                self.codes[spec] = code
                found.append(code)
        default_spec = self.settings.get("default_language", "")
        default = language_code(default_spec) if default_spec else None
        default = self.codes.get(default_spec, default.split("-")[0].lower() if default else None)
        if default is None:
            default = found[0] if found else FALLBACK_LANGUAGE
            if not found:
                self.report("survey sheet header", "language of the 'label' column",
                            f"the form names no language; assumed '{FALLBACK_LANGUAGE}'")
        ordered = self.metadata.get("languages", {}).get(None, "").split()
        self.languages = tuple(dict.fromkeys([default, *ordered, *found]))
        self.default = default

    def text(self, plain: dict[str, str], texts: dict[tuple[str, str], str], base: str,
             location: str) -> Text:
        result: Text = {}
        if plain.get(base):
            result[self.default] = plain[base]
        for (col, spec), value in texts.items():
            if col == base and spec in self.codes:
                result.setdefault(self.codes[spec], value)
        cleaned: Text = {}
        references: list[str] = []
        for lang in self.languages:
            if lang in result:
                refs = _REFERENCE.findall(result[lang])
                references.extend(r for r in refs if r not in references)
                text = plain_text(_REFERENCE.sub("", result[lang]))
                if text:
                    cleaned[lang] = text
        if references:
            self.report(f"{location} {base}", "reference " + " ".join(references),
                        "answers shown inside texts are not supported; removed from the text")
        return cleaned

    # -- choices ---------------------------------------------------------------------------

    def read_choices(self) -> None:
        self.lists: dict[str, list[tuple[int, Option]]] = {}
        self.list_codes: dict[str, dict[str, str]] = {}
        # (list, code) -> (lat, lon): the named places of a place question's list.
        self.coordinates: dict[tuple[str, str], tuple[float, float]] = {}
        registries: dict[str, SlugRegistry] = {}
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        bases = {base for base, _ in sheet.columns}
        if sheet.rows and not {"list_name", "name"} <= bases:
            raise UnreadableFile(self.source, "choices sheet header",
                               "columns 'list_name' and 'name' are required")
        for number, plain, texts in sheet.records():
            list_name, code = plain.get("list_name", ""), plain.get("name", "")
            where = f"choices sheet row {number}"
            if not list_name:
                continue
            if not code:
                self.report(where, f"choice without a name in list '{list_name}'", "left out")
                continue
            entries = self.lists.setdefault(list_name, [])
            codes = self.list_codes.setdefault(list_name, {})
            if code in codes:
                self.report(where, f"duplicate choice '{code}' in list '{list_name}'", "left out")
                continue
            source_code = code
            code = codes[source_code] = registries.setdefault(
                list_name, SlugRegistry(code=True)).claim(source_code)
            for column in ("image", "audio", "video", "big-image"):
                if plain.get(column) or any(c == column for c, _ in texts):
                    self.report(where, f"choice {column}", "media in choices is not supported")
                    break
            label = self.text(plain, texts, "label", where)
            if plain.get("lat") and plain.get("lon"):
                try:
                    self.coordinates[(list_name, code)] = (float(plain["lat"]),
                                                           float(plain["lon"]))
                except ValueError:
                    self.report(where, f"lat/lon of '{source_code}'", "not numbers; left out")
            score = plain.get("score", "")
            entries.append((number, Option(
                code=code,
                label=label or {self.default: source_code},
                score=float(score) if score else None,
                dont_know=_truthy(plain.get("dont_know", "")),
            )))

    def options(self, list_name: str, where: str) -> tuple[Option, ...]:
        if list_name not in self.lists:
            raise UnreadableFile(self.source, where,
                               f"choice list '{list_name}' is not in the choices sheet")
        return tuple(option for _, option in self.lists[list_name])

    def scale(self, list_name: str, where: str) -> Scale:
        if list_name not in self.scales:
            positive = tuple(json.loads(self.metadata.get(f"scale.{list_name}", {})
                                        .get(None) or "[]"))
            self.scales[list_name] = Scale(list_name, self.options(list_name, where), positive)
        return self.scales[list_name]

    # -- survey sheet ----------------------------------------------------------------------

    def tree(self) -> list[_Node]:
        sheet = self.sheets.get("survey")
        if sheet is None:
            raise UnreadableFile(self.source, "", "no 'survey' sheet: not an XLSForm workbook")
        bases = {base for base, _ in sheet.columns}
        missing = [c for c in ("type", "name") if c not in bases]
        if missing:
            raise UnreadableFile(self.source, "survey sheet header",
                               f"missing column(s) {', '.join(missing)}")
        root = _Node(0, "root", {}, {})
        stack = [root]
        for number, plain, texts in sheet.records():
            kind, _ = _type_of(plain.get("type", ""))
            if not kind:
                if plain.get("name") or texts:
                    self.report(f"survey sheet row {number}", "row without a type", "left out")
                continue
            if kind in ("end group", "end repeat"):
                expected = kind.split()[1]
                if stack[-1].kind != expected:
                    raise UnreadableFile(self.source, f"survey sheet row {number}",
                                       f"'{kind}' without a matching 'begin {expected}'")
                stack.pop().end_row = number
                continue
            if kind not in ("begin group", "begin repeat", "note") and not plain.get("name"):
                # A note is display text and needs no name; any other row without one cannot
                # be answered or referred to, so it is left out like an unsupported part.
                what = UNSUPPORTED_TYPES.get(kind)
                self.report(f"survey sheet row {number}", f"'{plain.get('type')}' row without "
                            "a name", f"{what} is not supported" if what else "left out")
                continue
            node = _Node(number, kind.split()[1] if kind.startswith("begin ") else kind,
                         plain, texts)
            stack[-1].children.append(node)
            if kind.startswith("begin "):
                stack.append(node)
        if len(stack) > 1:
            open_node = stack[-1]
            raise UnreadableFile(self.source, f"survey sheet row {open_node.row}",
                               f"'begin {open_node.kind}' is never closed")
        return root.children

    def pages(self, nodes: list[_Node], title: Text) -> tuple[Page, ...]:
        page_ids = SlugRegistry()
        pages: list[Page] = []
        loose: list[_Node] = []

        def flush() -> None:
            if loose:
                questions = self.questions(loose)
                if questions:
                    pages.append(Page(page_ids.claim("page", "page"), dict(title), questions,
                                      intro=self.page_intro(None)))
                self.drop_notes()
                loose.clear()

        for node in nodes:
            if node.kind != "group" or self.is_matrix(node):
                loose.append(node)
                continue
            flush()
            where = f"survey sheet row {node.row}"
            name = node.name or f"group_{node.row}"
            if node.plain.get("relevant"):
                self.report(where, f"relevant `{node.plain['relevant']}` of group '{name}'",
                            "conditions on a whole page are not supported")
            questions = self.questions(node.children)
            if not questions:
                self.drop_notes()
                self.report(where, f"group '{name}' without supported questions",
                            "a page needs at least one question; the group is left out")
                continue
            pages.append(Page(
                id=page_ids.claim(name, "page"),
                title=self.text(node.plain, node.texts, "label", where) or {self.default: name},
                questions=questions,
                intro=self.page_intro(self.text(node.plain, node.texts, "hint", where)),
            ))
        flush()
        return tuple(pages)

    def note(self, node: _Node, where: str) -> None:
        """A note is text to read: it joins the introduction of its page (see page_intro)."""
        text = self.text(node.plain, node.texts, "label", where)
        what = f"note '{node.name}'" if node.name else "note"
        if not text:
            self.report(where, what, "no text to show; left out")
            return
        relevant = node.plain.get("relevant")
        condition = f"; its condition `{relevant}` is left out" if relevant else ""
        self.page_notes.append((where, what, condition, text))

    def page_intro(self, hint: Text | None) -> Text | None:
        """A page's introduction: its group's hint, then the notes placed on it."""
        parts = [hint] if hint else []
        for where, what, condition, text in self.page_notes:
            self.report(where, what, f"shown as text at the top of its page{condition}")
            self.counts[1] += 1
            parts.append(text)
        self.page_notes.clear()
        intro = {lang: "\n\n".join(p[lang] for p in parts if p.get(lang))
                 for lang in self.languages}
        return {lang: text for lang, text in intro.items() if text} or None

    def drop_notes(self) -> None:
        for where, what, _, _ in self.page_notes:
            self.report(where, what, "its page has no question we can show; left out")
        self.page_notes.clear()

    def is_matrix(self, node: _Node) -> bool:
        """A table-list group, or label + list-nolabel rows: one select_one list for all."""
        children = node.children
        if node.kind != "group" or not children:
            return False
        types = {_type_of(c.plain.get("type", "")) for c in children}
        if len(types) != 1 or next(iter(types))[0] != "select_one":
            return False
        if "table-list" in node.plain.get("appearance", ""):
            return True
        appearances = [c.plain.get("appearance", "") for c in children]
        return (len(children) > 1 and appearances[0] == "label"
                and all(a == "list-nolabel" for a in appearances[1:]))

    def questions(self, nodes: list[_Node]) -> tuple[Question, ...]:
        result: list[Question] = []
        for node in nodes:
            where = f"survey sheet row {node.row}"
            plain_group = node.kind == "group" and not self.is_matrix(node)
            if not plain_group:  # a plain group's rows are counted by the call for its rows
                self.counts[0] += _count(node) if node.kind in ("group", "repeat") else 1
            before = len(result)
            if node.kind == "repeat":
                self.report(f"survey sheet rows {node.row}-{node.end_row}",
                            f"repeat '{node.name}' ({_count(node)} questions inside)",
                            "repeated sections are not supported; left out with their contents")
            elif node.kind == "group" and self.is_matrix(node):
                if question := self.matrix(node):
                    result.append(question)
            elif node.kind == "group":
                if node.plain.get("relevant"):
                    self.report(where, f"relevant `{node.plain['relevant']}` of group "
                                f"'{node.name}'", "conditions on groups inside a page are not "
                                "supported; the questions are imported without it")
                result.extend(self.questions(node.children))
            elif _type_of(node.plain.get("type", ""))[0] == "note":
                self.note(node, where)
            elif node.plain.get("follow_up_of"):
                self.follow_up(result, node, where)
            elif question := self.question(node):
                result.append(question)
            if not plain_group:  # a matrix keeps its rows as the items of one question
                self.counts[1] += (sum(len(q.items) for q in result[before:])
                                   or len(result) - before)
        return tuple(result)

    def common(self, node: _Node, where: str) -> tuple[Condition | None, Role | None]:
        """Columns every question row may carry: reported ones, role and relevant."""
        for column in REPORTED_COLUMNS:
            if node.plain.get(column):
                self.report(where, f"{column} `{node.plain[column]}`",
                            "not supported; the question is imported without it")
        for (column, _), value in node.texts.items():
            if column.startswith("media") or column in REPORTED_COLUMNS:
                self.report(where, f"{column} `{value}`", "media in questions is not supported")
        if node.plain.get("appearance", "").startswith("ex:"):
            self.report(where, f"appearance `{node.plain['appearance']}`",
                        "launching an external app is not supported")
        role = node.plain.get("role", "")
        if role and role not in ROLES:
            self.report(where, f"role '{role}'", f"roles are {', '.join(ROLES)}")
        known_role = cast(Role, role) if role in ROLES else None
        return self.relevant(node.plain.get("relevant", ""), where), known_role

    def relevant(self, expr: str, where: str) -> Condition | None:
        if not expr:
            return None
        condition, reason = map_condition(parse_xlsform(expr), self.field_names,
                                          self.code_maps, "a choice")
        if condition is None:
            self.report(where, f"relevant `{expr}`", reason)
        return condition

    def required(self, node: _Node, where: str) -> bool:
        value = node.plain.get("required", "")
        if value.lower() in ("", "no", "false", "false()", "0"):
            return False
        if value.lower() in ("yes", "true", "true()", "1"):
            return True
        self.report(where, f"required `{value}`",
                    "conditional required is not supported; imported as optional")
        return False

    def matrix(self, node: _Node) -> Question | None:
        where = f"survey sheet row {node.row}"
        name = node.name or f"matrix_{node.row}"
        show_if, role = self.common(node, where)
        qid = self.ids.claim(name, "q")
        rows = node.children
        if "table-list" not in node.plain.get("appearance", ""):
            rows = rows[1:]  # the 'label' row only shows the scale's labels as a header
        list_name = _type_of(rows[0].plain.get("type", ""))[1]
        items: list[Item] = []
        codes = SlugRegistry(code=True)
        required = []
        for row in rows:
            row_where = f"survey sheet row {row.row}"
            self.common(row, row_where)
            if row.plain.get("relevant"):
                self.report(row_where, f"relevant `{row.plain['relevant']}`",
                            "conditions on single items of a matrix are not supported")
            prefix = f"{name}."
            raw = row.name[len(prefix):] if row.name.startswith(prefix) else row.name
            code = codes.claim(raw, "item")
            self.field_names[row.name] = f"{qid}.{code}"
            self.code_maps[f"{qid}.{code}"] = self.list_codes.get(list_name, {})
            required.append(self.required(row, row_where))
            if self.text(row.plain, row.texts, "hint", row_where):
                self.report(row_where, "hint of a matrix item",
                            "items of a matrix have no help text; left out")
            label = self.text(row.plain, row.texts, "label", row_where)
            items.append(Item(code, label or {self.default: code}))
        self.field_names[name] = qid
        return Question(
            id=qid,
            type="likert_matrix",
            text=self.text(node.plain, node.texts, "label", where) or {self.default: name},
            help=self.text(node.plain, node.texts, "hint", where) or None,
            required=all(required),
            role=role,
            scale=self.scale(list_name, where),
            items=tuple(items),
            show_if=show_if,
        )

    def place(self, node: _Node, where: str) -> Question | None:
        """A geopoint with a ``places`` list (our own export): a place question."""
        list_name = node.plain["places"]
        places = []
        for option in self.options(list_name, where):
            point = self.coordinates.get((list_name, option.code))
            if point is None:
                self.report(where, f"place '{option.code}' of list '{list_name}'",
                            "has no lat/lon in the choices sheet; left out")
            else:
                places.append(NamedPlace(option.code, option.label, *point))
        if not places:
            self.report(where, f"geopoint '{node.name}'", "no named place has lat/lon; the "
                        "question is left out")
            return None
        areas = []
        prefix = f"area.{node.name}."
        for key, entry in self.metadata.items():
            if key.startswith(prefix):
                try:
                    outline = tuple((float(lat), float(lon))
                                    for lat, lon in json.loads(entry.get(None) or ""))
                except (ValueError, TypeError):
                    self.report("metadata sheet", key, "an outline is a list of [lat, lon]")
                    continue
                areas.append(Area(key[len(prefix):], self.meta_text(key) or {}, outline))
        try:
            max_marks = int(node.plain.get("max_marks") or 1)
        except ValueError:
            self.report(where, f"max_marks '{node.plain['max_marks']}'", "not a whole number; "
                        "one place is asked for")
            max_marks = 1
        show_if, role = self.common(node, where)
        qid = self.ids.claim(node.name, "q")
        self.field_names[node.name] = qid
        return Question(
            id=qid, type="place",
            text=self.text(node.plain, node.texts, "label", where) or {self.default: node.name},
            help=self.text(node.plain, node.texts, "hint", where) or None,
            required=self.required(node, where), role=role, show_if=show_if,
            max_marks=max_marks, places=tuple(places), areas=tuple(areas))

    def follow_up(self, result: list[Question], node: _Node, where: str) -> None:
        """A row asked about each mark of the place question it names, which comes before."""
        owner = self.field_names.get(node.plain["follow_up_of"])
        index = next((i for i, q in enumerate(result) if q.id == owner and q.type == "place"),
                     None)
        kind_name, argument = _type_of(node.plain.get("type", ""))
        kind = {"select_one": "single_choice", "select_multiple": "multiple_choice",
                "text": "free_text"}.get(kind_name)
        if index is None or kind is None:
            self.report(where, f"follow-up '{node.name}'", "needs a place question before it "
                        "and the type select_one, select_multiple or text; left out")
            return
        options = self.options(argument.partition(" ")[0], where) if kind != "free_text" else ()
        place = result[index]
        follow_up = Question(
            id=node.name, type=kind,
            text=self.text(node.plain, node.texts, "label", where) or {self.default: node.name},
            help=self.text(node.plain, node.texts, "hint", where) or None, options=options,
            **self.constraint(node.plain.get("constraint", ""), kind, where))
        result[index] = replace(place, follow_up=(*place.follow_up, follow_up))

    def question(self, node: _Node) -> Question | None:
        where = f"survey sheet row {node.row}"
        kind_name, argument = _type_of(node.plain.get("type", ""))
        if kind_name == "geopoint" and node.plain.get("places"):
            return self.place(node, where)
        if kind_name in UNSUPPORTED_TYPES:
            self.report(where, f"{node.plain.get('type')} '{node.name}'",
                        f"{UNSUPPORTED_TYPES[kind_name]} is not supported")
            return None
        kind: QuestionType
        if kind_name in CHOICE_TYPES:
            kind = CHOICE_TYPES[kind_name]
        elif kind_name == "text":
            kind = "free_text"
        elif kind_name in ("integer", "decimal", "range"):
            kind = "number"
        elif kind_name == "date":
            kind = "date"
        else:
            self.report(where, f"type '{node.plain.get('type')}' '{node.name}'",
                        "unknown XLSForm type")
            return None
        show_if, role = self.common(node, where)
        options: tuple[Option, ...] = ()
        scale = None
        list_name = ""
        if kind in ("single_choice", "multiple_choice", "pick_top"):
            list_name, _, extra = argument.partition(" ")
            if extra.strip() == "or_other":
                self.report(where, "or_other", "an 'other' option with its own text field is "
                            "not supported")
            if list_name in self.scale_lists:
                scale = self.scale(list_name, where)
                # As the definition loader does: a question on a scale offers its options.
                options = scale.options
            elif list_name in self.lists:
                options = self.options(list_name, where)
            if not options:
                self.report(where, f"{node.plain.get('type')} '{node.name}'",
                            f"choice list '{list_name}' is not in the choices sheet or is empty; "
                            "the question is left out")
                return None
            if kind == "single_choice" and len(options) == 1 and scale is None:
                self.report(where, f"select_one '{node.name}' with one choice",
                            "a single choice needs two alternatives; imported as one tick box")
                kind = "multiple_choice"
        if node.plain.get("type", "").lower().startswith("phone number"):
            self.report(where, "phone number", "imported as free text without the digits check")
        limits = self.constraint(node.plain.get("constraint", ""), kind, where)
        if kind_name == "range":
            limits.update(self.range_limits(node, where))
        if kind == "pick_top" and "max_selections" not in limits:
            self.report(where, f"rank '{node.name}'", "the order of the choices is not kept; "
                        "imported as choosing any number of them")
            limits["max_selections"] = len(options)
        integer = bool(limits.pop("integer", True)) and kind_name != "decimal"
        qid = self.ids.claim(node.name, "q")
        self.field_names[node.name] = qid
        if list_name:
            self.code_maps[qid] = self.list_codes[list_name]
        return Question(
            id=qid,
            type=kind,
            text=self.text(node.plain, node.texts, "label", where) or {self.default: node.name},
            help=self.text(node.plain, node.texts, "hint", where) or None,
            required=self.required(node, where),
            role=role,
            options=options,
            scale=scale,
            integer=integer,
            show_if=show_if,
            **limits,
        )

    def constraint(self, expr: str, kind: str, where: str) -> dict[str, Any]:
        """Limits we can read from a constraint: number bounds, text length, selection count."""
        if not expr:
            return {}
        limits: dict[str, Any] = {}
        for part in re.split(r"\s+and\s+", expr.strip()):
            part = part.strip()
            if kind == "number" and (m := _BOUND.match(part)):
                op, n = m.group("op"), float(m.group("n"))
                if op == ">=" and "min_value" not in limits:
                    limits["min_value"] = n
                    continue
                if op == "<=" and "max_value" not in limits:
                    limits["max_value"] = n
                    continue
            elif kind == "date" and (m := _DATE_BOUND.match(part)):
                bound = TODAY if m.group("today") else m.group("iso")
                key = "min_date" if m.group("op").startswith(">") else "max_date"
                # A strict bound (< today()) is read as inclusive: one day either way.
                if key not in limits:
                    limits[key] = bound
                    continue
            elif kind == "free_text" and (m := _LENGTH.match(part)):
                limits["max_length"] = int(float(m.group("n")))
                continue
            elif kind in ("multiple_choice", "pick_top") and (m := _COUNT.match(part)):
                limits["max_selections"] = int(float(m.group("n")))
                continue
            self.report(where, f"constraint `{expr}`", "only upper/lower bounds, text length "
                        "and selection count are supported; imported without it")
            return {}
        return limits

    def range_limits(self, node: _Node, where: str) -> dict[str, Any]:
        """A range's ``parameters`` (``start=1 end=10 step=1``) as a number's bounds."""
        params = dict(part.partition("=")[::2] for part in
                      node.plain.get("parameters", "").replace(";", " ").split())
        try:
            start, end = float(params.get("start", 1)), float(params.get("end", 10))
            step = float(params.get("step", 1))
        except ValueError:
            self.report(where, f"parameters `{node.plain.get('parameters')}`",
                        "not numbers; the range is imported as a number without bounds")
            return {}
        self.report(where, f"range '{node.name}'", "imported as a number field, not a slider")
        return {"min_value": min(start, end), "max_value": max(start, end),
                "integer": step.is_integer() and start.is_integer()}

    # -- whole survey ----------------------------------------------------------------------

    def read(self) -> ImportResult:
        self.setup_languages()
        self.read_choices()
        self.scale_lists = {key.split(".", 1)[1] for key in self.metadata
                            if key.startswith("scale.")}
        self.scales: dict[str, Scale] = {}
        nodes = self.tree()
        form_title = self.settings.get("form_title", "")
        title = self.meta_text("title") or {self.default: form_title or self.stem}
        pages = self.pages(nodes, title)
        for list_name in sorted(self.scale_lists):
            self.scale(list_name, "metadata sheet")
        intro = {name: text for name in INTRO_FIELDS if (text := self.meta_text(f"intro.{name}"))}
        review = {key.split(".", 1)[1]: entry.get(None, "")
                  for key, entry in self.metadata.items() if key.startswith("review.")}
        review_notes = {key.split(".", 1)[1]: entry.get(None, "") for key, entry
                        in self.metadata.items() if key.startswith("review_note.")}
        order = [k.split(".", 1)[1] for k in self.metadata if k.startswith("scale.")]
        scales = {k: self.scales[k] for k in order}
        scales.update({k: v for k, v in self.scales.items() if k not in scales})
        survey = Survey(
            slug=make_slug(self.settings.get("form_id", "") or form_title or self.stem),
            title=title,
            languages=self.languages,
            default_language=self.default,
            intro=intro,
            pages=pages,
            thanks=self.meta_text("thanks"),
            scales=scales,
            review=review,
            review_notes=review_notes,
            template=self.metadata.get("template", {}).get(None) or None,
            indicators=self.indicators(),
        )
        survey, notes = fill_missing_translations(survey, "survey and choices sheets")
        notes += missing_intro(survey, "survey and choices sheets")
        return ImportResult(survey, self.unsupported + notes, *self.counts)

    def indicators(self) -> tuple[Indicator, ...]:
        """Key figures from our own export's metadata rows ``indicator.<id>``."""
        out = []
        for key, entry in self.metadata.items():
            if not key.startswith("indicator."):
                continue
            try:
                spec = json.loads(entry.get(None) or "")
                out.append(Indicator(
                    id=key.split(".", 1)[1], question=str(spec["question"]),
                    counts=tuple(str(c) for c in spec["counts"]),
                    excludes=tuple(str(c) for c in spec.get("excludes", ())),
                    label=self.meta_text(key) or {}))
            except (ValueError, KeyError, TypeError, AttributeError):
                self.report("metadata sheet", key, "a key figure needs a value like "
                          '{"question": "ut_sent", "counts": ["ganska_otrygg"]}')
        return tuple(out)

    def meta_text(self, key: str) -> Text | None:
        entry = self.metadata.get(key)
        if not entry:
            return None
        texts = {self.codes.get(spec, language_code(spec) or spec): value
                 for spec, value in entry.items() if spec is not None and value}
        return {lang: texts[lang] for lang in self.languages if lang in texts} or None


def _count(node: _Node) -> int:
    return sum(_count(c) if c.kind in ("group", "repeat") else 1 for c in node.children)


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "true()")


def import_xlsform(path_or_buffer: str | Path | IO[bytes]) -> ImportResult:
    """Read an XLSForm workbook into a survey plus the unsupported elements."""
    is_path = isinstance(path_or_buffer, str | Path)
    source = Path(path_or_buffer).name if is_path else "workbook"  # type: ignore[arg-type]
    stem = Path(path_or_buffer).stem if is_path else "survey"  # type: ignore[arg-type]
    try:
        check_zip(path_or_buffer)
        with warnings.catch_warnings():
            # openpyxl warns about styles, headers and document properties: layout we ignore.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(path_or_buffer, read_only=True, data_only=True)
    except TooLarge as exc:
        raise UnreadableFile(source, "", f"refused: {exc}") from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(source, "", f"not a readable .xlsx workbook ({exc})") from exc
    try:
        sheets: dict[str, _Sheet] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for ws in workbook.worksheets:
                sheet = _read_sheet(ws)  # type: ignore[arg-type]
                sheets.setdefault(sheet.name, sheet)
    except TooLarge as exc:
        raise UnreadableFile(source, "", f"refused: {exc}") from exc
    finally:
        workbook.close()
    return _XlsformReader(sheets, source, stem).read()
