"""Population tables that survey results are weighted to, one history per survey.

Staff upload SCB's table (or a tidy ``age_band,gender,count`` CSV); the newest upload is
used. Until something is uploaded, the built-in template falls back to a shipped demo table
for Söderhamn, which is an estimate and is always presented as one.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from analysis import AnalysisError, read_scb_population
from analysis.population import validate_population
from surveys import Survey, analysis_spec

from ..extensions import db
from ..models import PopulationTable, SurveyRecord
from . import catalog

WEIGHT_BY = ("age_band", "gender")
DEMO_POPULATION = Path(__file__).resolve().parents[1] / "data" / "soderhamn_population_estimate.csv"
DEMO_SOURCE = (
    "UPPSKATTNING för demonstration, inte SCB:s tabell: Söderhamns invånare 13 år och äldre "
    "fördelade på ålder och kön (utgår från 24 545 invånare, SCB 2024). / ESTIMATE for "
    "demonstration, not SCB's table."
)


@dataclass(frozen=True)
class PopulationInfo:
    """The table to weight to: ``age_band``, ``gender``, ``count``, and where it comes from."""

    table: pd.DataFrame
    source: str
    is_estimate: bool
    uploaded_at: datetime | None = None

    @property
    def stamp(self) -> str:
        """Changes whenever a different table would be used (part of the results cache key)."""
        return f"{self.source}|{self.uploaded_at}"


def _weighting_codes(survey: Survey) -> dict[str, tuple[str, ...]]:
    spec = analysis_spec(survey)
    if spec.age_band_column is None or spec.gender_column is None:
        raise ValueError(
            "Enkäten har ingen fråga om ålder och kön att vikta efter. / "
            "The survey has no age band and gender questions to weight by."
        )
    return {"age_band": spec.role_codes["age_band"], "gender": spec.role_codes["gender"]}


def parse_population(survey: Survey, csv_text: str) -> pd.DataFrame:
    """Read a tidy or SCB-style CSV and check it against the survey's age bands and genders.

    Raises
    ------
    ValueError
        With a Swedish and English message naming the column or value at fault.
    """
    codes = _weighting_codes(survey)
    if not csv_text.strip():
        raise ValueError("Filen är tom. / The file is empty.")
    try:
        table = _read(csv_text, codes["age_band"])
    except AnalysisError as error:
        raise ValueError(f"Befolkningstabellen kunde inte läsas: {error} / "
                         "The population table could not be read.") from None
    for column in WEIGHT_BY:
        known = set(codes[column])
        unknown = sorted(set(table[column]) - known)
        if unknown:
            raise ValueError(
                f"Kolumnen {column!r} har värdet {unknown[0]!r}, som enkäten inte har "
                f"(enkätens koder: {', '.join(codes[column])}). / Column {column!r} has value "
                f"{unknown[0]!r}, which the survey does not use."
            )
    missing = sorted(set(codes["age_band"]) - set(table["age_band"]))
    if missing:
        raise ValueError(
            f"Åldersgruppen {missing[0]!r} saknas i befolkningstabellen. / "
            f"Age band {missing[0]!r} is missing from the population table."
        )
    if not (table["count"] > 0).any():
        raise ValueError("Alla antal är noll. / Every count is zero.")
    return table.reset_index(drop=True)


def _read(csv_text: str, bands: tuple[str, ...]) -> pd.DataFrame:
    text = csv_text.lstrip("\ufeff")
    # SCB puts a title line (and a blank line) above its header row.
    top = " ".join(text.splitlines()[:3]).lower()
    if "ålder" in top or "alder" in top:
        # SCB's reader works on files (it sniffs encoding and the title line).
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            labels = _scb_band_labels(bands)
            table = read_scb_population(handle.name, list(labels))
        return table.assign(age_band=table["age_band"].map(labels))
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None,
                            engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise AnalysisError(f"not a CSV table ({error})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return validate_population(frame, WEIGHT_BY)


def _scb_band_labels(bands: tuple[str, ...]) -> dict[str, str]:
    """SCB folding wants "80+"; the built-in template spells the open band "80plus"."""
    return {b.replace("plus", "+"): b for b in bands}


def store_population(record: SurveyRecord, csv_text: str, source: str,
                     uploaded_by: str | None = None) -> None:
    """Validate and store a population table for a survey; it replaces the previous one.

    Raises
    ------
    ValueError
        The table does not fit the survey (message in Swedish and English).
    """
    if record.current_version is None:
        raise ValueError("Enkäten har ingen publicerad version. / The survey has no version.")
    if not source.strip():
        raise ValueError("Ange varifrån tabellen kommer. / Say where the table comes from.")
    table = parse_population(catalog.definition_of(record.current_version), csv_text)
    db.session.add(PopulationTable(
        survey_id=record.id, source=source.strip(), rows=table.to_dict(orient="records"),
        uploaded_by=uploaded_by,
    ))
    db.session.commit()


def copy_population(source: SurveyRecord, target: SurveyRecord,
                    copied_by: str | None = None) -> bool:
    """Give a new round the population table staff uploaded for an earlier one (not the
    demo estimate); False when there is none."""
    stored = _newest(source)
    if stored is None:
        return False
    db.session.add(PopulationTable(survey_id=target.id, source=stored.source, rows=stored.rows,
                                   uploaded_by=copied_by))
    db.session.commit()
    return True


def _newest(record: SurveyRecord) -> PopulationTable | None:
    return db.session.scalar(
        select(PopulationTable).where(PopulationTable.survey_id == record.id)
        .order_by(PopulationTable.uploaded_at.desc(), PopulationTable.id.desc()).limit(1))


def population_for(record: SurveyRecord) -> PopulationInfo | None:
    """The newest uploaded table, else the demo estimate if it fits the survey, else None."""
    stored = _newest(record)
    if stored is not None:
        table = pd.DataFrame(stored.rows, columns=[*WEIGHT_BY, "count"])
        return PopulationInfo(table, stored.source, is_estimate=False,
                              uploaded_at=stored.uploaded_at)
    if record.current_version is None:
        return None
    try:
        table = parse_population(catalog.definition_of(record.current_version),
                                 DEMO_POPULATION.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return PopulationInfo(table, DEMO_SOURCE, is_estimate=True)


def population_stamp(record: SurveyRecord) -> tuple[int, str] | None:
    """A cheap fingerprint of the table :func:`population_for` would return."""
    row = db.session.execute(
        select(PopulationTable.id, PopulationTable.uploaded_at)
        .where(PopulationTable.survey_id == record.id)
        .order_by(PopulationTable.uploaded_at.desc(), PopulationTable.id.desc()).limit(1)
    ).first()
    return None if row is None else (row[0], str(row[1]))
