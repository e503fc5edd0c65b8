"""What an import returns: the survey plus everything that could not be brought over."""

from __future__ import annotations

from dataclasses import dataclass, field

from surveys.definition import Survey


@dataclass(frozen=True)
class Unsupported:
    """One element of the source file that the import leaves out.

    ``location`` points into the source file (``"group 'G1' (gid 12) / question 'Q3' (qid 45)"``
    or ``"survey sheet row 17"``), ``element`` names what is left out, ``reason`` says why.
    """

    location: str
    element: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.element} – {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """``survey`` holds everything representable; the staff member decides about the rest."""

    survey: Survey
    unsupported: list[Unsupported] = field(default_factory=list)
    # Questions in the source file (rows or LimeSurvey questions, notes and calculations
    # included) and how many of them the survey keeps: the share imported.
    source_questions: int = 0
    kept_questions: int = 0

    @property
    def share(self) -> float:
        return self.kept_questions / self.source_questions if self.source_questions else 1.0

    @property
    def complete(self) -> bool:
        return not self.unsupported


class UnreadableFile(ValueError):
    """The file cannot be read as a survey at all; the message names what is wrong and where."""

    def __init__(self, source: str, location: str, problem: str) -> None:
        self.source = source
        self.location = location
        self.problem = problem
        where = f"{source}, {location}" if location else source
        super().__init__(f"{where}: {problem}")
