"""The questionnaire domain: definitions, loading and validation, answers, skip logic, codebook.

Plain Python on purpose: nothing here imports Flask or SQLAlchemy, so the web app, the
analysis code and a notebook can all use it.
"""

from surveys.answers import (
    ERROR_CODES,
    FieldError,
    PageResult,
    date_bound,
    map_bounds,
    mark_inputs,
    unexpected_fields,
    validate_page,
)
from surveys.codebook import (
    AnalysisSpec,
    CodebookRow,
    analysis_spec,
    codebook_rows,
    export_columns,
    flatten_answers,
    format_marks,
)
from surveys.definition import (
    FOLLOW_UP_TYPES,
    INTRO_FIELDS,
    MARK_KEYS,
    QUESTION_TYPES,
    ROLES,
    TODAY,
    Answers,
    Area,
    Condition,
    Indicator,
    Item,
    NamedPlace,
    Option,
    Page,
    Question,
    Scale,
    Survey,
    Text,
)
from surveys.loader import load_definition, parse_definition
from surveys.logic import (
    is_visible,
    next_page_index,
    previous_page_index,
    prune_hidden,
    visible_questions,
)
from surveys.serialize import (
    definition_fingerprint,
    dump_definition,
    survey_from_dict,
    survey_to_dict,
)
from surveys.templates import builtin_template_names, builtin_template_path, load_builtin_template
from surveys.validation import DefinitionError, Problem

__all__ = [
    "ERROR_CODES",
    "FOLLOW_UP_TYPES",
    "INTRO_FIELDS",
    "MARK_KEYS",
    "QUESTION_TYPES",
    "ROLES",
    "TODAY",
    "AnalysisSpec",
    "Answers",
    "Area",
    "CodebookRow",
    "Condition",
    "DefinitionError",
    "FieldError",
    "Indicator",
    "Item",
    "NamedPlace",
    "Option",
    "Page",
    "PageResult",
    "Problem",
    "Question",
    "Scale",
    "Survey",
    "Text",
    "analysis_spec",
    "builtin_template_names",
    "builtin_template_path",
    "codebook_rows",
    "date_bound",
    "definition_fingerprint",
    "dump_definition",
    "export_columns",
    "flatten_answers",
    "format_marks",
    "is_visible",
    "load_builtin_template",
    "load_definition",
    "map_bounds",
    "mark_inputs",
    "next_page_index",
    "parse_definition",
    "previous_page_index",
    "prune_hidden",
    "survey_from_dict",
    "survey_to_dict",
    "unexpected_fields",
    "validate_page",
    "visible_questions",
]
