"""The selection a councillor filters the dashboard by: one age group, one gender or one area.

One at a time, by design: a selection is protected against everyone's tables as a two-way
table (:func:`analysis.selection.selection_withheld`); two selections combined (women aged
25–44) would make every table three-way with all its margins published, where the rule's
"two withheld cells in every line" no longer guarantees that nothing can be worked out.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys import Survey

# The question roles a selection can be made by, in the order the form offers them; each is
# also the column of the analysed responses.
DIMENSIONS = ("age_band", "gender", "area")


@dataclass(frozen=True)
class Selection:
    """Respondents whose answer to the question with role ``dimension`` is ``value``."""

    dimension: str
    value: str

    @property
    def key(self) -> str:
        """As in the address (``?urval=gender.kvinna``) and the cache."""
        return f"{self.dimension}.{self.value}"


def selection_choices(survey: Survey) -> dict[str, list[str]]:
    """Per dimension the survey asks, the option codes one can select, in questionnaire
    order."""
    choices = {}
    for dimension in DIMENSIONS:
        question = survey.question_with_role(dimension)
        if question is not None:
            choices[dimension] = [o.code for o in question.options]
    return choices


def parse_selection(text: str | None, survey: Survey) -> Selection | None:
    """The selection an address names; None for everyone.

    Raises
    ------
    LookupError
        When the survey has no such question or answer.
    """
    if not text:
        return None
    dimension, _dot, value = text.partition(".")
    if value not in selection_choices(survey).get(dimension, []):
        raise LookupError(text)
    return Selection(dimension, value)
