"""LimeSurvey structure files (.lss): the LimeSurvey 3 layout (texts inline, one row per
language) and the 4+ layout (``*_l10ns`` tables)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from surveys.definition import (
    TODAY,
    Condition,
    Item,
    Option,
    Page,
    Question,
    QuestionType,
    Scale,
    Survey,
    Text,
)
from surveys.importers.expressions import map_condition, parse_limesurvey
from surveys.importers.limits import (
    MAX_TEXT_LENGTH,
    MAX_XML_BYTES,
    TooLarge,
    check_text,
    check_xml,
)
from surveys.importers.result import ImportResult, UnreadableFile, Unsupported
from surveys.importers.text import SlugRegistry, html_to_text, make_code, make_slug
from surveys.importers.translations import (
    fill_missing_translations,
    language_variants,
    missing_intro,
    rename_languages,
)

Row = dict[str, str]

SINGLE_CHOICE = frozenset("L!O5GY")
MULTIPLE_CHOICE = frozenset("MP")
MATRIX = frozenset("FABCEH1")
FREE_TEXT = frozenset("STU")
# One field per subquestion: imported as one question each.
SPLIT_TYPES = {"K": ("number", "multiple numerical input"),
               "Q": ("free_text", "multiple short text")}
UNSUPPORTED_TYPES = {
    "|": "file upload",
    "*": "equation",
    "I": "language switch",
    ":": "array of numbers",
    ";": "array of texts",
}
# Answers LimeSurvey generates itself for these types: code -> English label.
FIXED_OPTIONS = {
    "5": [(str(i), str(i)) for i in range(1, 6)],
    "G": [("F", "Female"), ("M", "Male")],
    "Y": [("Y", "Yes"), ("N", "No")],
}
FIXED_SCALES = {
    "A": [(str(i), str(i)) for i in range(1, 6)],
    "B": [(str(i), str(i)) for i in range(1, 11)],
    "C": [("Y", "Yes"), ("U", "Uncertain"), ("N", "No")],
    "E": [("I", "Increase"), ("S", "Same"), ("D", "Decrease")],
}
# Attributes that change what a resident sees or may answer, with the value meaning "off".
BEHAVIOUR_ATTRIBUTES = {
    "hidden": "0", "array_filter": "", "array_filter_exclude": "", "em_validation_q": "",
    "em_validation_sq": "", "random_order": "0", "exclude_all_others": "", "min_answers": "",
    "other_comment_mandatory": "0", "time_limit": "", "equals_num_value": "",
    "min_num_value": "", "max_num_value": "",
}
_EXPRESSION = re.compile(r"\{(?!\s)[^{}]*\}")


@dataclass
class _Entity:
    row: Row
    texts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def text(self, key: str) -> dict[str, str]:
        return self.texts[key]


def _table(root: ET.Element, name: str) -> list[Row]:
    rows = []
    for number, row in enumerate(root.findall(f"{name}/rows/row"), start=1):
        for child in row:
            if child.text and len(child.text) > MAX_TEXT_LENGTH:
                check_text(child.text, f"<{name}> row {number} <{child.tag}>")
        rows.append({child.tag: (child.text or "") for child in row})
    return rows


def _entities(root: ET.Element, table: str, key: str, text_fields: tuple[str, ...]
              ) -> dict[str, _Entity]:
    """Rows of ``table`` by ``key``; texts come from ``<table>_l10ns`` or, in LS3, inline."""
    entities: dict[str, _Entity] = {}
    for row in _table(root, table):
        entity = entities.setdefault(row[key], _Entity(row))
        if "language" in row:
            for name in text_fields:
                entity.texts[name][row["language"]] = row.get(name, "")
    l10n_table = "question_l10ns" if table == "subquestions" else f"{table.rstrip('s')}_l10ns"
    for row in _table(root, l10n_table):
        entity = entities.get(row.get(key, ""))
        if entity is not None:
            for name in text_fields:
                entity.texts[name][row["language"]] = row.get(name, "")
    return entities


class _LssReader:
    def __init__(self, root: ET.Element, source: str) -> None:
        self.root = root
        self.source = source
        self.unsupported: list[Unsupported] = []
        self.ids = SlugRegistry()
        self.field_names: dict[str, str] = {}  # LimeSurvey variable name -> our field name
        self.code_maps: dict[str, dict[str, str]] = {}  # field -> source code -> our code
        self.counts = [0, 0]  # source questions, imported ones

    def report(self, location: str, element: str, reason: str) -> None:
        self.unsupported.append(Unsupported(location, element, reason))

    def text(self, texts: dict[str, str], location: str, what: str) -> Text:
        """Safe text per language; expressions are cut out of it, and reported."""
        result: Text = {}
        removed: list[str] = []
        for lang in self.languages:
            raw = texts.get(lang, "")
            found = _EXPRESSION.findall(raw)
            removed.extend(e for e in found if e not in removed)
            cleaned = html_to_text(_EXPRESSION.sub("", raw))
            if cleaned:
                result[lang] = cleaned
        if removed:
            self.report(f"{location} / {what}", "expression " + " ".join(removed),
                        "Expression Manager expressions in texts are not supported; "
                        "removed from the text")
        return result

    def read(self) -> ImportResult:
        surveys = _table(self.root, "surveys")
        if not surveys:
            raise UnreadableFile(self.source, "<surveys>", "no survey row: not a survey structure")
        settings = surveys[0]
        self.sid = settings.get("sid", "")
        base = settings.get("language", "").strip()
        langs = [base] + settings.get("additional_languages", "").split()
        langs += [e.text.strip() for e in self.root.findall("languages/language") if e.text]
        self.languages = tuple(dict.fromkeys(lang for lang in langs if lang))
        if not self.languages:
            raise UnreadableFile(self.source, "<surveys>", "the survey names no language")
        default = self.languages[0]

        ls: dict[str, dict[str, str]] = defaultdict(dict)
        for row in _table(self.root, "surveys_languagesettings"):
            for key, value in row.items():
                ls[key][row.get("surveyls_language", "")] = value
        where = f"survey (sid {self.sid})"
        title = self.text(ls["surveyls_title"], where, "title")
        intro_texts = {lang: "\n\n".join(t for t in (ls["surveyls_description"].get(lang, ""),
                                                     ls["surveyls_welcometext"].get(lang, ""))
                                         if t.strip())
                       for lang in self.languages}
        purpose = self.text(intro_texts, where, "description and welcome text")
        thanks = self.text(ls["surveyls_endtext"], where, "end text") or None

        pages = self.pages()
        slug_source = title.get(default) or f"limesurvey-{self.sid}"
        survey = Survey(
            slug=make_slug(slug_source),
            title=title or {default: slug_source},
            languages=self.languages,
            default_language=default,
            intro={"purpose": purpose} if purpose else {},
            pages=pages,
            thanks=thanks,
            scales={q.scale.id: q.scale for p in pages for q in p.questions if q.scale},
        )
        mapping, variant_notes = language_variants(self.languages, where)
        survey = rename_languages(survey, mapping)
        survey, notes = fill_missing_translations(survey, where)
        notes = variant_notes + notes
        notes += missing_intro(survey, where)
        return ImportResult(survey, self.unsupported + notes, *self.counts)

    def pages(self) -> tuple[Page, ...]:
        groups = _entities(self.root, "groups", "gid", ("group_name", "description"))
        questions = _entities(self.root, "questions", "qid", ("question", "help"))
        subquestions = _entities(self.root, "subquestions", "qid", ("question",))
        self.answers = self._answers()
        self.attributes: dict[str, dict[str, str]] = defaultdict(dict)
        for row in _table(self.root, "question_attributes"):
            self.attributes[row.get("qid", "")].setdefault(row.get("attribute", ""),
                                                           row.get("value", ""))
        self.subs: dict[str, list[_Entity]] = defaultdict(list)
        for sub in subquestions.values():
            self.subs[sub.row.get("parent_qid", "")].append(sub)
        for subs in self.subs.values():
            subs.sort(key=lambda s: int(s.row.get("question_order") or 0))
        by_group: dict[str, list[_Entity]] = defaultdict(list)
        for q in questions.values():
            if q.row.get("parent_qid", "0") in ("", "0"):
                by_group[q.row.get("gid", "")].append(q)

        page_ids = SlugRegistry()
        pages: list[Page] = []
        for gid, group in sorted(groups.items(), key=lambda g: int(g[1].row.get("group_order")
                                                                     or 0)):
            name = html_to_text(group.text("group_name").get(self.languages[0], "")) or gid
            where = f"group '{name}' (gid {gid})"
            relevance = group.row.get("grelevance", "").strip()
            if relevance not in ("", "1"):
                self.report(where, f"group relevance `{relevance}`",
                            "conditions on a whole page are not supported")
            members = sorted(by_group.get(gid, []),
                             key=lambda q: int(q.row.get("question_order") or 0))
            page_questions: list[Question] = []
            # Text displays are read, not answered: they join the page's introduction.
            displays: list[tuple[str, Text]] = []
            for member in members:
                self.counts[0] += 1
                if member.row.get("type") == "X":
                    display_where = (f"{where} / question '{member.row.get('title', '')}' "
                                     f"(qid {member.row.get('qid', '')})")
                    text = self.text(member.text("question"), display_where, "text")
                    if text:
                        displays.append((display_where, text))
                    continue
                imported = self.questions_of(member, where)
                self.counts[1] += bool(imported)
                page_questions += imported
            if not page_questions:
                for display_where, _ in displays:
                    self.report(display_where, "text display",
                                "its page has no question we can show; left out")
                self.report(where, "group without supported questions",
                            "a page needs at least one question; the group is left out")
                continue
            for display_where, _ in displays:
                self.report(display_where, "text display", "shown as text at the top of its page")
            self.counts[1] += len(displays)
            parts = [self.text(group.text("description"), where, "description"),
                     *(text for _, text in displays)]
            intro = {lang: "\n\n".join(p[lang] for p in parts if p.get(lang))
                     for lang in self.languages}
            title = self.text(group.text("group_name"), where, "group name")
            pages.append(Page(
                id=page_ids.claim(name, "page"),
                title=title or {self.languages[0]: name},
                questions=tuple(page_questions),
                intro={lang: text for lang, text in intro.items() if text} or None,
            ))
        return tuple(pages)

    def _answers(self) -> dict[tuple[str, str], list[_Entity]]:
        """Answer options by (qid, scale_id) in sort order, with their texts per language."""
        rows = _table(self.root, "answers")
        merged: dict[tuple[str, str, str], _Entity] = {}
        for row in rows:
            key = (row.get("qid", ""), row.get("scale_id", "0") or "0", row.get("code", ""))
            entity = merged.setdefault(key, _Entity(row))
            if "language" in row:
                entity.texts["answer"][row["language"]] = row.get("answer", "")
        by_aid = {e.row["aid"]: e for e in merged.values() if e.row.get("aid")}
        for row in _table(self.root, "answer_l10ns"):
            if row.get("aid") in by_aid:
                by_aid[row["aid"]].texts["answer"][row.get("language", "")] = row.get("answer", "")
        result: dict[tuple[str, str], list[_Entity]] = defaultdict(list)
        for (qid, scale_id, _), entity in merged.items():
            result[(qid, scale_id)].append(entity)
        for entities in result.values():
            entities.sort(key=lambda e: int(e.row.get("sortorder") or 0))
        return result

    def options(self, qid: str, qtype: str, where: str, scale_id: str = "0") -> tuple[Option, ...]:
        fixed = FIXED_OPTIONS.get(qtype) or FIXED_SCALES.get(qtype)
        if fixed:
            numeric = qtype in "5AB"
            return tuple(Option(make_code(code), {lang: label for lang in self.languages},
                                score=float(code) if numeric else None)
                         for code, label in fixed)
        answers = self.answers.get((qid, scale_id), [])
        scored = any(float(a.row.get("assessment_value") or 0) for a in answers)
        seen: set[str] = set()
        codes = SlugRegistry(code=True)
        options = []
        for answer in answers:
            source_code = answer.row.get("code", "").strip()
            if source_code in seen:
                self.report(f"{where} / answer '{source_code}'", "duplicate answer code",
                            "each code may appear once; the repeat is left out")
                continue
            seen.add(source_code)
            code = codes.claim(source_code)
            label = self.text(answer.text("answer"), f"{where} / answer '{source_code}'", "label")
            score = float(answer.row.get("assessment_value") or 0) if scored else None
            options.append(Option(code, label or {self.languages[0]: source_code}, score=score))
        return tuple(options)

    def questions_of(self, q: _Entity, group_where: str) -> list[Question]:
        """The question, or for multiple numerical/short text one question per subquestion."""
        qtype = q.row.get("type", "")
        if qtype not in SPLIT_TYPES:
            question = self.question(q, group_where)
            return [question] if question else []
        kind, name = SPLIT_TYPES[qtype]
        qid, title = q.row.get("qid", ""), q.row.get("title", "")
        where = f"{group_where} / question '{title}' (qid {qid})"
        subs = [s for s in self.subs.get(qid, []) if s.row.get("scale_id", "0") in ("", "0")]
        if not subs:
            self.report(where, f"question type {qtype} ({name}) without subquestions", "left out")
            return []
        self.report(where, f"question type {qtype} ({name})",
                    f"imported as {len(subs)} separate questions, one per subquestion")
        questions = []
        main = self.text(q.text("question"), where, "question text")
        for sub in subs:
            sub_title = sub.row.get("title", "")
            label = self.text(sub.text("question"), f"{where} / subquestion '{sub_title}'", "text")
            combined = {lang: " – ".join(t for t in (main.get(lang), label.get(lang)) if t)
                        for lang in self.languages if main.get(lang) or label.get(lang)}
            part = _Entity({**q.row, "title": f"{title}_{sub_title}",
                            "type": "N" if kind == "number" else "S"})
            part.texts["question"] = dict(combined)
            part.texts["help"] = dict(q.text("help"))
            question = self.question(part, group_where)
            if question:
                questions.append(question)
        return questions

    def question(self, q: _Entity, group_where: str) -> Question | None:
        qid, title, qtype = q.row.get("qid", ""), q.row.get("title", ""), q.row.get("type", "")
        where = f"{group_where} / question '{title}' (qid {qid})"
        if qtype in UNSUPPORTED_TYPES:
            self.report(where, f"question type {qtype} ({UNSUPPORTED_TYPES[qtype]})",
                        "this question type has no equivalent in our surveys")
            return None
        kind: QuestionType
        if qtype in SINGLE_CHOICE:
            kind = "single_choice"
        elif qtype in MULTIPLE_CHOICE:
            kind = "multiple_choice"
        elif qtype in MATRIX:
            kind = "likert_matrix"
        elif qtype == "R":
            kind = "pick_top"
        elif qtype in FREE_TEXT:
            kind = "free_text"
        elif qtype == "N":
            kind = "number"
        elif qtype == "D":
            kind = "date"
        else:
            self.report(where, f"question type {qtype!r}", "unknown LimeSurvey question type")
            return None
        attrs = self.attributes.get(qid, {})
        for name, off in BEHAVIOUR_ATTRIBUTES.items():
            value = attrs.get(name, off).strip()
            if value != off and not (kind == "number" and name.endswith("_num_value")):
                self.report(where, f"attribute {name} = {value!r}",
                            "not supported; the question is imported without it")
        if q.row.get("other") == "Y" and kind in ("single_choice", "multiple_choice"):
            self.report(where, "'Other' option with free text",
                        "an option with its own text field is not supported")
        if qtype in "OP":
            self.report(where, "comment field", "comments beside options are not supported")
        if qtype == "1":
            self.report(where, "second scale of a dual-scale array",
                        "a matrix has one scale; only the first is imported")
        mandatory = q.row.get("mandatory", "N")
        if mandatory == "S":
            self.report(where, "soft mandatory", "imported as optional")

        show_if = self.relevance(q.row.get("relevance", ""), where)
        qid_slug = self.ids.claim(title, "q")
        subs = self.subs.get(qid, [])
        options: tuple[Option, ...] = ()
        items: tuple[Item, ...] = ()
        scale = None
        max_selections = None
        if kind in ("single_choice", "multiple_choice"):
            if kind == "multiple_choice":
                options = tuple(self.sub_options(subs, where))
                max_selections = _int(attrs.get("max_answers"))
            else:
                options = self.options(qid, qtype, where)
        elif kind == "pick_top":
            # LS3 exports keep ranking items as answers, LS4+ as subquestions.
            options = tuple(self.sub_options(subs, where)) or self.options(qid, qtype, where)
            max_selections = (_int(attrs.get("max_subquestions")) or _int(attrs.get("max_answers"))
                              or len(options))
        elif kind == "likert_matrix":
            item_codes = SlugRegistry(code=True)
            item_list = []
            item_fields: list[str] = []
            for sub in subs:
                if sub.row.get("scale_id", "0") not in ("", "0"):
                    continue  # the column axis of array types; reported above as unsupported
                code = item_codes.claim(sub.row.get("title", ""), "item")
                self.field_names[f"{title}_{sub.row.get('title', '')}"] = f"{qid_slug}.{code}"
                item_fields.append(f"{qid_slug}.{code}")
                sub_where = f"{where} / subquestion '{sub.row.get('title', '')}'"
                self.sub_relevance(sub, sub_where)
                label = self.text(sub.text("question"), sub_where, "text")
                item_list.append(Item(code, label or {self.languages[0]: code}))
            items = tuple(item_list)
            scale = Scale(qid_slug, self.options(qid, qtype, where))
            for item_field in item_fields:
                self.code_maps[item_field] = self.source_codes(qid, qtype, scale.options)
        if kind in ("single_choice", "multiple_choice", "pick_top") and not options:
            self.report(where, "question without answer options", "left out")
            return None
        if kind == "likert_matrix" and not (items and scale and scale.options):
            self.report(where, "array without subquestions or answer options", "left out")
            return None

        self.field_names[title] = qid_slug
        if options:
            self.code_maps[qid_slug] = self.source_codes(qid, qtype, options, subs)
        text = self.text(q.text("question"), where, "question text")
        return Question(
            id=qid_slug,
            type=kind,
            text=text or {self.languages[0]: title},
            help=self.text(q.text("help"), where, "help") or None,
            required=mandatory == "Y",
            options=options,
            scale=scale,
            items=items,
            max_selections=max_selections,
            max_length=_int(attrs.get("maximum_chars")) if kind == "free_text" else None,
            min_value=_float(attrs.get("min_num_value_n")) if kind == "number" else None,
            max_value=_float(attrs.get("max_num_value_n")) if kind == "number" else None,
            integer=attrs.get("num_value_int_only", "0") == "1" if kind == "number" else True,
            show_if=show_if,
            min_date=self.date_attribute(attrs, "date_min", where) if kind == "date" else None,
            max_date=self.date_attribute(attrs, "date_max", where) if kind == "date" else None,
        )

    def date_attribute(self, attrs: dict[str, str], name: str, where: str) -> str | None:
        """``date_min``/``date_max``: a fixed date, or an expression we leave out."""
        value = attrs.get(name, "").strip()
        if not value:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]) and len(value) in (10, 19):
            return value[:10]
        if value.strip("{} ").lower() in ("today", "date('y-m-d')", 'date("y-m-d")'):
            return TODAY
        self.report(where, f"attribute {name} = {value!r}",
                    "only a fixed date or today can be a bound; imported without it")
        return None

    def sub_options(self, subs: list[_Entity], where: str) -> list[Option]:
        codes = SlugRegistry(code=True)
        options = []
        for sub in subs:
            title = sub.row.get("title", "")
            sub_where = f"{where} / subquestion '{title}'"
            self.sub_relevance(sub, sub_where)
            label = self.text(sub.text("question"), sub_where, "text")
            options.append(Option(codes.claim(title), label or {self.languages[0]: title}))
        return options

    def source_codes(self, qid: str, qtype: str, options: tuple[Option, ...],
                     subs: list[_Entity] | None = None) -> dict[str, str]:
        """LimeSurvey's codes for a question's options, in the same order, mapped to ours."""
        if qtype in FIXED_OPTIONS or qtype in FIXED_SCALES:
            source = [code for code, _ in FIXED_OPTIONS.get(qtype) or FIXED_SCALES[qtype]]
        elif subs and qtype in "MPR":
            source = [s.row.get("title", "") for s in subs]
        else:
            source = list(dict.fromkeys(a.row.get("code", "").strip()
                                        for a in self.answers.get((qid, "0"), [])))
        return dict(zip(source, (o.code for o in options), strict=False))

    def sub_relevance(self, sub: _Entity, where: str) -> None:
        relevance = sub.row.get("relevance", "").strip()
        if relevance not in ("", "1"):
            self.report(where, f"relevance `{relevance}`",
                        "conditions on single options or items are not supported")

    def relevance(self, expr: str, where: str) -> Condition | None:
        expr = expr.strip()
        if expr in ("", "1"):
            return None
        condition, reason = map_condition(parse_limesurvey(expr), self.field_names,
                                          self.code_maps, "an answer code")
        if condition is None:
            self.report(where, f"relevance `{expr}`", reason)
        return condition


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value and value.strip() else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value and value.strip() else None
    except ValueError:
        return None


def import_lss(path: str | Path) -> ImportResult:
    """Read a LimeSurvey structure export (.lss) into a survey plus the unsupported elements."""
    source = Path(path).name
    with open(path, "rb") as file:
        data = file.read(MAX_XML_BYTES + 1)  # one byte more than allowed tells it is too large
    try:
        check_xml(data)
        root = ET.fromstring(data)
        if root.tag != "document" or (root.findtext("LimeSurveyDocType") or "").strip() != "Survey":
            raise UnreadableFile(source, f"<{root.tag}>",
                               "not a LimeSurvey survey structure (.lss) export")
        return _LssReader(root, source).read()
    except TooLarge as exc:
        raise UnreadableFile(source, "", f"refused: {exc}") from exc
    except ET.ParseError as exc:
        line, column = exc.position
        raise UnreadableFile(source, f"line {line}, column {column}",
                             "not well-formed XML") from exc
